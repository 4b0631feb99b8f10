/**
 * QLinearAveragePool (com.microsoft), 2-D NCHW, with onnxruntime's CPU arithmetic
 * (contrib_ops/cpu/quantization/qlinear_pool.cc):
 * - a window that is the whole image without pads falls back to the global average
 *   (integer sum, as QLinearGlobalAveragePool);
 * - otherwise every code is dequantized in float32, v = sx · (x − zx); each window sums its
 *   values in float32, rows then columns, over the part inside the image — rows from
 *   max(start, 0) to min(start + k, H) with start = o·stride − pad, the same for columns — and
 *   divides by the kernel size (count_include_pad=1) or by the cells summed;
 * - y = clamp(nearbyint(avg / sy + zy)) in float32, rounded half to even.
 * Pads, strides, auto_pad and ceil_mode give the output size as for AveragePool.
 */
import {registerOp, MS_DOMAIN, outputArray, type OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {makeTensor, shapeString, type Tensor} from '../../../core/tensor.js'
import {convGeometry} from './convGeometry.js'
import {intAttr, intsAttr, optionalInput, requiredInput, scalarValue, stringAttr} from './onnxArgs.js'
import {rangeOf, roundHalfEven} from './onnxQuantization.js'
import {globalAverageCodes} from './quantizedOps.js'

const f = Math.fround

function qlinearAveragePool(ctx: OpContext): Tensor[] {
  const x = requiredInput(ctx, 0, 'X')
  if (x.dtype !== 'uint8' && x.dtype !== 'int8') throw opError(ctx, `X must be uint8 or int8, got ${x.dtype}`)
  if (intAttr(ctx, 'channels_last', 0) !== 0) throw opError(ctx, 'channels_last=1 is not supported')
  const kernel = intsAttr(ctx, 'kernel_shape')
  if (!kernel || kernel.length !== 2 || x.shape.length !== 4) {
    throw opError(ctx, `axq runs 2-D QLinearAveragePool on NCHW codes; got X ${shapeString(x.shape)}, kernel_shape [${(kernel ?? []).join(',')}]`)
  }
  const sx = scalarValue(ctx, 1, 'x_scale')
  const zx = optionalInput(ctx, 2) ? scalarValue(ctx, 2, 'x_zero_point') : 0
  const sy = scalarValue(ctx, 3, 'y_scale')
  const zy = optionalInput(ctx, 4) ? scalarValue(ctx, 4, 'y_zero_point') : 0
  const g = convGeometry(ctx, x.shape, kernel, intAttr(ctx, 'ceil_mode', 0) !== 0)
  if (g.dilationH !== 1 || g.dilationW !== 1) throw opError(ctx, 'dilations are not supported')
  // onnxruntime's fallback: the window is the image and every pad is 0 (SAME_* pads a window the
  // size of the image by nothing exactly when one output covers it).
  const autoPad = stringAttr(ctx, 'auto_pad', 'NOTSET')
  const noPads = autoPad === 'VALID' || (autoPad === 'NOTSET' ? (intsAttr(ctx, 'pads') ?? [0, 0, 0, 0]).every((p) => p === 0) : g.Ho === 1 && g.Wo === 1)
  if (g.KH === g.H && g.KW === g.W && noPads) return [globalAverageCodes(ctx, x, sx, zx, sy, zy)]
  const includePad = intAttr(ctx, 'count_include_pad', 0) !== 0
  const {N, C, H, W, KH, KW, Ho, Wo} = g
  // The 256 dequantized values: float32(sx · (x − zx)).
  const base = x.dtype === 'int8' ? -128 : 0
  const values = new Float32Array(256)
  for (let k = 0; k < 256; k++) values[k] = f(sx * (base + k - zx))
  const {lo, hi} = rangeOf(x.dtype)
  const src = x.data as ArrayLike<number>
  const out = outputArray(ctx, x.dtype, N * C * Ho * Wo) as Uint8Array | Int8Array
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * g.strideH - g.padTop
      const h1 = Math.min(h0 + KH, H)
      const hs = Math.max(h0, 0)
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * g.strideW - g.padLeft
        const w1 = Math.min(w0 + KW, W)
        const ws = Math.max(w0, 0)
        let sum = 0
        for (let h = hs; h < h1; h++) for (let w = ws; w < w1; w++) sum = f(sum + values[src[plane + h * W + w] - base])
        const avg = f(sum / (includePad ? KH * KW : (h1 - hs) * (w1 - ws)))
        const q = roundHalfEven(f(f(avg / sy) + zy))
        out[(nc * Ho + oh) * Wo + ow] = q < lo ? lo : q > hi ? hi : q
      }
    }
  }
  return [makeTensor(x.dtype, [N, C, Ho, Wo], out)]
}

registerOp({name: 'QLinearAveragePool', domain: MS_DOMAIN, compute: qlinearAveragePool})
