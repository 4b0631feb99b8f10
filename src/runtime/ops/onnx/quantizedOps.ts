/**
 * onnxruntime's quantized ops other than QLinearConv, with its CPU (x86 AVX2 MLAS) arithmetic:
 * QuantizeLinear, DequantizeLinear (ai.onnx; per tensor or per axis), QLinearAdd, QLinearMul,
 * QLinearGlobalAveragePool, QGemm (com.microsoft), QLinearMatMul (ai.onnx).
 */
import {registerOp, ONNX_DOMAIN, MS_DOMAIN, outputArray, type OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {makeTensor, numElements, shapeString, elementAsNumber, type Tensor} from '../../../core/tensor.js'
import {floatAttr, intAttr, normalizeAxis, optionalInput, perChannelValues, requiredInput, scalarValue} from './onnxArgs.js'
import {codeBytes, dequantize, outputScale, quantize, rangeOf, requantize, roundHalfEven} from './onnxQuantization.js'
import {broadcastIndex, broadcastShape} from './broadcast.js'
import {layerTable, operandTypes} from './qlinearConv.js'
import {onnxLookupPairsNative} from '../../../native/onnxKernels.js'

const f = Math.fround

/** Scale/zero point per element: per tensor (one value) or per `axis` (one per slice). */
function axisParams(ctx: OpContext, t: Tensor, scaleIndex: number, zpIndex: number): {scale: Float32Array; zp: Int32Array; inner: number; count: number} {
  const s = requiredInput(ctx, scaleIndex, 'scale')
  const z = optionalInput(ctx, zpIndex)
  const n = s.data.length
  let inner = 1
  let count = 1
  if (n !== 1) {
    const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', 1), t.shape.length)
    count = t.shape[axis]
    if (count !== n) throw opError(ctx, `scale has ${n} values but axis ${axis} of ${shapeString(t.shape)} has ${count}`)
    inner = numElements(t.shape.slice(axis + 1))
  }
  const scale = Float32Array.from({length: n}, (_, i) => elementAsNumber(s, i))
  const zp = Int32Array.from({length: n}, (_, i) => (z ? elementAsNumber(z, z.data.length === 1 ? 0 : i) : 0))
  return {scale, zp, inner, count}
}

registerOp({
  name: 'QuantizeLinear',
  domain: ONNX_DOMAIN,
  compute(ctx) {
    const x = requiredInput(ctx, 0, 'x')
    if (x.dtype !== 'float32') throw opError(ctx, `x must be float32, got ${x.dtype}`)
    const z = optionalInput(ctx, 2)
    const dtype = z ? z.dtype : 'uint8'
    if (dtype !== 'uint8' && dtype !== 'int8') throw opError(ctx, `axq quantizes to uint8 or int8, not ${dtype}`)
    const {scale, zp, inner, count} = axisParams(ctx, x, 1, 2)
    const range = rangeOf(dtype)
    const src = x.data as Float32Array
    const out = outputArray(ctx, dtype, src.length) as Uint8Array | Int8Array
    for (let i = 0; i < src.length; i++) {
      const k = count === 1 ? 0 : Math.floor(i / inner) % count
      out[i] = quantize(src[i], scale[k], zp[k], range)
    }
    return [makeTensor(dtype, x.shape, out)]
  },
})

registerOp({
  name: 'DequantizeLinear',
  domain: ONNX_DOMAIN,
  compute(ctx) {
    const x = requiredInput(ctx, 0, 'x')
    if (x.dtype !== 'uint8' && x.dtype !== 'int8' && x.dtype !== 'int32') throw opError(ctx, `x must be uint8, int8 or int32, got ${x.dtype}`)
    const {scale, zp, inner, count} = axisParams(ctx, x, 1, 2)
    const src = x.data as ArrayLike<number>
    const out = outputArray(ctx, 'float32', src.length) as Float32Array
    for (let i = 0; i < src.length; i++) {
      const k = count === 1 ? 0 : Math.floor(i / inner) % count
      out[i] = dequantize(src[i], scale[k], zp[k])
    }
    return [makeTensor('float32', x.shape, out)]
  },
})

function quantizedPair(ctx: OpContext): {a: Tensor; b: Tensor} {
  const a = requiredInput(ctx, 0, 'A')
  const b = requiredInput(ctx, 3, 'B')
  if ((a.dtype !== 'uint8' && a.dtype !== 'int8') || a.dtype !== b.dtype) throw opError(ctx, `A and B must both be uint8 or both int8, got ${a.dtype} and ${b.dtype}`)
  return {a, b}
}

/**
 * QLinearAdd's output byte for every pair of input bytes (index a·256 + b), computed as
 * qlinearAddValue below.
 */
export function qlinearAddTable(dtype: 'uint8' | 'int8', rA: number, rB: number, fixed: number): Uint8Array {
  const {lo, hi} = rangeOf(dtype)
  const table = new Uint8Array(65536)
  const value = (byte: number) => (dtype === 'int8' ? (byte << 24) >> 24 : byte)
  for (let i = 0; i < 65536; i++) table[i] = qlinearAddValue(value(i >> 8), value(i & 255), rA, rB, fixed, lo, hi) & 255
  return table
}

/** One QLinearAdd output code: fma(a, rA, fma(b, rB, fixed)) rounded half to even, saturated. */
export function qlinearAddValue(a: number, b: number, rA: number, rB: number, fixed: number, lo: number, hi: number): number {
  // a·rA is exact in float64, so one fround of the sum is the outer FMA's one rounding.
  const v = roundHalfEven(f(a * rA + f(b * rB + fixed)))
  return v < lo ? lo : v > hi ? hi : v
}

/** Elements from which QLinearAdd's loop runs natively (below, the call costs more than it saves). */
const NATIVE_ADD_MIN = 1 << 16

/**
 * QLinearAdd as MlasQLinearAddKernelAvx2Helper: ratios rA = sA/sC, rB = sB/sC; a fixed part
 * zC − (rA·zA + rB·zB); c = fma(a, rA, fma(b, rB, fixed)) rounded half to even, saturated.
 */
registerOp({
  name: 'QLinearAdd',
  domain: MS_DOMAIN,
  async compute(ctx) {
    const {a, b} = quantizedPair(ctx)
    const sA = scalarValue(ctx, 1, 'A_scale')
    const zA = scalarValue(ctx, 2, 'A_zero_point')
    const sB = scalarValue(ctx, 4, 'B_scale')
    const zB = scalarValue(ctx, 5, 'B_zero_point')
    const sC = scalarValue(ctx, 6, 'C_scale')
    const zC = optionalInput(ctx, 7) ? scalarValue(ctx, 7, 'C_zero_point') : 0
    const rA = f(sA / sC)
    const rB = f(sB / sC)
    // (float)zC − (rA·zA + rB·zB): the compiler contracts the inner sum into one FMA.
    const fixed = f(zC - f(rA * zA + f(rB * zB)))
    const shape = broadcastShape(ctx, a.shape, b.shape)
    const same = a.data.length === b.data.length && a.data.length === numElements(shape)
    const ia = same ? undefined : broadcastIndex(a.shape, shape)
    const ib = same ? undefined : broadcastIndex(b.shape, shape)
    const size = numElements(shape)
    const out = outputArray(ctx, a.dtype, size) as Uint8Array | Int8Array
    // The output depends only on the code pair: one 256×256 table of output bytes per node.
    const key = `${a.dtype} ${rA} ${rB} ${fixed}`
    let codes = ctx.cache.get('addCodes') as {key: string; table: Uint8Array} | undefined
    if (!codes || codes.key !== key) ctx.cache.set('addCodes', (codes = {key, table: qlinearAddTable(a.dtype as 'uint8' | 'int8', rA, rB, fixed)}))
    const table = codes.table
    const A = codeBytes(a.data as Uint8Array | Int8Array)
    const B = codeBytes(b.data as Uint8Array | Int8Array)
    const O = codeBytes(out)
    // Large same-shape inputs: the same loop natively, on the run's threads.
    if (same && size >= NATIVE_ADD_MIN && process.env.AXQ_KERNEL !== 'reference') await onnxLookupPairsNative(A, B, table, O, ctx.options.threads)
    else if (same) for (let i = 0; i < size; i++) O[i] = table[(A[i] << 8) | B[i]]
    else for (let i = 0; i < size; i++) O[i] = table[(A[ia![i]] << 8) | B[ib![i]]]
    return [makeTensor(a.dtype, shape, out)]
  },
})

/** QLinearMul as MLAS's reference: (a − zA)·(b − zB)·(sA·sB/sC), rounded half to even, + zC. */
registerOp({
  name: 'QLinearMul',
  domain: MS_DOMAIN,
  compute(ctx) {
    const {a, b} = quantizedPair(ctx)
    const sA = scalarValue(ctx, 1, 'A_scale')
    const zA = scalarValue(ctx, 2, 'A_zero_point')
    const sB = scalarValue(ctx, 4, 'B_scale')
    const zB = scalarValue(ctx, 5, 'B_zero_point')
    const sC = scalarValue(ctx, 6, 'C_scale')
    const zC = optionalInput(ctx, 7) ? scalarValue(ctx, 7, 'C_zero_point') : 0
    const scale = f(f(sA * sB) / sC)
    const shape = broadcastShape(ctx, a.shape, b.shape)
    const ia = broadcastIndex(a.shape, shape)
    const ib = broadcastIndex(b.shape, shape)
    const range = rangeOf(a.dtype)
    const A = a.data as ArrayLike<number>
    const B = b.data as ArrayLike<number>
    const out = outputArray(ctx, a.dtype, ia.length) as Uint8Array | Int8Array
    for (let i = 0; i < ia.length; i++) out[i] = requantize((A[ia[i]] - zA) * (B[ib[i]] - zB), scale, zC, range)
    return [makeTensor(a.dtype, shape, out)]
  },
})

/**
 * The global average of every [N, C] plane of codes (NCHW), as QLinearGlobalAveragePool (and
 * QLinearAveragePool when its window is the whole image without pads): Σx − zx·HW in int32, times
 * sx / (sy · HW), requantized. Output [N, C, 1, …].
 */
export function globalAverageCodes(ctx: OpContext, x: Tensor, sx: number, zx: number, sy: number, zy: number): Tensor {
  const [N, C] = x.shape
  const image = numElements(x.shape.slice(2))
  const scale = f(sx / f(sy * image))
  const range = rangeOf(x.dtype)
  const src = x.data as ArrayLike<number>
  const out = outputArray(ctx, x.dtype, N * C) as Uint8Array | Int8Array
  for (let i = 0; i < N * C; i++) {
    let acc = -zx * image
    for (let k = 0; k < image; k++) acc += src[i * image + k]
    out[i] = requantize(acc, scale, zy, range)
  }
  return makeTensor(x.dtype, [N, C, ...x.shape.slice(2).map(() => 1)], out)
}

registerOp({
  name: 'QLinearGlobalAveragePool',
  domain: MS_DOMAIN,
  compute(ctx) {
    const x = requiredInput(ctx, 0, 'X')
    if (x.dtype !== 'uint8' && x.dtype !== 'int8') throw opError(ctx, `X must be uint8 or int8, got ${x.dtype}`)
    if (intAttr(ctx, 'channels_last', 0) !== 0) throw opError(ctx, 'channels_last=1 is not supported')
    if (x.shape.length < 3) throw opError(ctx, `X must be [N, C, spatial...], got ${shapeString(x.shape)}`)
    return [globalAverageCodes(ctx, x, scalarValue(ctx, 1, 'x_scale'), scalarValue(ctx, 2, 'x_zero_point'), scalarValue(ctx, 3, 'y_scale'), scalarValue(ctx, 4, 'y_zero_point'))]
  },
})

/**
 * A quantized matrix product [M,K]×[K,N] with per-column weight scales, through the layer's
 * table when it has one (see qlinearConv.ts), requantized (or dequantized when yScale is NaN).
 */
function quantizedMatMul(
  ctx: OpContext,
  a: Tensor,
  b: Tensor,
  transB: boolean,
  zA: number,
  zB: number[],
  bias: Int32Array | undefined,
): {acc: Int32Array; M: number; N: number; K: number} {
  const operands = operandTypes(ctx, a, b)
  if (a.shape.length !== 2 || b.shape.length !== 2) throw opError(ctx, `expects 2-D A and B, got ${shapeString(a.shape)} and ${shapeString(b.shape)}`)
  const [M, K] = a.shape
  const [b0, b1] = b.shape
  const N = transB ? b0 : b1
  if ((transB ? b1 : b0) !== K) throw opError(ctx, `A ${shapeString(a.shape)} and B ${shapeString(b.shape)} do not multiply${transB ? ' (transB)' : ''}`)
  const table = layerTable(ctx, operands)
  const A = a.data as ArrayLike<number>
  const B = b.data as ArrayLike<number>
  const acc = new Int32Array(M * N)
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0
      const zb = zB.length === 1 ? zB[0] : zB[n]
      const zz = zA * zb
      for (let k = 0; k < K; k++) {
        const av = A[m * K + k]
        const bv = B[transB ? n * K + k : k * N + n]
        s = table ? (s + table[((av & 255) << 8) | (bv & 255)] - av * zb - bv * zA + zz) | 0 : (s + (av - zA) * (bv - zb)) | 0
      }
      acc[m * N + n] = s
    }
  }
  return {acc, M, N, K}
}

registerOp({
  name: 'QLinearMatMul',
  domain: ONNX_DOMAIN,
  compute(ctx) {
    const a = requiredInput(ctx, 0, 'a')
    const b = requiredInput(ctx, 3, 'b')
    const sA = scalarValue(ctx, 1, 'a_scale')
    const zA = scalarValue(ctx, 2, 'a_zero_point')
    const N = b.shape[b.shape.length - 1]
    const sB = perChannelValues(ctx, 4, 'b_scale', N)
    const zBs = perChannelValues(ctx, 5, 'b_zero_point', N)
    const sY = scalarValue(ctx, 6, 'y_scale')
    const zY = scalarValue(ctx, 7, 'y_zero_point')
    const {acc, M} = quantizedMatMul(ctx, a, b, false, zA, zBs, undefined)
    const scales = sB.map((s) => outputScale(sA, s, sY))
    const range = rangeOf(a.dtype)
    const out = outputArray(ctx, a.dtype, acc.length) as Uint8Array | Int8Array
    for (let i = 0; i < acc.length; i++) out[i] = requantize(acc[i], scales[i % N], zY, range)
    return [makeTensor(a.dtype, [M, N], out)]
  },
})

/** QGemm (com.microsoft): alpha·A·B(ᵀ) + C (int32 bias), requantized, or float without y_scale. */
registerOp({
  name: 'QGemm',
  domain: MS_DOMAIN,
  compute(ctx) {
    const a = requiredInput(ctx, 0, 'A')
    const b = requiredInput(ctx, 3, 'B')
    if (intAttr(ctx, 'transA', 0) !== 0) throw opError(ctx, 'transA=1 is not supported')
    const transB = intAttr(ctx, 'transB', 0) !== 0
    const alpha = floatAttr(ctx, 'alpha', 1)
    const sA = scalarValue(ctx, 1, 'a_scale')
    const zA = scalarValue(ctx, 2, 'a_zero_point')
    const N = transB ? b.shape[0] : b.shape[1]
    const sB = perChannelValues(ctx, 4, 'b_scale', N)
    const zBs = perChannelValues(ctx, 5, 'b_zero_point', N)
    const c = optionalInput(ctx, 6)
    if (c && (c.dtype !== 'int32' || c.data.length !== N)) throw opError(ctx, `C must be int32 [${N}], got ${c.dtype} ${shapeString(c.shape)}`)
    const yScale = optionalInput(ctx, 7)
    const {acc, M} = quantizedMatMul(ctx, a, b, transB, zA, zBs, c?.data as Int32Array | undefined)
    if (!yScale) {
      const out = outputArray(ctx, 'float32', acc.length) as Float32Array
      const scales = sB.map((s) => f(f(alpha * sA) * s))
      for (let i = 0; i < acc.length; i++) out[i] = f(f(acc[i]) * scales[i % N])
      return [makeTensor('float32', [M, N], out)]
    }
    const sY = scalarValue(ctx, 7, 'y_scale')
    const zY = optionalInput(ctx, 8) ? scalarValue(ctx, 8, 'y_zero_point') : 0
    const scales = sB.map((s) => f(outputScale(sA, s, sY) * alpha))
    const range = rangeOf(a.dtype)
    const out = outputArray(ctx, a.dtype, acc.length) as Uint8Array | Int8Array
    for (let i = 0; i < acc.length; i++) out[i] = requantize(acc[i], scales[i % N], zY, range)
    return [makeTensor(a.dtype, [M, N], out)]
  },
})
