/**
 * QLinearConv (ai.onnx) and the quantized products every approximate layer shares.
 *
 * Accumulator of output channel m: bias[m] + Σ over the window of the product term, where
 *   exact:        (x − zx)·(w − zw)                         (onnxruntime; taps in the padding add 0)
 *   with table T: T[x][w] − x·zw − w·zx + zx·zw             (as AxConv2D: only the raw code
 *                 product goes through the table; padding taps use x = zx and go through it too)
 * x, w are the operand values (0..255 for uint8, −128..127 for int8); T is an unsigned table for
 * uint8×uint8 layers and a signed one (int16 entries, index (x & 255)·256 + (w & 255)) for
 * int8×int8 layers. The int32 accumulator is requantized like MlasRequantizeOutput.
 * The multiplier comes from the node's AxMult/AxTune attrs (set by infer: --mult, --tune,
 * --layer-mult); without them the layer is exact.
 */
import {registerOp, ONNX_DOMAIN, outputArray, type OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {makeTensor, shapeString, type Tensor} from '../../../core/tensor.js'
import {convGeometry, type ConvGeometry} from './convGeometry.js'
import {intAttr, optionalInput, perChannelValues, requiredInput, scalarValue} from './onnxArgs.js'
import {outputScale, rangeOf, requantize} from './onnxQuantization.js'
import {isSignedTable, signednessMismatch, type AnyProductTable} from '../../../mults/table.js'
import {tunedTable} from '../../../mults/tune.js'
import {readAttr} from '../../../graph/attrs.js'

/** The attrs infer sets on approximate ONNX layers. */
export const AX_MULT_ATTR = 'AxMult'
export const AX_TUNE_ATTR = 'AxTune'

/** ONNX ops whose products go through a multiplier table. */
export const APPROXIMATE_ONNX_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'QGemm', 'ConvInteger', 'MatMulInteger'])

const tunedCache = new WeakMap<AnyProductTable, AnyProductTable>()

/**
 * The product table of an approximate layer with `signed` operands, or undefined for the exact
 * product (no AxMult attr). A table of the other signedness is an error saying how to quantize.
 */
export function layerTable(ctx: OpContext, signed: boolean): AnyProductTable | undefined {
  const m = ctx.node.attr[AX_MULT_ATTR]
  if (!m) return undefined
  const name = readAttr.string(m, AX_MULT_ATTR)
  const tune = ctx.node.attr[AX_TUNE_ATTR] ? readAttr.bool(ctx.node.attr[AX_TUNE_ATTR], AX_TUNE_ATTR) : false
  const resolve = ctx.options.resolveMultiplier
  if (!resolve) throw opError(ctx, `multiplier '${name}' is set, but this run resolves no multipliers`)
  const base = resolve(name)
  if (isSignedTable(base) !== signed) {
    const how = signed
      ? "or quantize the model with activation_type=QuantType.QUInt8, weight_type=QuantType.QUInt8 for unsigned multipliers"
      : "or quantize the model with activation_type=QuantType.QInt8, weight_type=QuantType.QInt8 for signed multipliers"
    throw opError(ctx, `${signednessMismatch(name, isSignedTable(base) ? 'signed' : 'unsigned', `this ${signed ? 'int8×int8' : 'uint8×uint8'} layer`)}; ${how}`)
  }
  if (!tune) return base
  let t = tunedCache.get(base)
  if (!t) tunedCache.set(base, (t = tunedTable(base)))
  return t
}

/** Operand types of a quantized layer: both uint8 or both int8 (uint8×int8 is rejected with a hint). */
export function operandsSigned(ctx: OpContext, x: Tensor, w: Tensor): boolean {
  const ok = (t: Tensor): boolean => t.dtype === 'uint8' || t.dtype === 'int8'
  if (!ok(x) || !ok(w)) throw opError(ctx, `expects uint8 or int8 inputs, got ${x.dtype} and ${w.dtype}`)
  if (x.dtype !== w.dtype) {
    throw opError(ctx, `activations are ${x.dtype} but weights ${w.dtype}: axq multiplies uint8×uint8 (unsigned tables) or int8×int8 (signed tables); quantize with the same type for both (QuantType.QUInt8/QUInt8 or QInt8/QInt8)`)
  }
  return x.dtype === 'int8'
}

/**
 * int32 accumulators [N, M, Ho, Wo] of a grouped 2-D convolution of codes (NCHW input, MCKK
 * weights), bias included. The reference loop; see the module comment for the product term.
 */
export function quantizedConvAccumulators(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  g: ConvGeometry,
  M: number,
  group: number,
  zx: number,
  zw: number,
  bias: ArrayLike<number> | undefined,
  table: AnyProductTable | undefined,
  out: Int32Array,
): Int32Array {
  const {N, C, H, W, KH, KW, Ho, Wo} = g
  const cg = C / group
  const mg = M / group
  const zz = zx * zw
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const c0 = Math.floor(m / mg) * cg
      const b = bias ? bias[m] : 0
      const wBase = m * cg * KH * KW
      for (let oh = 0; oh < Ho; oh++) {
        for (let ow = 0; ow < Wo; ow++) {
          let acc = b | 0
          for (let c = 0; c < cg; c++) {
            const xBase = (n * C + c0 + c) * H * W
            const wc = wBase + c * KH * KW
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * g.strideH - g.padTop + kh * g.dilationH
              const rowInside = ih >= 0 && ih < H
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * g.strideW - g.padLeft + kw * g.dilationW
                const wv = w[wc + kh * KW + kw]
                if (table) {
                  const xv = rowInside && iw >= 0 && iw < W ? x[xBase + ih * W + iw] : zx
                  acc = (acc + table[((xv & 255) << 8) | (wv & 255)] - xv * zw - wv * zx + zz) | 0
                } else if (rowInside && iw >= 0 && iw < W) {
                  acc = (acc + (x[xBase + ih * W + iw] - zx) * (wv - zw)) | 0
                }
              }
            }
          }
          out[((n * M + m) * Ho + oh) * Wo + ow] = acc
        }
      }
    }
  }
  return out
}

async function qlinearConv(ctx: OpContext): Promise<Tensor[]> {
  const x = requiredInput(ctx, 0, 'x')
  const w = requiredInput(ctx, 3, 'w')
  const signed = operandsSigned(ctx, x, w)
  if (w.shape.length !== 4) throw opError(ctx, `w must be 4-D [M, C/group, KH, KW], got ${shapeString(w.shape)}`)
  const [M, cg, KH, KW] = w.shape
  const group = intAttr(ctx, 'group', 1)
  const g = convGeometry(ctx, x.shape, [KH, KW])
  if (group < 1 || g.C !== cg * group || M % group !== 0) {
    throw opError(ctx, `shapes do not match: x ${shapeString(x.shape)}, w ${shapeString(w.shape)}, group ${group}`)
  }
  const xScale = scalarValue(ctx, 1, 'x_scale')
  const zx = scalarValue(ctx, 2, 'x_zero_point')
  const wScales = perChannelValues(ctx, 4, 'w_scale', M)
  const wZeros = perChannelValues(ctx, 5, 'w_zero_point', M)
  if (wZeros.some((z) => z !== wZeros[0])) throw opError(ctx, 'per-channel weight zero points must all be equal (onnxruntime requires it)')
  const yScale = scalarValue(ctx, 6, 'y_scale')
  const zy = scalarValue(ctx, 7, 'y_zero_point')
  const bias = optionalInput(ctx, 8)
  if (bias && (bias.dtype !== 'int32' || bias.data.length !== M)) throw opError(ctx, `bias must be int32 [${M}], got ${bias.dtype} ${shapeString(bias.shape)}`)
  const table = layerTable(ctx, signed)
  const acc = quantizedConvAccumulators(x.data as ArrayLike<number>, w.data as ArrayLike<number>, g, M, group, zx, wZeros[0], bias?.data as Int32Array | undefined, table, new Int32Array(g.N * M * g.Ho * g.Wo))
  const scales = wScales.map((s) => outputScale(xScale, s, yScale))
  const range = rangeOf(x.dtype)
  const size = acc.length
  const out = outputArray(ctx, x.dtype, size) as Uint8Array | Int8Array
  const plane = g.Ho * g.Wo
  for (let i = 0; i < size; i++) out[i] = requantize(acc[i], scales[Math.floor(i / plane) % M], zy, range)
  return [makeTensor(x.dtype, [g.N, M, g.Ho, g.Wo], out)]
}

registerOp({name: 'QLinearConv', domain: ONNX_DOMAIN, compute: qlinearConv})
