/**
 * QLinearSoftmax (com.microsoft), uint8 or int8, as onnxruntime 1.31's CPU kernel
 * (contrib_ops/cpu/quantization/qlinear_softmax.cc; its results pinned by
 * test/formats/onnx/qlinearActivations.test.ts):
 * - attribute opset (required): below 13 the input is seen as [N, D] with D the product of the
 *   dims from axis on; from 13 on D is the axis's own dim. Without an axis attribute onnxruntime
 *   uses −1 for every opset (the source's "1 below opset 13" does not show in its results);
 * - x_zero_point is not used (softmax ignores a shift): with d = max(row) − x, an exp table in
 *   float32, E[d] = float32(exp((−d + s) · x_scale)) computed in double, where
 *   s = max(0, log(float32(FLT_MAX / D)) − 5) / x_scale keeps the row's sum below FLT_MAX / e⁵;
 * - per row: sum = Σ E[d] in float32, in order; Y = floor(float32(1 / y_scale)); each output
 *   q = nearbyintf(float32(E[d] · Y) / sum) (E[d] · Y may overflow to +∞), converted to an integer
 *   as x86-64 does (+∞ and NaN give INT32_MIN), + y_zero_point in 32-bit arithmetic; uint8
 *   (converted as uint32) saturates above 255 only, int8 saturates to [−128, 127].
 */
import {registerOp, MS_DOMAIN, outputArray, type OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {makeTensor, numElements, type Tensor} from '../../../core/tensor.js'
import {intAttr, normalizeAxis, requiredInput, scalarValue} from './onnxArgs.js'
import {codeBytes, roundHalfEven} from './onnxQuantization.js'

const f = Math.fround
const FLT_MAX = 3.4028234663852886e38
const TWO31 = 2 ** 31
const TWO32 = 2 ** 32
const TWO63 = 2 ** 63

/** static_cast<int32_t>(float) on x86-64 (cvttss2si: NaN and overflow give INT32_MIN). */
function toInt32(v: number): number {
  return v > -TWO31 - 1 && v < TWO31 ? Math.trunc(v) : -TWO31
}

/** static_cast<uint32_t>(float) as gcc compiles it on x86-64 (cvttss2si to 64 bits, low half). */
function toUint32(v: number): number {
  if (!(v > -TWO63 && v < TWO63)) return 0
  const t = Math.trunc(v) % TWO32
  return t < 0 ? t + TWO32 : t
}

/** The exp table E[d], d = 0..255 (the distance below the row's maximum code). */
export function softmaxExpTable(xScale: number, reduceLength: number): Float32Array {
  const shift = Math.max(0, Math.log(f(FLT_MAX / f(reduceLength))) - 5) / xScale
  const table = new Float32Array(256)
  for (let d = 0; d < 256; d++) table[d] = Math.exp((-d + shift) * xScale)
  return table
}

function expTable(ctx: OpContext, xScale: number, reduceLength: number): Float32Array {
  const key = `exp ${xScale} ${reduceLength}`
  let table = ctx.cache.get(key) as Float32Array | undefined
  if (!table) {
    table = softmaxExpTable(xScale, reduceLength)
    ctx.cache.clear()
    ctx.cache.set(key, table)
  }
  return table
}

function qlinearSoftmax(ctx: OpContext): Tensor[] {
  const x = requiredInput(ctx, 0, 'X')
  if (x.dtype !== 'uint8' && x.dtype !== 'int8') throw opError(ctx, `X must be uint8 or int8, got ${x.dtype}`)
  const signed = x.dtype === 'int8'
  if (ctx.node.attr.opset === undefined) throw opError(ctx, "the attribute 'opset' is missing (onnxruntime requires it)")
  const opset = intAttr(ctx, 'opset', 13)
  const rank = x.shape.length
  if (rank === 0) throw opError(ctx, 'X must have at least one dimension')
  const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', -1), rank)
  const xScale = f(scalarValue(ctx, 1, 'X_scale'))
  const yScale = f(scalarValue(ctx, 3, 'Y_scale'))
  // onnxruntime's schema requires y_zero_point (x_zero_point is optional and unused).
  const zyTensor = requiredInput(ctx, 4, 'y_zero_point')
  if (zyTensor.dtype !== x.dtype) throw opError(ctx, `y_zero_point must be ${x.dtype} like X, got ${zyTensor.dtype}`)
  const zy = scalarValue(ctx, 4, 'y_zero_point')
  const outer = numElements(x.shape.slice(0, axis))
  const D = opset < 13 ? numElements(x.shape.slice(axis)) : x.shape[axis]
  const inner = opset < 13 ? 1 : numElements(x.shape.slice(axis + 1))
  const out = outputArray(ctx, x.dtype, x.data.length) as Uint8Array | Int8Array
  if (x.data.length === 0) return [makeTensor(x.dtype, x.shape, out)]
  const E = expTable(ctx, xScale, D)
  const Y = Math.floor(f(1 / yScale))
  const X = x.data as Uint8Array | Int8Array
  const O = codeBytes(out)
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * D * inner + i
      let max = -Infinity
      for (let k = 0; k < D; k++) max = Math.max(max, X[start + k * inner])
      let sum = 0
      for (let k = 0; k < D; k++) sum = f(sum + E[max - X[start + k * inner]])
      for (let k = 0; k < D; k++) {
        const q = roundHalfEven(f(f(E[max - X[start + k * inner]] * Y) / sum))
        if (signed) {
          const v = (toInt32(q) + zy) | 0
          O[start + k * inner] = (v < -128 ? -128 : v > 127 ? 127 : v) & 255
        } else {
          const v = (toUint32(q) + zy) % TWO32
          O[start + k * inner] = v > 255 ? 255 : v
        }
      }
    }
  }
  return [makeTensor(x.dtype, x.shape, out)]
}

registerOp({name: 'QLinearSoftmax', domain: MS_DOMAIN, compute: qlinearSoftmax})
