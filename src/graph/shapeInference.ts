/**
 * Static shape inference over a GraphDef, for `axq inspect`: every tensor's shape from the
 * placeholders' shapes (or given input shapes), Const values and each op's shape rule (NHWC
 * convolutions and pools with SAME/VALID padding, broadcasting, reductions, reshapes, the
 * quantized ops' extra scalar min/max outputs, ...). Unknown dims are -1; an op without a rule
 * yields unknown shapes (undefined) rather than an error, so inspection never fails on exotic
 * graphs.
 */
import type {GraphDef, NodeDef} from './types.js'
import {int64ToNumber, shapeFromProto} from './attrs.js'
import {parseInput} from './names.js'
import {tensorFromProto} from './tensorProto.js'
import {AxqError} from '../errors.js'
import type {Tensor} from '../core/tensor.js'

export type Shape = number[] | undefined

export interface ShapeInference {
  /** Shape of `node:port`, undefined when unknown. */
  shape(tensor: string): Shape
  /** Constant integer values of `node:port` when statically known (Const, Shape of known). */
  value(tensor: string): number[] | undefined
}

type Rule = (node: NodeDef, inputs: Shape[], values: (number[] | undefined)[]) => Shape[]

function ints(node: NodeDef, name: string): number[] | undefined {
  return node.attr?.[name]?.list?.i?.map(int64ToNumber)
}

function str(node: NodeDef, name: string): string | undefined {
  const s = node.attr?.[name]?.s
  return s ? new TextDecoder().decode(s) : undefined
}

/** Windowed output size; -1 (unknown) for an unknown input or a geometry TF rejects (stride 0, a window larger than a VALID input). */
function windowed(size: number, k: number, stride: number, dilation: number, padding: string | undefined): number {
  if (size < 0) return -1
  if (![k, stride, dilation].every((v) => Number.isSafeInteger(v) && v >= 1)) return -1
  const effective = (k - 1) * dilation + 1
  const out = padding === 'VALID' ? Math.floor((size - effective + stride) / stride) : Math.floor((size + stride - 1) / stride)
  return out >= 0 ? out : -1
}

function nchw(node: NodeDef): boolean {
  return (str(node, 'data_format') ?? 'NHWC').startsWith('NC')
}

function convShape(node: NodeDef, input: Shape, filter: Shape, depthwise = false): Shape {
  if (!input || !filter || input.length !== 4 || filter.length !== 4) return undefined
  const strides = ints(node, 'strides') ?? [1, 1, 1, 1]
  const dil = ints(node, 'dilations') ?? [1, 1, 1, 1]
  const pad = str(node, 'padding')
  const [hI, wI] = nchw(node) ? [2, 3] : [1, 2]
  const h = windowed(input[hI], filter[0], strides[hI], dil[hI] ?? 1, pad)
  const w = windowed(input[wI], filter[1], strides[wI], dil[wI] ?? 1, pad)
  const c = depthwise ? filter[2] * filter[3] : filter[3]
  return nchw(node) ? [input[0], c, h, w] : [input[0], h, w, c]
}

function poolShape(node: NodeDef, input: Shape): Shape {
  if (!input || input.length !== 4) return undefined
  const k = ints(node, 'ksize') ?? [1, 1, 1, 1]
  const s = ints(node, 'strides') ?? [1, 1, 1, 1]
  const pad = str(node, 'padding')
  const [hI, wI] = nchw(node) ? [2, 3] : [1, 2]
  const out = [...input]
  out[hI] = windowed(input[hI], k[hI], s[hI], 1, pad)
  out[wI] = windowed(input[wI], k[wI], s[wI], 1, pad)
  return out
}

function broadcast(a: Shape, b: Shape): Shape {
  if (!a || !b) return undefined
  const n = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1
    const y = b[b.length - n + i] ?? 1
    out.push(x === 1 ? y : y === 1 ? x : x === -1 ? y : x)
  }
  return out
}

function reduce(node: NodeDef, input: Shape, axes: number[] | undefined, keepAttr = 'keep_dims'): Shape {
  if (!input || !axes) return undefined
  const keep = Boolean(node.attr?.[keepAttr]?.b)
  const norm = new Set(axes.map((a) => (a < 0 ? a + input.length : a)))
  return keep ? input.map((d, i) => (norm.has(i) ? 1 : d)) : input.filter((_, i) => !norm.has(i))
}

function reshape(input: Shape, target: number[] | undefined): Shape {
  if (!target) return undefined
  const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1)
  const total = input && input.every((d) => d >= 0) ? input.reduce((p, d) => p * d, 1) : -1
  return target.map((d) => (d === -1 ? (total >= 0 && known > 0 ? total / known : -1) : d))
}

const SCALAR: number[] = []
const same: Rule = (_n, i) => [i[0]]
const withRange: Rule = (_n, i) => [i[0], SCALAR, SCALAR]

const RULES: Record<string, Rule> = {
  Identity: same, Relu: same, Relu6: same, Elu: same, Selu: same, Softmax: same, LogSoftmax: same, Sigmoid: same, Tanh: same,
  Neg: same, Abs: same, Sqrt: same, Rsqrt: same, Square: same, Exp: same, Log: same, Floor: same, Cast: same, CheckNumerics: same,
  StopGradient: same, LeakyRelu: same, Snapshot: same, Dequantize: same, BiasAdd: same, LRN: same,
  Add: (_n, i) => [broadcast(i[0], i[1])], AddV2: (_n, i) => [broadcast(i[0], i[1])], Sub: (_n, i) => [broadcast(i[0], i[1])],
  Mul: (_n, i) => [broadcast(i[0], i[1])], RealDiv: (_n, i) => [broadcast(i[0], i[1])], Maximum: (_n, i) => [broadcast(i[0], i[1])],
  Minimum: (_n, i) => [broadcast(i[0], i[1])], SquaredDifference: (_n, i) => [broadcast(i[0], i[1])],
  QuantizeV2: withRange, Requantize: withRange, QuantizedRelu: withRange, QuantizedRelu6: withRange, QuantizedReluX: withRange,
  QuantizedBiasAdd: withRange,
  QuantizedAdd: (_n, i) => [broadcast(i[0], i[1]), SCALAR, SCALAR], QuantizedMul: (_n, i) => [broadcast(i[0], i[1]), SCALAR, SCALAR],
  RequantizationRange: () => [SCALAR, SCALAR],
  Conv2D: (n, i) => [convShape(n, i[0], i[1])],
  DepthwiseConv2dNative: (n, i) => [convShape(n, i[0], i[1], true)],
  QuantizedConv2D: (n, i) => [convShape(n, i[0], i[1]), SCALAR, SCALAR],
  AxConv2D: (n, i) => [convShape(n, i[0], i[1]), SCALAR, SCALAR],
  AvgPool: (n, i) => [poolShape(n, i[0])], MaxPool: (n, i) => [poolShape(n, i[0])],
  QuantizedAvgPool: (n, i) => [poolShape(n, i[0]), SCALAR, SCALAR], QuantizedMaxPool: (n, i) => [poolShape(n, i[0]), SCALAR, SCALAR],
  FusedBatchNorm: (_n, i) => [i[0], i[1], i[1], i[1], i[1]], FusedBatchNormV2: (_n, i) => [i[0], i[1], i[1], i[1], i[1]],
  FusedBatchNormV3: (_n, i) => [i[0], i[1], i[1], i[1], i[1], undefined],
  MatMul: (n, i) => [matmul(n, i[0], i[1])],
  QuantizedMatMul: (n, i) => [matmul(n, i[0], i[1]), SCALAR, SCALAR],
  Mean: (n, i, v) => [reduce(n, i[0], v[1])], Sum: (n, i, v) => [reduce(n, i[0], v[1])], Max: (n, i, v) => [reduce(n, i[0], v[1])],
  Min: (n, i, v) => [reduce(n, i[0], v[1])], Prod: (n, i, v) => [reduce(n, i[0], v[1])],
  ArgMax: (n, i, v) => [reduce({...n, attr: {}}, i[0], v[1])],
  Reshape: (_n, i, v) => [reshape(i[0], v[1])],
  QuantizedReshape: (_n, i, v) => [reshape(i[0], v[1]), SCALAR, SCALAR],
  Squeeze: (n, i) => {
    const s = i[0]
    if (!s) return [undefined]
    const dims = ints(n, 'squeeze_dims') ?? []
    const set = new Set(dims.map((d) => (d < 0 ? d + s.length : d)))
    return [s.filter((d, k) => (set.size > 0 ? !set.has(k) : d !== 1))]
  },
  Pad: (_n, i, v) => {
    const s = i[0]
    const p = v[1]
    if (!s || !p) return [undefined]
    return [s.map((d, k) => (d < 0 ? -1 : d + p[2 * k] + p[2 * k + 1]))]
  },
  Shape: (_n, i) => [i[0] ? [i[0].length] : undefined],
  ConcatV2: (_n, i, v) => {
    const count = i.length - 1
    const axisV = v[count]
    const parts = i.slice(0, count)
    if (!axisV || parts.some((p) => !p)) return [undefined]
    const first = parts[0]!
    const axis = axisV[0] < 0 ? axisV[0] + first.length : axisV[0]
    const out = [...first]
    out[axis] = parts.reduce((sum, p) => (sum < 0 || p![axis] < 0 ? -1 : sum + p![axis]), 0)
    return [out]
  },
}

function matmul(node: NodeDef, a: Shape, b: Shape): Shape {
  if (!a || !b || a.length !== 2 || b.length !== 2) return undefined
  const ta = Boolean(node.attr?.transpose_a?.b)
  const tb = Boolean(node.attr?.transpose_b?.b)
  return [ta ? a[1] : a[0], tb ? b[0] : b[1]]
}

/**
 * A Const node's value, or undefined when it has none (no `value` attr, an empty TensorProto) or
 * one that does not decode: its shape is then unknown, and inspection goes on.
 */
function constTensor(node: NodeDef): Tensor | undefined {
  const proto = node.attr?.value?.tensor
  if (!proto || !proto.dtype) return undefined
  try {
    return tensorFromProto(proto, `node '${node.name}'`)
  } catch (error) {
    if (error instanceof AxqError) return undefined
    throw error
  }
}

function constValue(t: Tensor): number[] | undefined {
  if (t.dtype !== 'int32' && t.dtype !== 'int64') return undefined
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x))
}

/**
 * Infer shapes over the graph. `inputShapes` overrides Placeholder shapes by node name; a
 * Placeholder's unknown batch dim stays -1 unless overridden.
 */
export function inferShapes(graph: GraphDef, inputShapes: Record<string, number[]> = {}): ShapeInference {
  const byName = new Map(graph.node.map((n) => [n.name, n]))
  const shapes = new Map<string, Shape[]>()
  const values = new Map<string, (number[] | undefined)[]>()
  const visiting = new Set<string>()

  const visit = (name: string): void => {
    if (shapes.has(name)) return
    const root = byName.get(name)
    if (!root) return
    // Iterative post-order to survive deep graphs.
    const stack: {node: NodeDef; next: number}[] = [{node: root, next: 0}]
    visiting.add(name)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      const inputs = top.node.input ?? []
      if (top.next < inputs.length) {
        const ref = parseInput(inputs[top.next++])
        if (ref.control || shapes.has(ref.node) || visiting.has(ref.node)) continue
        const child = byName.get(ref.node)
        if (!child) continue
        visiting.add(ref.node)
        stack.push({node: child, next: 0})
        continue
      }
      stack.pop()
      visiting.delete(top.node.name)
      compute(top.node)
    }
  }

  const compute = (node: NodeDef): void => {
    const dataInputs = (node.input ?? []).map(parseInput).filter((r) => !r.control)
    const inShapes = dataInputs.map((r) => shapes.get(r.node)?.[r.port])
    const inValues = dataInputs.map((r) => values.get(r.node)?.[r.port])
    let out: Shape[] = []
    let vals: (number[] | undefined)[] = []
    if (node.op === 'Const') {
      const t = constTensor(node)
      out = [t?.shape]
      vals = [t ? constValue(t) : undefined]
    } else if (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault' || node.op === 'PlaceholderV2') {
      const given = inputShapes[node.name]
      out = [given ?? (node.attr?.shape ? shapeFromProto(node.attr.shape.shape) : inShapes[0])]
    } else {
      const rule = RULES[node.op]
      if (rule) {
        try {
          out = rule(node, inShapes, inValues)
        } catch {
          out = []
        }
      }
      if (node.op === 'Shape' && inShapes[0] && inShapes[0].every((d) => d >= 0)) vals = [inShapes[0]]
    }
    shapes.set(node.name, out)
    values.set(node.name, vals)
  }

  const split = (tensor: string): {node: string; port: number} => {
    const r = parseInput(tensor)
    return {node: r.node, port: r.port < 0 ? 0 : r.port}
  }
  return {
    shape(tensor: string): Shape {
      const {node, port} = split(tensor)
      visit(node)
      return shapes.get(node)?.[port]
    },
    value(tensor: string): number[] | undefined {
      const {node, port} = split(tensor)
      visit(node)
      return values.get(node)?.[port]
    },
  }
}
