/**
 * ONNX front end: reads a ModelProto (onnx-proto's protobufjs code) and lowers it to the
 * GraphDef-shaped graph the one executor (src/runtime/session.ts) runs, with each node's op
 * domain (ai.onnx, com.microsoft) for the op registry.
 *
 * - Opsets: the default domain must be opset 13 or newer (older models: re-export them).
 * - Tensors: raw_data or the typed fields, and external data (location/offset/length, relative
 *   to the model's folder, never outside it).
 * - Constant nodes become initializers; initializers are fed to every run (`constants`).
 * - Every unsupported op is listed at once, with node names.
 * - Tensor names are mapped to `node:port` keys; graph inputs become Placeholder nodes with the
 *   declared element type and shape (symbolic dimensions as -1), so feeds are checked.
 */
import fs from 'node:fs'
import path from 'node:path'
import type onnxProto from 'onnx-proto'
import {createRequire} from 'node:module'
import {AxqError} from '../../errors.js'
import {INPUT_LIMITS, readInputFile} from '../../inputFile.js'
import {DTYPE_BY_ONNX_ENUM, DTYPES, makeTensor, numElements, BYTES_PER_ELEMENT, type DType, type Tensor} from '../../core/tensor.js'
import type {AttrValue, GraphDef, NodeDef} from '../../graph/types.js'
import {getOp, ONNX_DOMAIN, MS_DOMAIN, TF_DOMAIN} from '../../runtime/opRegistry.js'
import {fuseQdq} from './qdqFusion.js'

let protos: typeof onnxProto | undefined

/** onnx-proto's generated code, loaded on first use (about 30 ms that GraphDef runs need not pay). */
function onnxProtos(): typeof onnxProto.onnx {
  protos ??= createRequire(import.meta.url)('onnx-proto') as typeof onnxProto
  return protos.onnx
}

export const MIN_OPSET = 13

/** An ONNX graph input or output: name, element type and shape (-1: symbolic or unknown). */
export interface OnnxValueInfo {
  name: string
  dtype: DType | undefined
  shape: number[] | undefined
}

export interface OnnxNodeInfo {
  /** The exec node's name (the ONNX node's name, or op_index when it has none). */
  name: string
  op: string
  domain: string
  /** ONNX tensor names. */
  inputs: string[]
  outputs: string[]
}

export interface OnnxModel {
  file: string
  opset: number
  producer: string
  /** metadata_props. */
  metadata: Record<string, string>
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  nodes: OnnxNodeInfo[]
  /** Initializers (and Constant nodes) by ONNX tensor name. */
  initializers: Map<string, Tensor>
  /** The outputs of Constant nodes (in `initializers` here; not initializers to onnxruntime). */
  constantNodeOutputs: Set<string>
  /** The lowered graph for the Session, its node domains and the tensor key of each name. */
  graph: GraphDef
  domains: Map<string, string>
  keyOf: Map<string, string>
  /** Feeds every run needs: the initializers under their Placeholder keys, and the absent input. */
  constants: Record<string, Tensor>
}

/** The exec node fed with ABSENT_INPUT stands for an optional input left empty (''). */
export const ABSENT_NODE = '__axq_absent_input'
export const ABSENT_INPUT: Tensor = Object.freeze({dtype: 'float32', shape: [0], data: new Float32Array(0)}) as Tensor

type Long = {toNumber(): number} | number
const num = (v: Long | undefined | null): number => (v === undefined || v === null ? 0 : typeof v === 'number' ? v : v.toNumber())

function domainName(domain: string | null | undefined): string {
  return !domain || domain === 'ai.onnx' ? ONNX_DOMAIN : domain
}

export interface OnnxReadOptions {
  /**
   * Fuse QuantizeLinear/DequantizeLinear around float ops into QOperator ops, as onnxruntime's
   * default optimisation level does (src/formats/onnx/qdqFusion.ts). Default true.
   */
  fuseQdq?: boolean
}

export function readOnnxModel(file: string, options: OnnxReadOptions = {}): OnnxModel {
  return decodeOnnxModel(readInputFile(file, {what: 'ONNX model', maxBytes: INPUT_LIMITS.graphBytes}), file, options)
}

export function decodeOnnxModel(bytes: Uint8Array, file: string, options: OnnxReadOptions = {}): OnnxModel {
  const onnx = onnxProtos()
  let model: onnxProto.onnx.ModelProto
  try {
    model = onnx.ModelProto.decode(bytes)
  } catch (error) {
    throw new AxqError(`${file}: not an ONNX model (${bytes.length} bytes; protobuf decoding failed: ${(error as Error).message})`, {subject: file})
  }
  const graph = model.graph
  if (!graph || num(model.irVersion) === 0 || (graph.node ?? []).length === 0) {
    throw new AxqError(`${file}: not an ONNX model (no ir_version or no graph nodes; truncated or another kind of file?)`, {subject: file})
  }
  const opsets = new Map<string, number>()
  for (const o of model.opsetImport ?? []) opsets.set(domainName(o.domain), num(o.version as Long))
  const opset = opsets.get(ONNX_DOMAIN) ?? 0
  if (opset < MIN_OPSET) {
    throw new AxqError(`${file}: opset ${opset} of the ONNX domain is too old; axq reads opset ${MIN_OPSET} and newer (re-export, e.g. torch.onnx.export(..., opset_version=17), or convert with onnx.version_converter)`, {subject: file})
  }
  const dir = path.dirname(path.resolve(file))
  const initializers = new Map<string, Tensor>()
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? '', onnxTensor(t, dir, file))

  // Nodes: names, Constant folding into initializers, unsupported ops (all at once).
  const nodes: OnnxNodeInfo[] = []
  const taken = new Set<string>()
  const unsupported: string[] = []
  const protoNodes = graph.node ?? []
  const constantNodeOutputs = new Set<string>()
  for (let i = 0; i < protoNodes.length; i++) {
    const n = protoNodes[i]
    const op = n.opType ?? ''
    const domain = domainName(n.domain)
    if (op === 'Constant' && domain === ONNX_DOMAIN) {
      initializers.set(n.output?.[0] ?? '', constantValue(n, dir, file))
      constantNodeOutputs.add(n.output?.[0] ?? '')
      continue
    }
    let name = n.name || `${op}_${i}`
    while (taken.has(name)) name = `${name}_`
    taken.add(name)
    if (!getOp(op, domain)) unsupported.push(`${name} (${domain === ONNX_DOMAIN ? '' : domain + '.'}${op})`)
    nodes.push({name, op, domain, inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])]})
  }
  if (unsupported.length > 0) {
    throw new AxqError(`${file}: ${unsupported.length} node(s) with ops axq does not support: ${unsupported.join(', ')}`, {subject: file})
  }

  // Lowering: tensor name → key.
  const keyOf = new Map<string, string>()
  const execNodes: NodeDef[] = []
  const domains = new Map<string, string>()
  const constants: Record<string, Tensor> = {}
  const placeholderName = (base: string): string => {
    let name = base
    while (taken.has(name)) name = `${name}_`
    taken.add(name)
    return name
  }
  const inputs: OnnxValueInfo[] = []
  for (const vi of graph.input ?? []) {
    const name = vi.name ?? ''
    if (initializers.has(name)) continue // an input with an initializer is a constant here
    const info = valueInfo(vi)
    inputs.push(info)
    const exec = placeholderName(name)
    const attr: Record<string, AttrValue> = {}
    if (info.dtype) attr.dtype = {type: DTYPES[info.dtype].tf}
    if (info.shape) attr.shape = {shape: {dim: info.shape.map((d) => ({size: d}))}}
    execNodes.push({name: exec, op: 'Placeholder', input: [], attr})
    domains.set(exec, TF_DOMAIN)
    keyOf.set(name, `${exec}:0`)
  }
  for (const [name, tensor] of initializers) {
    if (keyOf.has(name)) continue
    const exec = placeholderName(`${name}`)
    execNodes.push({name: exec, op: 'Placeholder', input: [], attr: {}})
    domains.set(exec, TF_DOMAIN)
    keyOf.set(name, `${exec}:0`)
    constants[`${exec}:0`] = tensor
  }
  taken.add(ABSENT_NODE)
  execNodes.push({name: ABSENT_NODE, op: 'Placeholder', input: [], attr: {}})
  domains.set(ABSENT_NODE, TF_DOMAIN)
  constants[`${ABSENT_NODE}:0`] = ABSENT_INPUT
  for (const n of nodes) n.outputs.forEach((out, port) => out && keyOf.set(out, `${n.name}:${port}`))
  const protoByName = new Map<string, (typeof protoNodes)[number]>()
  {
    let k = 0
    for (let i = 0; i < protoNodes.length; i++) {
      const p = protoNodes[i]
      if (p.opType === 'Constant' && domainName(p.domain) === ONNX_DOMAIN) continue
      protoByName.set(nodes[k++].name, p)
    }
  }
  for (const n of nodes) {
    const input = n.inputs.map((t) => {
      if (t === '') return `${ABSENT_NODE}:0`
      const key = keyOf.get(t)
      if (!key) throw new AxqError(`${file}: node '${n.name}' (${n.op}) reads '${t}', which no node, input or initializer produces`, {subject: n.name})
      return key
    })
    execNodes.push({name: n.name, op: n.op, input, attr: onnxAttributes(protoByName.get(n.name)!, n.name, file)})
    domains.set(n.name, n.domain)
  }
  const outputs = (graph.output ?? []).map(valueInfo)
  for (const o of outputs) {
    if (!keyOf.has(o.name)) throw new AxqError(`${file}: graph output '${o.name}' is produced by no node`, {subject: o.name})
  }
  let graphNodes = execNodes
  if (options.fuseQdq ?? true) {
    const outputKeys = new Map(outputs.map((o) => [o.name, keyOf.get(o.name) as string]))
    const g = {nodes: execNodes, domains, constants, outputKeys}
    if (fuseQdq(g, `${ABSENT_NODE}:0`) > 0) {
      graphNodes = g.nodes
      for (const [name, key] of outputKeys) keyOf.set(name, key)
    }
  }
  const metadata: Record<string, string> = {}
  for (const p of model.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? ''
  return {
    file,
    opset,
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
    metadata,
    inputs,
    outputs,
    nodes,
    initializers,
    constantNodeOutputs,
    graph: {node: graphNodes},
    domains,
    keyOf,
    constants,
  }
}

function valueInfo(vi: onnxProto.onnx.IValueInfoProto): OnnxValueInfo {
  const tt = vi.type?.tensorType
  const dtype = tt?.elemType ? DTYPE_BY_ONNX_ENUM[tt.elemType] : undefined
  const shape = tt?.shape ? (tt.shape.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue as Long) > 0 ? num(d.dimValue as Long) : -1)) : undefined
  return {name: vi.name ?? '', dtype, shape}
}

function constantValue(n: onnxProto.onnx.INodeProto, dir: string, file: string): Tensor {
  const where = `node '${n.name || n.output?.[0]}' (Constant)`
  for (const a of n.attribute ?? []) {
    switch (a.name) {
      case 'value':
        if (a.t) return onnxTensor(a.t, dir, file, where)
        break
      case 'value_float':
        return makeTensor('float32', [], Float32Array.of(a.f ?? 0))
      case 'value_floats':
        return makeTensor('float32', [(a.floats ?? []).length], Float32Array.from(a.floats ?? []))
      case 'value_int':
        return makeTensor('int64', [], BigInt64Array.of(BigInt(num(a.i as Long))))
      case 'value_ints':
        return makeTensor('int64', [(a.ints ?? []).length], BigInt64Array.from((a.ints ?? []).map((v) => BigInt(num(v as Long)))))
    }
  }
  throw new AxqError(`${file}: ${where}: no value attribute axq can read (value, value_float(s), value_int(s))`, {subject: file})
}

/** ONNX attributes as AttrValues: int → i, float → f, string → s, ints → list.i, floats → list.f, strings → list.s. */
function onnxAttributes(n: onnxProto.onnx.INodeProto, name: string, file: string): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {}
  const T = onnxProtos().AttributeProto.AttributeType
  for (const a of n.attribute ?? []) {
    const key = a.name ?? ''
    switch (a.type) {
      case T.INT:
        out[key] = {i: num(a.i as Long)}
        break
      case T.FLOAT:
        out[key] = {f: a.f ?? 0}
        break
      case T.STRING:
        out[key] = {s: a.s ?? new Uint8Array(0)}
        break
      case T.INTS:
        out[key] = {list: {i: (a.ints ?? []).map((v) => num(v as Long))}}
        break
      case T.FLOATS:
        out[key] = {list: {f: [...(a.floats ?? [])]}}
        break
      case T.STRINGS:
        out[key] = {list: {s: [...(a.strings ?? [])]}}
        break
      default:
        throw new AxqError(`${file}: node '${name}' (${n.opType}): attribute '${key}' has a type axq does not read (${a.type})`, {subject: name})
    }
  }
  return out
}

const MAX_EXTERNAL_BYTES = 2 ** 31 - 1

/** A TensorProto as a Tensor: raw_data, typed fields or external data. */
export function onnxTensor(t: onnxProto.onnx.ITensorProto, dir: string, file: string, where = `initializer '${t.name}'`): Tensor {
  const dtype = DTYPE_BY_ONNX_ENUM[t.dataType ?? 0]
  if (!dtype || dtype === 'string') throw new AxqError(`${file}: ${where}: data type ${t.dataType} is not supported`, {subject: file})
  const shape = (t.dims ?? []).map((d) => num(d as Long))
  const size = numElements(shape)
  if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 31) throw new AxqError(`${file}: ${where}: shape [${shape.join(',')}] is not a valid tensor shape`, {subject: file})
  const bytesPer = BYTES_PER_ELEMENT[dtype]
  let raw: Uint8Array | undefined
  if (t.dataLocation === onnxProtos().TensorProto.DataLocation.EXTERNAL) {
    const info: Record<string, string> = {}
    for (const e of t.externalData ?? []) info[e.key ?? ''] = e.value ?? ''
    const location = info.location
    if (!location) throw new AxqError(`${file}: ${where}: external data without a location`, {subject: file})
    const target = path.resolve(dir, location)
    if (path.relative(dir, target).startsWith('..') || path.isAbsolute(location)) {
      throw new AxqError(`${file}: ${where}: external data '${location}' lies outside the model's folder`, {subject: file})
    }
    const offset = Number(info.offset ?? 0)
    const length = info.length !== undefined ? Number(info.length) : size * bytesPer
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || length > MAX_EXTERNAL_BYTES) {
      throw new AxqError(`${file}: ${where}: bad external data offset/length (${info.offset}, ${info.length})`, {subject: file})
    }
    let fd: number
    try {
      fd = fs.openSync(target, 'r')
    } catch {
      throw new AxqError(`${file}: ${where}: external data file '${location}' is missing (looked in ${dir})`, {subject: file})
    }
    try {
      raw = new Uint8Array(length)
      const got = fs.readSync(fd, raw, 0, length, offset)
      if (got !== length) throw new AxqError(`${file}: ${where}: external data file '${location}' is too short (${got} of ${length} bytes at offset ${offset})`, {subject: file})
    } finally {
      fs.closeSync(fd)
    }
  } else if (t.rawData && t.rawData.length > 0) {
    raw = t.rawData
  }
  if (raw) {
    if (raw.length !== size * bytesPer) throw new AxqError(`${file}: ${where}: ${raw.length} bytes of data for shape [${shape.join(',')}] of ${dtype} (${size * bytesPer} expected)`, {subject: file})
    const copy = new Uint8Array(raw) // aligned copy
    const Array_ = DTYPES[dtype].array!
    return makeTensor(dtype, shape, new Array_(copy.buffer, 0, size))
  }
  const values: ArrayLike<number | Long> =
    dtype === 'float32' ? t.floatData ?? [] : dtype === 'float64' ? t.doubleData ?? [] : dtype === 'int64' ? t.int64Data ?? [] : t.int32Data ?? []
  if (values.length !== size) throw new AxqError(`${file}: ${where}: ${values.length} values for shape [${shape.join(',')}]`, {subject: file})
  const out = makeTensor(dtype, shape)
  const data = out.data as unknown as (number | bigint)[]
  for (let i = 0; i < size; i++) data[i] = dtype === 'int64' ? BigInt(num(values[i] as Long)) : num(values[i] as Long)
  return out
}

/** True when the bytes start like an ONNX model rather than a GraphDef (by file name first). */
export function isOnnxFile(file: string): boolean {
  return /\.onnx$/i.test(file)
}

export {MS_DOMAIN}
