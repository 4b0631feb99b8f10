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
 * --layer-mult); without them, or with an exact table, the layer is exact.
 *
 * Kernels: group-1 layers with equal strides and no dilation run on the AxConv2D fast kernel
 * (cpp/axconv_*: NHWC, explicit padding with the zx code, VALID); int8×int8 layers go through
 * it shifted to unsigned codes x' = x + 128, w' = w + 128 with T'[x'][w'] = T[x][w] + 128·x +
 * 128·w + 16384 (= x'·w' for the exact product), which keeps the accumulator identical, when
 * every T' entry fits 0..65535. Everything else (depthwise, grouped, dilated) runs on the native
 * product-row kernel (cpp/onnx_qconv.cc), as do the NCHW → padded NHWC copy and the
 * requantization. AXQ_KERNEL=reference runs the plain loops below instead.
 */
import {registerOp, ONNX_DOMAIN, outputArray, type OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {makeTensor, shapeString, type Tensor} from '../../../core/tensor.js'
import {convGeometry, type ConvGeometry} from './convGeometry.js'
import {intAttr, optionalInput, perChannelValues, requiredInput, scalarValue} from './onnxArgs.js'
import {outputScale, rangeOf, requantize} from './onnxQuantization.js'
import {exactTable, isSignedTable, signednessMismatch, type AnyProductTable} from '../../../mults/table.js'
import {tunedTable} from '../../../mults/tune.js'
import {readAttr} from '../../../graph/attrs.js'
import {axConv, axconvPreparedFilter, type PreparedFilterHandle} from '../../../native/axconv.js'
import {onnxPadNhwcNative, onnxQConvNative, onnxQConvWindowsNative, onnxQConvWindowsPrepared, onnxRequantizeNative, type WindowsPreparedHandle} from '../../../native/onnxKernels.js'

/** The attrs infer sets on approximate ONNX layers. */
export const AX_MULT_ATTR = 'AxMult'
export const AX_TUNE_ATTR = 'AxTune'

/** ONNX ops whose products go through a multiplier table. */
export const APPROXIMATE_ONNX_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'QGemm'])

const tunedCache = new WeakMap<AnyProductTable, AnyProductTable>()
const exactness = new WeakMap<AnyProductTable, boolean>()

/** True when T[x][w] = x·w for every operand pair of the table's signedness. */
function isExact(table: AnyProductTable): boolean {
  let known = exactness.get(table)
  if (known === undefined) {
    const signed = isSignedTable(table)
    known = true
    for (let i = 0; i < 65536 && known; i++) {
      const a = i >> 8
      const b = i & 255
      known = table[i] === (signed ? ((a << 24) >> 24) * ((b << 24) >> 24) : a * b)
    }
    exactness.set(table, known)
  }
  return known
}

/**
 * The product table of an approximate layer with `signed` operands, or undefined for the exact
 * product (no AxMult attr). A table of the other signedness is an error saying how to quantize.
 */
export function layerTable(ctx: OpContext, operands: Operands): AnyProductTable | undefined {
  const m = ctx.node.attr[AX_MULT_ATTR]
  if (!m) return undefined
  const name = readAttr.string(m, AX_MULT_ATTR)
  const tune = ctx.node.attr[AX_TUNE_ATTR] ? readAttr.bool(ctx.node.attr[AX_TUNE_ATTR], AX_TUNE_ATTR) : false
  const resolve = ctx.options.resolveMultiplier
  if (!resolve) throw opError(ctx, `multiplier '${name}' is set, but this run resolves no multipliers`)
  const base = resolve(name)
  // An exact table computes the exact product on operands of either signedness.
  if (isExact(base)) return undefined
  if (operands.xSigned !== operands.wSigned) {
    throw opError(ctx, `multiplier '${name}' needs operands of one signedness, but this layer multiplies ${operands.xSigned ? 'int8' : 'uint8'} activations by ${operands.wSigned ? 'int8' : 'uint8'} weights (onnxruntime's U8S8); quantize with activation_type=QuantType.QUInt8, weight_type=QuantType.QUInt8 for unsigned multipliers or QInt8/QInt8 for signed ones`)
  }
  const signed = operands.xSigned
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

export interface Operands {
  xSigned: boolean
  wSigned: boolean
}

/** Operand types of a quantized layer (uint8 or int8 each). */
export function operandTypes(ctx: OpContext, x: Tensor, w: Tensor): Operands {
  const ok = (t: Tensor): boolean => t.dtype === 'uint8' || t.dtype === 'int8'
  if (!ok(x) || !ok(w)) throw opError(ctx, `expects uint8 or int8 inputs, got ${x.dtype} and ${w.dtype}`)
  return {xSigned: x.dtype === 'int8', wSigned: w.dtype === 'int8'}
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
  table: ArrayLike<number> | undefined,
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

const shiftedTables = new WeakMap<AnyProductTable, Uint16Array | null>()
let exactUnsigned: Uint16Array | undefined

/**
 * The unsigned table the AxConv2D kernel takes for this layer: the table itself (uint8), the
 * exact one, or the shifted signed table (null when an entry falls outside 0..65535).
 */
function axconvTable(table: AnyProductTable | undefined, signed: boolean): Uint16Array | null {
  if (!table) return (exactUnsigned ??= exactTable())
  if (!signed) return table as Uint16Array
  let t = shiftedTables.get(table)
  if (t === undefined) {
    t = new Uint16Array(65536)
    for (let i = 0; i < 65536 && t; i++) {
      const x = (i >> 8) - 128
      const w = (i & 255) - 128
      const v = table[((x & 255) << 8) | (w & 255)] + 128 * x + 128 * w + 16384
      if (v < 0 || v > 65535) t = null
      else t[i] = v
    }
    shiftedTables.set(table, t)
  }
  return t
}

const int32Tables = new WeakMap<AnyProductTable, Int32Array>()

function int32Table(table: AnyProductTable): Int32Array {
  let t = int32Tables.get(table)
  if (!t) int32Tables.set(table, (t = Int32Array.from(table)))
  return t
}

/** NCHW codes → NHWC codes padded with `pad` (bytes xor `flip`); the reference of onnxPadNhwcNative. */
export function paddedNhwc(x: Uint8Array, g: ConvGeometry, Hp: number, Wp: number, pad: number, flip: number): Uint8Array {
  const {N, C, H, W} = g
  const out = new Uint8Array(N * Hp * Wp * C).fill(pad)
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const src = (n * C + c) * H * W
      // Rows and columns past the last window are read by none: cropped.
      const rows = Math.min(H, Hp - g.padTop)
      const cols = Math.min(W, Wp - g.padLeft)
      for (let h = 0; h < rows; h++) {
        const dst = ((n * Hp + h + g.padTop) * Wp + g.padLeft) * C + c
        for (let v = 0; v < cols; v++) out[dst + v * C] = x[src + h * W + v] ^ flip
      }
    }
  return out
}

/** The layer's weights [M, C, KH, KW] as the AxConv2D kernels' HWIO codes (xor flip), kept per node. */
function hwioFilter(ctx: OpContext, w: Tensor, g: ConvGeometry, M: number, flip: number): Uint8Array {
  const kept = ctx.cache.get('hwio') as {source: object; flip: number; filter: Uint8Array} | undefined
  if (kept && kept.source === w.data && kept.flip === flip) return kept.filter
  const wBytes = new Uint8Array((w.data as Uint8Array | Int8Array).buffer, (w.data as Uint8Array).byteOffset, w.data.length)
  const {C, KH, KW} = g
  const filter = new Uint8Array(KH * KW * C * M)
  for (let m = 0; m < M; m++)
    for (let c = 0; c < C; c++)
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++) filter[((kh * KW + kw) * C + c) * M + m] = wBytes[((m * C + c) * KH + kh) * KW + kw] ^ flip
  ctx.cache.set('hwio', {source: w.data, flip, filter})
  return filter
}

const SCRATCH = Symbol('onnx accumulators')

/**
 * An int32 buffer of `size` for a layer's accumulators, shared by the layers of one Session run
 * (they run one after another, and each has requantized its accumulators before the next starts).
 */
function scratchAccumulators(ctx: OpContext, size: number): Int32Array {
  if (!ctx.runCache) return new Int32Array(size)
  let buffer = ctx.runCache.get(SCRATCH) as Int32Array | undefined
  if (!buffer || buffer.length < size) ctx.runCache.set(SCRATCH, (buffer = new Int32Array(size)))
  return buffer.subarray(0, size)
}

async function convAccumulators(
  ctx: OpContext,
  x: Tensor,
  w: Tensor,
  g: ConvGeometry,
  M: number,
  group: number,
  zx: number,
  zw: number,
  operands: Operands,
  table: AnyProductTable | undefined,
  fused: FusedRequantization,
): Promise<{acc: Int32Array; layout: 'NCHW' | 'NHWC'} | null> {
  const signed = operands.xSigned
  const xBytes = new Uint8Array((x.data as Uint8Array | Int8Array).buffer, (x.data as Uint8Array).byteOffset, x.data.length)
  const wBytes = new Uint8Array((w.data as Uint8Array | Int8Array).buffer, (w.data as Uint8Array).byteOffset, w.data.length)
  if (process.env.AXQ_KERNEL === 'reference') {
    return {acc: quantizedConvAccumulators(x.data as ArrayLike<number>, w.data as ArrayLike<number>, g, M, group, zx, zw, undefined, table, new Int32Array(g.N * M * g.Ho * g.Wo)), layout: 'NCHW'}
  }
  const s = g.strideH
  const Hp = (g.Ho - 1) * s + g.KH
  const Wp = (g.Wo - 1) * s + g.KW
  const sameTypes = operands.xSigned === operands.wSigned
  const shifted = sameTypes && group === 1 && g.dilationH === 1 && g.dilationW === 1 && g.strideW === s ? axconvTable(table, signed) : null
  // The padded image holds exactly the windows, so TF's VALID origin is 0.
  if (shifted) {
    const flip = signed ? 0x80 : 0
    const C = g.C
    const filter = hwioFilter(ctx, w, g, M, flip)
    const padCode = (zx & 255) ^ flip
    const zi = signed ? zx + 128 : zx
    const zf = signed ? zw + 128 : zw
    // Few taps per window (1×1 layers, 3-channel first layers): the fused windows loop.
    let windows = ctx.cache.get('windows') as {table: Uint16Array; handle: WindowsPreparedHandle} | undefined
    if (!windows || windows.table !== shifted) ctx.cache.set('windows', (windows = {table: shifted, handle: onnxQConvWindowsPrepared()}))
    const {out, bias, scales, zp, lo, hi} = fused
    const done = await onnxQConvWindowsNative({
      N: g.N, C, H: g.H, W: g.W, M, KH: g.KH, KW: g.KW, Ho: g.Ho, Wo: g.Wo, stride: s, padTop: g.padTop, padLeft: g.padLeft,
      zi, zf, padCode, flip, x: xBytes, filter, table: shifted, bias, scales, zp, lo, hi, out, prepared: windows.handle, threads: ctx.options.threads,
    })
    if (done) return null
    let prepared = ctx.cache.get('prepared') as {table: Uint16Array; handle: PreparedFilterHandle} | undefined
    if (!prepared || prepared.table !== shifted) ctx.cache.set('prepared', (prepared = {table: shifted, handle: axconvPreparedFilter()}))
    const result = await axConv({
      input: await onnxPadNhwcNative(xBytes, {N: g.N, C, H: g.H, W: g.W, Hp, Wp, padTop: g.padTop, padLeft: g.padLeft}, padCode, flip, ctx.options.threads),
      inputShape: [g.N, Hp, Wp, C],
      filter,
      filterShape: [g.KH, g.KW, C, M],
      table: shifted,
      stride: s,
      padding: 'VALID',
      zi,
      zf,
      threads: ctx.options.threads,
      prepared: prepared.handle,
      output: scratchAccumulators(ctx, g.N * g.Ho * g.Wo * M),
      where: `node '${ctx.node.name}'`,
    })
    return {acc: result.output, layout: 'NHWC'}
  }
  // Accumulators requantized in the kernel, plane by plane: they never leave the cache.
  const {out, ...requantize} = fused
  await onnxQConvNative({
    N: g.N, C: g.C, H: g.H, W: g.W, M, KH: g.KH, KW: g.KW, Ho: g.Ho, Wo: g.Wo, group,
    strideH: g.strideH, strideW: g.strideW, dilationH: g.dilationH, dilationW: g.dilationW,
    padTop: g.padTop, padLeft: g.padLeft, zx, zw, xSigned: operands.xSigned, wSigned: operands.wSigned,
    x: xBytes, w: wBytes, table: table ? int32Table(table) : null, out, requantize, threads: ctx.options.threads,
  })
  return null
}

/** The output codes (as bytes) and how to requantize into them. */
interface FusedRequantization {
  out: Uint8Array
  bias: Int32Array | null
  scales: Float32Array
  zp: number
  lo: number
  hi: number
}

async function qlinearConv(ctx: OpContext): Promise<Tensor[]> {
  const x = requiredInput(ctx, 0, 'x')
  const w = requiredInput(ctx, 3, 'w')
  const operands = operandTypes(ctx, x, w)
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
  const table = layerTable(ctx, operands)
  const scales = wScales.map((s) => outputScale(xScale, s, yScale))
  const range = rangeOf(x.dtype)
  const plane = g.Ho * g.Wo
  const size = g.N * M * plane
  const out = outputArray(ctx, x.dtype, size) as Uint8Array | Int8Array
  const B = bias?.data as Int32Array | undefined
  const fused: FusedRequantization = {
    out: new Uint8Array(out.buffer, out.byteOffset, out.length), bias: B ?? null, scales: Float32Array.from(scales), zp: zy, lo: range.lo, hi: range.hi,
  }
  const result = await convAccumulators(ctx, x, w, g, M, group, zx, wZeros[0], operands, table, fused)
  if (!result) {
    // Requantized by the kernel.
  } else if (process.env.AXQ_KERNEL !== 'reference') {
    const {acc, layout} = result
    await onnxRequantizeNative({...fused, acc, nhwc: layout === 'NHWC', N: g.N, M, plane, threads: ctx.options.threads})
  } else {
    const {acc} = result
    // The plain loop's NCHW accumulators.
    for (let i = 0; i < size; i++) {
      const m = Math.floor(i / plane) % M
      out[i] = requantize(B ? (acc[i] + B[m]) | 0 : acc[i], scales[m], zy, range)
    }
  }
  return [makeTensor(x.dtype, [g.N, M, g.Ho, g.Wo], out)]
}

registerOp({name: 'QLinearConv', domain: ONNX_DOMAIN, compute: qlinearConv})
