/**
 * The float32 ops of a CNN exported from PyTorch (ai.onnx), plus the shape plumbing export
 * creates (Shape/Gather/Unsqueeze/Concat → Reshape). Conv, Gemm, MatMul, AveragePool and
 * GlobalAveragePool sum in onnxruntime's (MLAS's) order — the native kernels of src/native/onnxFloatKernels.ts,
 * planned in cpp/onnx_float_plan.h —, so their results are onnxruntime's bit for bit with graph
 * optimisations disabled (its default level swaps in NCHWc convolutions, another order). Add,
 * Sub, Mul, Div, Relu, Clip, HardSigmoid, HardSwish (x · HardSigmoid(x) with alpha = float(1/6)),
 * BatchNormalization (per-channel scale and shift first) and MaxPool round as onnxruntime does;
 * Sigmoid is MLAS's logistic kernel (native). Softmax uses a plain order and libm's exp: within a
 * few ulps of onnxruntime's. MaxPool also runs on uint8/int8 codes (QOperator models use it).
 */
import {registerOp, ONNX_DOMAIN, outputArray, type OpContext, type OpDefinition} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {allocate, elementAsNumber, makeTensor, numElements, shapeString, type Tensor} from '../../../core/tensor.js'
import {convGeometry, type ConvGeometry} from './convGeometry.js'
import {floatAttr, intAttr, intsAttr, normalizeAxis, optionalInput, requiredInput} from './onnxArgs.js'
import {broadcastIndex, broadcastShape} from './broadcast.js'
import {onnxConvFloat, onnxGemmFloat, onnxLogisticFloat} from '../../../native/onnxFloatKernels.js'

const f = Math.fround

function floatData(ctx: OpContext, t: Tensor, name: string): Float32Array {
  if (t.dtype !== 'float32') throw opError(ctx, `${name} must be float32, got ${t.dtype}`)
  return t.data as Float32Array
}

function op(name: string, compute: OpDefinition['compute']): void {
  registerOp({name, domain: ONNX_DOMAIN, compute})
}

function unary(name: string, fn: (v: number, ctx: OpContext) => number): void {
  op(name, (ctx) => {
    const x = requiredInput(ctx, 0, 'X')
    const src = floatData(ctx, x, 'X')
    const out = outputArray(ctx, 'float32', src.length) as Float32Array
    for (let i = 0; i < src.length; i++) out[i] = fn(src[i], ctx)
    return [makeTensor('float32', x.shape, out)]
  })
}

unary('Relu', (v) => (v > 0 ? v : 0))
op('Sigmoid', async (ctx) => {
  const x = requiredInput(ctx, 0, 'X')
  return [makeTensor('float32', x.shape, await onnxLogisticFloat(floatData(ctx, x, 'X'), {threads: ctx.options.threads}))]
})
op('HardSigmoid', (ctx) => {
  const alpha = f(floatAttr(ctx, 'alpha', 0.2))
  const beta = f(floatAttr(ctx, 'beta', 0.5))
  const x = requiredInput(ctx, 0, 'X')
  const src = floatData(ctx, x, 'X')
  const out = outputArray(ctx, 'float32', src.length) as Float32Array
  for (let i = 0; i < src.length; i++) out[i] = Math.max(0, Math.min(1, f(f(alpha * src[i]) + beta)))
  return [makeTensor('float32', x.shape, out)]
})
const SIXTH = f(1 / 6)
unary('HardSwish', (v) => f(v * Math.max(0, Math.min(1, f(f(SIXTH * v) + 0.5)))))

op('Clip', (ctx) => {
  const x = requiredInput(ctx, 0, 'input')
  const min = optionalInput(ctx, 1)
  const max = optionalInput(ctx, 2)
  const lo = min ? elementAsNumber(min, 0) : -Infinity
  const hi = max ? elementAsNumber(max, 0) : Infinity
  const src = x.data as ArrayLike<number>
  const out = outputArray(ctx, x.dtype, src.length) as Float32Array
  for (let i = 0; i < src.length; i++) out[i] = Math.min(hi, Math.max(lo, src[i]))
  return [makeTensor(x.dtype, x.shape, out)]
})

function binary(name: string, fn: (a: number, b: number) => number): void {
  op(name, (ctx) => {
    const a = requiredInput(ctx, 0, 'A')
    const b = requiredInput(ctx, 1, 'B')
    if (a.dtype !== b.dtype) throw opError(ctx, `A and B must have one type, got ${a.dtype} and ${b.dtype}`)
    const shape = broadcastShape(ctx, a.shape, b.shape)
    const ia = broadcastIndex(a.shape, shape)
    const ib = broadcastIndex(b.shape, shape)
    const A = a.data as ArrayLike<number | bigint>
    const B = b.data as ArrayLike<number | bigint>
    if (a.dtype === 'int64') {
      const out = new BigInt64Array(ia.length)
      for (let i = 0; i < ia.length; i++) out[i] = BigInt(fn(Number(A[ia[i]]), Number(B[ib[i]])))
      return [makeTensor('int64', shape, out)]
    }
    const out = outputArray(ctx, a.dtype, ia.length) as Float32Array
    for (let i = 0; i < ia.length; i++) out[i] = fn(A[ia[i]] as number, B[ib[i]] as number)
    return [makeTensor(a.dtype, shape, out)]
  })
}
binary('Add', (a, b) => f(a + b))
binary('Sub', (a, b) => f(a - b))
binary('Mul', (a, b) => f(a * b))
binary('Div', (a, b) => f(a / b))

op('Identity', (ctx) => [requiredInput(ctx, 0, 'input')])
op('Dropout', (ctx) => [requiredInput(ctx, 0, 'data')])

op('Conv', async (ctx) => {
  const x = requiredInput(ctx, 0, 'X')
  const w = requiredInput(ctx, 1, 'W')
  const bias = optionalInput(ctx, 2)
  const X = floatData(ctx, x, 'X')
  const Wd = floatData(ctx, w, 'W')
  if (w.shape.length !== 4) throw opError(ctx, `W must be 4-D, got ${shapeString(w.shape)}`)
  const [M, cg, KH, KW] = w.shape
  const group = intAttr(ctx, 'group', 1)
  const g = convGeometry(ctx, x.shape, [KH, KW])
  if (g.C !== cg * group || M % group !== 0) throw opError(ctx, `shapes do not match: X ${shapeString(x.shape)}, W ${shapeString(w.shape)}, group ${group}`)
  const B = bias ? floatData(ctx, bias, 'B') : undefined
  if (B && B.length !== M) throw opError(ctx, `B must have ${M} values, got ${B.length}`)
  if (g.N === 0) return [makeTensor('float32', [0, M, g.Ho, g.Wo], new Float32Array(0))]
  const out = await onnxConvFloat(X, Wd, B, {...g, M, group, padBottom: g.padBottom ?? 0, padRight: g.padRight ?? 0}, {threads: ctx.options.threads})
  return [makeTensor('float32', [g.N, M, g.Ho, g.Wo], out)]
})

/** A [M, K] · B in onnxruntime's order (see cpp/onnx_float_plan.h), plus `init` [M, N] when given. */
function matmul(ctx: OpContext, A: Float32Array, B: Float32Array, M: number, K: number, N: number, transB: boolean, init?: Float32Array): Promise<Float32Array> {
  if (M === 0) return Promise.resolve(new Float32Array(0))
  return onnxGemmFloat(A, B, M, N, K, transB, init, {threads: ctx.options.threads})
}

op('Gemm', async (ctx) => {
  const a = requiredInput(ctx, 0, 'A')
  const b = requiredInput(ctx, 1, 'B')
  const c = optionalInput(ctx, 2)
  if (intAttr(ctx, 'transA', 0) !== 0) throw opError(ctx, 'transA=1 is not supported')
  const transB = intAttr(ctx, 'transB', 0) !== 0
  const alpha = f(floatAttr(ctx, 'alpha', 1))
  const beta = f(floatAttr(ctx, 'beta', 1))
  if (alpha !== 1) throw opError(ctx, `alpha=${alpha} is not supported (only 1)`)
  if (a.shape.length !== 2 || b.shape.length !== 2) throw opError(ctx, `A and B must be 2-D, got ${shapeString(a.shape)} and ${shapeString(b.shape)}`)
  const [M, K] = a.shape
  const N = transB ? b.shape[0] : b.shape[1]
  if ((transB ? b.shape[1] : b.shape[0]) !== K) throw opError(ctx, `A ${shapeString(a.shape)} and B ${shapeString(b.shape)} do not multiply`)
  // onnxruntime copies the broadcast C into Y, scales it by beta (unless 0 or 1) and accumulates.
  let init: Float32Array | undefined
  if (c && beta !== 0) {
    const ic = broadcastIndex(c.shape, [M, N])
    const C = floatData(ctx, c, 'C')
    init = new Float32Array(M * N)
    for (let i = 0; i < M * N; i++) init[i] = beta === 1 ? C[ic[i]] : f(beta * C[ic[i]])
  }
  const out = await matmul(ctx, floatData(ctx, a, 'A'), floatData(ctx, b, 'B'), M, K, N, transB, init)
  return [makeTensor('float32', [M, N], out)]
})

op('MatMul', async (ctx) => {
  const a = requiredInput(ctx, 0, 'A')
  const b = requiredInput(ctx, 1, 'B')
  if (b.shape.length !== 2 || a.shape.length < 2) throw opError(ctx, `axq's MatMul takes A [..., M, K] and B [K, N], got ${shapeString(a.shape)} and ${shapeString(b.shape)}`)
  const K = a.shape[a.shape.length - 1]
  const [K2, N] = b.shape
  if (K !== K2) throw opError(ctx, `A ${shapeString(a.shape)} and B ${shapeString(b.shape)} do not multiply`)
  const M = numElements(a.shape) / K
  const out = await matmul(ctx, floatData(ctx, a, 'A'), floatData(ctx, b, 'B'), M, K, N, false)
  return [makeTensor('float32', [...a.shape.slice(0, -1), N], out)]
})

op('BatchNormalization', (ctx) => {
  const x = requiredInput(ctx, 0, 'X')
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => floatData(ctx, requiredInput(ctx, i, 'param'), 'param'))
  const eps = f(floatAttr(ctx, 'epsilon', 1e-5))
  const X = floatData(ctx, x, 'X')
  const C = x.shape[1]
  const inner = numElements(x.shape.slice(2))
  const out = outputArray(ctx, 'float32', X.length) as Float32Array
  // As onnxruntime: per channel k = scale · (1 / sqrt(var + eps)) and b = bias − mean · k, then x · k + b.
  const k = Float32Array.from({length: C}, (_, c) => f(scale[c] * f(1 / f(Math.sqrt(f(variance[c] + eps))))))
  const b = Float32Array.from({length: C}, (_, c) => f(bias[c] - f(mean[c] * k[c])))
  for (let i = 0; i < X.length; i++) {
    const c = Math.floor(i / inner) % C
    out[i] = f(f(X[i] * k[c]) + b[c])
  }
  return [makeTensor('float32', x.shape, out)]
})

function pool(kind: 'max' | 'avg'): OpDefinition['compute'] {
  return (ctx) => {
    const x = requiredInput(ctx, 0, 'X')
    const kernel = intsAttr(ctx, 'kernel_shape')
    if (!kernel || kernel.length !== 2) throw opError(ctx, 'kernel_shape must have 2 values (2-D)')
    if (kind === 'max' && x.dtype !== 'float32' && x.dtype !== 'uint8' && x.dtype !== 'int8') throw opError(ctx, `X must be float32, uint8 or int8, got ${x.dtype}`)
    if (kind === 'avg') floatData(ctx, x, 'X')
    const g = convGeometry(ctx, x.shape, kernel, intAttr(ctx, 'ceil_mode', 0) !== 0)
    const countPad = intAttr(ctx, 'count_include_pad', 0) !== 0
    const {N, C, H, W, Ho, Wo, KH, KW} = g
    const X = x.data as ArrayLike<number>
    const out = outputArray(ctx, x.dtype, N * C * Ho * Wo) as Float32Array
    if (kind === 'avg' && g.dilationH === 1 && g.dilationW === 1) {
      mlasAveragePool(X as Float32Array, g, countPad, out)
      return [makeTensor(x.dtype, [N, C, Ho, Wo], out)]
    }
    for (let nc = 0; nc < N * C; nc++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          let acc = kind === 'max' ? -Infinity : 0
          let count = 0
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * g.strideH - g.padTop + kh * g.dilationH
            for (let kw = 0; kw < KW; kw++) {
              const iw = ow * g.strideW - g.padLeft + kw * g.dilationW
              const inside = ih >= 0 && ih < H && iw >= 0 && iw < W
              if (inside) {
                const v = X[(nc * H + ih) * W + iw]
                acc = kind === 'max' ? (v > acc ? v : acc) : f(acc + v)
                count++
              } else if (countPad && ih < H + g.padTop && iw < W + g.padLeft) count++
            }
          }
          out[(nc * Ho + oh) * Wo + ow] = kind === 'max' ? acc : f(acc / count)
        }
    return [makeTensor(x.dtype, [N, C, Ho, Wo], out)]
  }
}
/**
 * AveragePool in MLAS's order (onnxruntime's MlasPool). Its vector kernel (stride along the width
 * at most 2, kernel at most 32×32, row plus padding within its 2045-float buffer) first sums each
 * input column over the window's rows (top to bottom), then sums KW of those column sums left to
 * right (columns in the padding count as 0). Otherwise the window is summed row by row from 0.
 * The divisor: KH·KW with count_include_pad, else the window's positions inside the input.
 */
function mlasAveragePool(X: Float32Array, g: ConvGeometry, countPad: boolean, out: Float32Array): void {
  const {N, C, H, W, Ho, Wo, KH, KW} = g
  const padRight = g.padRight ?? 0
  if (KH === H && KW === W && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && (g.padBottom ?? 0) === 0 && padRight === 0) {
    mlasGlobalAverage(X, N * C, H * W, out) // MLAS takes a window the size of the input as global pooling
    return
  }
  const room = Math.max(0, Math.max(0, 2045 - g.padLeft) - padRight)
  const vector = g.strideW <= 2 && KH <= 32 && KW <= 32 && room >= W
  const buffer = new Float32Array(Math.max(g.padLeft + W + padRight + 3, (Wo - 1) * g.strideW + KW))
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W
    for (let oh = 0; oh < Ho; oh++) {
      const top = oh * g.strideH - g.padTop
      const h0 = Math.max(0, top)
      const h1 = Math.min(H, top + KH)
      const rows = h1 - h0
      const o = (nc * Ho + oh) * Wo
      if (vector) {
        buffer.fill(0)
        for (let iw = 0; iw < W; iw++) {
          let sum = X[plane + h0 * W + iw]
          for (let ih = h0 + 1; ih < h1; ih++) sum = f(sum + X[plane + ih * W + iw])
          buffer[g.padLeft + iw] = rows > 0 ? sum : 0
        }
        for (let ow = 0; ow < Wo; ow++) {
          const b0 = ow * g.strideW
          let sum = buffer[b0]
          for (let kw = 1; kw < KW; kw++) sum = f(sum + buffer[b0 + kw])
          const inside = Math.min(b0 + KW, g.padLeft + W) - Math.max(b0, g.padLeft)
          out[o + ow] = f(sum / (countPad ? KH * KW : Math.max(1, inside * rows)))
        }
        continue
      }
      for (let ow = 0; ow < Wo; ow++) {
        const left = ow * g.strideW - g.padLeft
        const w0 = Math.max(0, left)
        const w1 = Math.min(W, left + KW)
        let sum = 0
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum = f(sum + X[plane + ih * W + iw])
        out[o + ow] = f(sum / (countPad ? KH * KW : rows * (w1 - w0)))
      }
    }
  }
}

/**
 * MLAS's global average pooling of `planes` planes of `size` values: four running sums (elements
 * i = 0, 1, 2, 3 mod 4 of the first 4*floor(size/4)), combined as (s0 + s2) + (s1 + s3), then the
 * remaining elements one by one, then / size.
 */
function mlasGlobalAverage(X: Float32Array, planes: number, size: number, out: Float32Array): void {
  const lanes = [0, 0, 0, 0]
  for (let i = 0; i < planes; i++) {
    const base = i * size
    lanes.fill(0)
    let k = 0
    for (; k + 4 <= size; k += 4) for (let l = 0; l < 4; l++) lanes[l] = f(lanes[l] + X[base + k + l])
    let s = f(f(lanes[0] + lanes[2]) + f(lanes[1] + lanes[3]))
    for (; k < size; k++) s = f(s + X[base + k])
    out[i] = f(s / size)
  }
}

op('MaxPool', pool('max'))
op('AveragePool', pool('avg'))

op('GlobalAveragePool', (ctx) => {
  const x = requiredInput(ctx, 0, 'X')
  const X = floatData(ctx, x, 'X')
  const [N, C] = x.shape
  const out = outputArray(ctx, 'float32', N * C) as Float32Array
  mlasGlobalAverage(X, N * C, numElements(x.shape.slice(2)), out)
  return [makeTensor('float32', [N, C, ...x.shape.slice(2).map(() => 1)], out)]
})

op('Softmax', (ctx) => {
  const x = requiredInput(ctx, 0, 'input')
  const X = floatData(ctx, x, 'input')
  const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', -1), x.shape.length)
  if (axis !== x.shape.length - 1) throw opError(ctx, 'axq runs Softmax over the last axis only')
  const cols = x.shape[axis]
  const out = outputArray(ctx, 'float32', X.length) as Float32Array
  for (let r = 0; r < X.length / cols; r++) {
    let max = -Infinity
    for (let c = 0; c < cols; c++) max = Math.max(max, X[r * cols + c])
    let sum = 0
    for (let c = 0; c < cols; c++) sum = f(sum + (out[r * cols + c] = f(Math.exp(f(X[r * cols + c] - max)))))
    for (let c = 0; c < cols; c++) out[r * cols + c] = f(out[r * cols + c] / sum)
  }
  return [makeTensor('float32', x.shape, out)]
})

// Shape plumbing.

function intList(ctx: OpContext, t: Tensor, name: string): number[] {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') throw opError(ctx, `${name} must be int64, got ${t.dtype}`)
  return Array.from({length: t.data.length}, (_, i) => elementAsNumber(t, i))
}

function int64Tensor(values: number[]): Tensor {
  return makeTensor('int64', [values.length], BigInt64Array.from(values.map(BigInt)))
}

op('Flatten', (ctx) => {
  const x = requiredInput(ctx, 0, 'input')
  const axis = intAttr(ctx, 'axis', 1)
  const a = axis < 0 ? axis + x.shape.length : axis
  if (a < 0 || a > x.shape.length) throw opError(ctx, `axis ${axis} is out of range for rank ${x.shape.length}`)
  return [{...x, shape: [numElements(x.shape.slice(0, a)), numElements(x.shape.slice(a))]}]
})

op('Reshape', (ctx) => {
  const x = requiredInput(ctx, 0, 'data')
  const spec = intList(ctx, requiredInput(ctx, 1, 'shape'), 'shape')
  const allowZero = intAttr(ctx, 'allowzero', 0) !== 0
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d))
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1)
  const size = numElements(x.shape)
  const free = shape.indexOf(-1)
  if (free >= 0) shape[free] = known === 0 ? 0 : size / known
  if (numElements(shape) !== size || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw opError(ctx, `cannot reshape ${shapeString(x.shape)} to ${shapeString(spec)}`)
  }
  return [{...x, shape}]
})

op('Shape', (ctx) => [int64Tensor(requiredInput(ctx, 0, 'data').shape)])

op('Unsqueeze', (ctx) => {
  const x = requiredInput(ctx, 0, 'data')
  const axes = intList(ctx, requiredInput(ctx, 1, 'axes'), 'axes')
  const rank = x.shape.length + axes.length
  const norm = axes.map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q)
  const shape = [...x.shape]
  for (const a of norm) shape.splice(a, 0, 1)
  return [{...x, shape}]
})

op('Squeeze', (ctx) => {
  const x = requiredInput(ctx, 0, 'data')
  const axesT = optionalInput(ctx, 1)
  const axes = axesT ? intList(ctx, axesT, 'axes').map((a) => (a < 0 ? a + x.shape.length : a)) : x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
  return [{...x, shape: x.shape.filter((_, i) => !axes.includes(i))}]
})

op('Gather', (ctx) => {
  const x = requiredInput(ctx, 0, 'data')
  const idxT = requiredInput(ctx, 1, 'indices')
  const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', 0), x.shape.length)
  const indices = intList(ctx, idxT, 'indices').map((i) => (i < 0 ? i + x.shape[axis] : i))
  if (indices.some((i) => i < 0 || i >= x.shape[axis])) throw opError(ctx, `an index is out of range for axis ${axis} of ${shapeString(x.shape)}`)
  const outer = numElements(x.shape.slice(0, axis))
  const inner = numElements(x.shape.slice(axis + 1))
  const shape = [...x.shape.slice(0, axis), ...idxT.shape, ...x.shape.slice(axis + 1)]
  const out = allocate(x.dtype, numElements(shape)) as unknown as (number | bigint)[]
  const src = x.data as unknown as ArrayLike<number | bigint>
  let k = 0
  for (let o = 0; o < outer; o++) for (const i of indices) for (let j = 0; j < inner; j++) out[k++] = src[(o * x.shape[axis] + i) * inner + j]
  return [makeTensor(x.dtype, shape, out as unknown as Tensor['data'])]
})

op('Concat', (ctx) => {
  const parts = ctx.inputs.filter((t) => t.data.length > 0 || !Object.isFrozen(t))
  if (parts.length === 0) throw opError(ctx, 'no inputs')
  const rank = parts[0].shape.length
  const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', 0), rank)
  const dtype = parts[0].dtype
  for (const p of parts) {
    if (p.dtype !== dtype || p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== parts[0].shape[i])) {
      throw opError(ctx, `inputs do not concatenate on axis ${axis}: ${parts.map((q) => `${q.dtype}${shapeString(q.shape)}`).join(', ')}`)
    }
  }
  const shape = [...parts[0].shape]
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0)
  const outer = numElements(shape.slice(0, axis))
  const out = allocate(dtype, numElements(shape)) as unknown as (number | bigint)[]
  let k = 0
  for (let o = 0; o < outer; o++)
    for (const p of parts) {
      const chunk = numElements(p.shape.slice(axis))
      const src = p.data as unknown as ArrayLike<number | bigint>
      for (let j = 0; j < chunk; j++) out[k++] = src[o * chunk + j]
    }
  return [makeTensor(dtype, shape, out as unknown as Tensor['data'])]
})

op('Transpose', (ctx) => {
  const x = requiredInput(ctx, 0, 'data')
  const rank = x.shape.length
  const perm = intsAttr(ctx, 'perm') ?? [...Array(rank).keys()].reverse()
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw opError(ctx, `perm ${shapeString(perm)} is not a permutation of rank ${rank}`)
  const shape = perm.map((p) => x.shape[p])
  const inStrides = new Array<number>(rank)
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s
    s *= x.shape[i]
  }
  const size = numElements(shape)
  const out = allocate(x.dtype, size) as unknown as (number | bigint)[]
  const src = x.data as unknown as ArrayLike<number | bigint>
  const coord = new Array<number>(rank).fill(0)
  for (let i = 0; i < size; i++) {
    let off = 0
    for (let d = 0; d < rank; d++) off += coord[d] * inStrides[perm[d]]
    out[i] = src[off]
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break
      coord[d] = 0
    }
  }
  return [makeTensor(x.dtype, shape, out as unknown as Tensor['data'])]
})
