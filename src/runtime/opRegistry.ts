/**
 * Ops are registered by (domain, op name), as onnxruntime keys its kernels: the domain 'tf' holds
 * TensorFlow's ops (src/runtime/ops/*.ts), 'ai.onnx' and 'com.microsoft' ONNX's
 * (src/runtime/ops/onnx/*.ts). Each op module calls `registerOp`; the Session looks ops up here
 * and knows nothing about any single op or format.
 */
import type {AttrValue, NodeDef} from '../graph/types.js'
import {allocate, type DType, type Tensor, type TensorData} from '../core/tensor.js'
import {AxqError} from '../errors.js'
import {bufferRewritten} from './codeForms.js'
import type {RsqrtMode} from './eigenRsqrt.js'

/** Settings that hold for a whole run (a Session) and reach every op. */
export interface RunOptions {
  /** Worker threads for native kernels (default: all cores). Results never depend on it. */
  threads?: number
  /**
   * Resolves a multiplier name (an AxConv2D node's AxMult attr) to its 65536-entry table: a
   * Uint16Array for unsigned operands, an Int16Array for signed ones (each layer checks that the
   * kind fits its operand type).
   */
  resolveMultiplier?: (name: string) => Uint16Array | Int16Array
  /** Collect time per op type. */
  profile?: boolean
  /**
   * float32 rsqrt in FusedBatchNorm and Rsqrt (src/runtime/eigenRsqrt.ts): 'eigen-fast-math'
   * (default: TF 1.x's AVX Eigen, RSQRTPS + one Newton step) or 'correctly-rounded'.
   */
  rsqrt?: RsqrtMode
}

export interface OpContext {
  node: NodeDef
  inputs: Tensor[]
  options: RunOptions
  /** State an op keeps for this node across runs of the same Session (e.g. prepared tables). */
  cache: Map<string, unknown>
  /**
   * State shared by all nodes during one Session.run() call and dropped after it (e.g. a value
   * computed from a tensor for several nodes). Absent outside a Session.
   */
  runCache?: Map<unknown, unknown>
  /**
   * A buffer for an output of this node, possibly recycled from a tensor that
   * nothing references any more (Session keeps large buffers across runs). Its contents are
   * arbitrary: the op must write every element and hand it on only as one of its outputs.
   * Absent outside a Session. Ops call outputArray(ctx, dtype, size), never this directly:
   * outputArray also drops the code forms (codeForms.ts) that still describe the old contents.
   */
  recycle?(dtype: DType, size: number): TensorData
  /**
   * Float outputs with a code form may be left unwritten (codeForms.ts, pending): the Session
   * writes them before any reader that needs the values. Absent outside a Session.
   */
  deferFloats?: boolean
  /**
   * The node that alone reads output `port` of this node in the current run (through one input
   * slot; the output is not fetched), or undefined. Absent outside a Session.
   */
  soleReader?(port: number): NodeDef | undefined
  /** Attr of the node, or the op's registered default, or an error naming the node. */
  attr(name: string): AttrValue
  /** True when the node has the attr or the op has a default for it. */
  hasAttr(name: string): boolean
}

export interface OpDefinition {
  /** Op name within its domain, e.g. 'QuantizedConv2D' or 'QLinearConv'. */
  name: string
  /** The op set it belongs to: TF_DOMAIN (the default), ONNX_DOMAIN or MS_DOMAIN. */
  domain?: string
  /** Defaults of the op's attrs (TensorFlow's REGISTER_OP), applied when a node lacks them. */
  defaults?: Record<string, AttrValue>
  /**
   * The op accepts float inputs whose values are still pending (codeForms.ts): it reads their
   * code form, passes them through, or calls materialize itself before reading values.
   */
  readsCodeForms?: boolean
  /** Compute the outputs. May be async (native kernels run off the event loop). */
  compute(ctx: OpContext): Tensor[] | Promise<Tensor[]>
}

/** TensorFlow's ops. */
export const TF_DOMAIN = 'tf'
/** ONNX's standard op set (the empty domain string in a model means this one). */
export const ONNX_DOMAIN = 'ai.onnx'
/** onnxruntime's contrib ops (QLinearAdd, QLinearGlobalAveragePool, …). */
export const MS_DOMAIN = 'com.microsoft'

/** domain → op name → definition. */
const registry = new Map<string, Map<string, OpDefinition>>()

export function registerOp(def: OpDefinition): void {
  const domain = def.domain ?? TF_DOMAIN
  let ops = registry.get(domain)
  if (!ops) registry.set(domain, (ops = new Map()))
  if (ops.has(def.name)) throw new Error(`op ${domain}:${def.name} registered twice`)
  ops.set(def.name, def)
}

export function getOp(name: string, domain = TF_DOMAIN): OpDefinition | undefined {
  return registry.get(domain)?.get(name)
}

export function requireOp(node: NodeDef, domain = TF_DOMAIN): OpDefinition {
  const def = getOp(node.op, domain)
  if (!def) {
    const where = domain === TF_DOMAIN ? '' : ` in domain ${domain}`
    throw new AxqError(`node '${node.name}': unknown op '${node.op}'${where} (axq supports: ${registeredOps(domain).join(', ')})`, {subject: node.name})
  }
  return def
}

export function registeredOps(domain = TF_DOMAIN): string[] {
  return [...(registry.get(domain)?.keys() ?? [])].sort()
}

/** An output buffer of `size` elements (whose old code forms are dropped): recycled by the Session when it can, else new (zeroed). */
export function outputArray(ctx: OpContext, dtype: DType, size: number): TensorData {
  if (!ctx.recycle) return allocate(dtype, size)
  const data = ctx.recycle(dtype, size)
  bufferRewritten(data)
  return data
}
