/**
 * QuantizeV2 (tensorflow/core/kernels/quantize_op.cc, TF 1.14): float32 → quantized codes.
 *
 * Range: TF 1.14 first widens [min_range, max_range] to a = min(0, min), b = max(0, max(max,
 * a + ε)), ε = max(1, |min|, |max|) / 100 (quantization.ts quantizeV2Range); outputs 1 and 2 are
 * (a, b), or SCALED's adjusted range. A node from TF ≥ 2.2 that carries `ensure_minimum_range`
 * gets 2.x's ε = max(1, |min|, |max|) · ensure_minimum_range instead.
 * Modes:
 * - MIN_FIRST (x86 path): QUANTIZE_WITH_EIGEN, f32 arithmetic, rounding halves away from zero.
 * - MIN_COMBINED: sf = f32((double)(highest − lowest) / f32(b − a)); unsigned T:
 *   trunc(f32(f32(f32(clamp(x) − a)·sf) + 0.5)); signed T: round(f32(f32(clamp(x) − a)·sf) − half).
 * - SCALED: scale = min(lowest/a if lowest·a > 0 else FLT_MAX, highest/b if highest·b > 0 else
 *   FLT_MAX); range (lowest/scale, highest/scale); round_mode(f32(clamp(x)·scale)).
 * round_mode HALF_TO_EVEN is allowed only with SCALED, as in TF.
 * MIN_FIRST to quint8 of an input in code form (src/runtime/codeForms.ts) quantizes the 256·depth
 * table values with quantizeMinFirst and looks the codes up: the same per-element function.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectInputCount, floatInput, opError} from '../opArgs.js'
import {allocate, type DType, type Tensor} from '../../core/tensor.js'
import {makeAttr} from '../../graph/attrs.js'
import {
  eigenQuantize,
  eigenQuantizer,
  floatToQuantized,
  quantizedType,
  quantizeV2Range,
  roundHalfAway,
  roundHalfEven,
  type QuantizedType,
} from '../quantization.js'
import {rangeScalar, scalarFloat, typeAttr} from './quantizedArgs.js'
import {lutByChannelU8Native, lutU8ToU8Native, nativeQuantizedKernels, quantizeU8Native} from '../../native/quantizedKernels.js'
import {codeFormOf, materialize} from '../codeForms.js'
import {markRectified, quantizedReluFollows} from '../fusedRelu.js'

const f32 = Math.fround
const FLT_MAX = 3.4028234663852886e38
const TYPES: DType[] = ['quint8', 'qint8', 'quint16', 'qint16', 'qint32']

type CodeArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array

/** x86 float → int32 conversion (cvttss2si): truncation, INT32_MIN when out of range or NaN. */
function toInt32(v: number): number {
  return v > -2147483649 && v < 2147483648 ? Math.trunc(v) : -2147483648
}

export function quantizeMinFirst(x: Float32Array, a: number, b: number, out: CodeArray, q: QuantizedType, start = 0, end = x.length): void {
  const e = eigenQuantizer(a, b, q)
  const {scale, offset, lower, upper} = e
  if (Number.isNaN(offset)) {
    for (let i = start; i < end; i++) out[i] = eigenQuantize(e, x[i])
    return
  }
  for (let i = start; i < end; i++) {
    const p = f32(x[i] * scale)
    const t = Math.trunc(p)
    const frac = p - t
    const r = frac >= 0.5 ? t + 1 : frac <= -0.5 ? t - 1 : t
    let v = f32(r - offset)
    if (v < lower) v = lower
    if (v > upper) v = upper
    out[i] = v === v ? v : -2147483648
  }
}

export function quantizeMinCombined(x: Float32Array, a: number, b: number, out: CodeArray, q: QuantizedType): void {
  const sf = f32((q.highest - q.lowest) / f32(b - a))
  if (!q.signed) {
    for (let i = 0; i < x.length; i++) {
      let c = x[i]
      if (b < c) c = b // cwiseMin(max_range)
      if (c < a) c = a // cwiseMax(min_range)
      out[i] = toInt32(f32(f32(f32(c - a) * sf) + 0.5))
    }
    return
  }
  const half = f32((q.highest - q.lowest + 1) / 2)
  for (let i = 0; i < x.length; i++) {
    let c = x[i]
    if (b < c) c = b
    if (c < a) c = a
    out[i] = toInt32(roundHalfAway(f32(f32(f32(c - a) * sf) - half)))
  }
}

/** SCALED mode; returns the adjusted range. */
export function quantizeScaled(x: Float32Array, a: number, b: number, out: CodeArray, q: QuantizedType, toEven: boolean): [number, number] {
  const lo = q.lowest
  const hi = q.highest
  const fromMin = f32(lo * a) > 0 ? f32(lo / a) : FLT_MAX
  const fromMax = f32(hi * b) > 0 ? f32(hi / b) : FLT_MAX
  const scale = fromMax < fromMin ? fromMax : fromMin
  const minRange = f32(lo / scale)
  const maxRange = f32(hi / scale)
  const round = toEven ? roundHalfEven : roundHalfAway
  for (let i = 0; i < x.length; i++) {
    let c = x[i]
    if (maxRange < c) c = maxRange
    if (c < minRange) c = minRange
    out[i] = toInt32(round(f32(c * scale)))
  }
  return [minRange, maxRange]
}

async function compute(ctx: OpContext): Promise<Tensor[]> {
  expectInputCount(ctx, 3)
  const {t: xt, data: x} = floatInput(ctx, 0, 'input')
  const inMin = rangeScalar(ctx, 1, 'min_range')
  const inMax = rangeScalar(ctx, 2, 'max_range')
  const dtype = typeAttr(ctx, 'T', TYPES)
  const q = quantizedType(dtype)!
  const mode = attr.string(ctx, 'mode')
  const roundMode = attr.string(ctx, 'round_mode')
  if (mode !== 'MIN_FIRST' && mode !== 'MIN_COMBINED' && mode !== 'SCALED') {
    throw opError(ctx, `mode must be 'MIN_COMBINED', 'MIN_FIRST' or 'SCALED', is '${mode}'`)
  }
  if (roundMode !== 'HALF_AWAY_FROM_ZERO' && roundMode !== 'HALF_TO_EVEN') {
    throw opError(ctx, `round_mode must be 'HALF_AWAY_FROM_ZERO' or 'HALF_TO_EVEN', is '${roundMode}'`)
  }
  if (roundMode === 'HALF_TO_EVEN' && mode !== 'SCALED') {
    throw opError(ctx, `round_mode 'HALF_TO_EVEN' is only supported for mode 'SCALED', but mode is '${mode}'`)
  }
  if (attr.optional(ctx, 'narrow_range', attr.bool, false)) throw opError(ctx, 'narrow_range = true is not supported (TF 1.14 has no narrow_range)')
  const axis = attr.optional(ctx, 'axis', attr.int, -1)
  if (axis !== -1) throw opError(ctx, `axis = ${axis} (per-channel quantization) is not supported (TF 1.14 has no axis)`)
  if (inMax < inMin) throw opError(ctx, `input_max_range must be larger than input_min_range (got min ${inMin}, max ${inMax})`)

  let [a, b] = quantizeV2Range(inMin, inMax)
  if (ctx.node.attr.ensure_minimum_range !== undefined) {
    // TF ≥ 2.2 semantics: ε = max(1, |min|, |max|) × ensure_minimum_range (a float multiply).
    const m = Math.max(1, Math.max(Math.abs(inMin), Math.abs(inMax)))
    const eps = f32(m * f32(attr.float(ctx, 'ensure_minimum_range')))
    const b1 = inMax < f32(a + eps) ? f32(a + eps) : inMax
    b = b1 > 0 ? b1 : 0
  }
  if (mode === 'MIN_FIRST' && dtype === 'quint8' && nativeQuantizedKernels(x.length)) {
    const form = codeFormOf(x)
    if (form) {
      const table = new Uint8Array(form.table.length)
      quantizeMinFirst(form.table, a, b, table, q)
      // A QuantizedRelu that alone reads these codes and this range: its clamp max(c, F2Q(0))
      // goes into the table (src/runtime/fusedRelu.ts); it passes the codes on.
      const relu = quantizedReluFollows(ctx) !== undefined
      if (relu) {
        const lo = floatToQuantized(0, f32(a), f32(b), q)
        for (let c = 0; c < table.length; c++) if (table[c] < lo) table[c] = lo
      }
      const out = outputArray(ctx, 'quint8', x.length) as Uint8Array
      const codes = form.depth === 1 ? await lutU8ToU8Native(form.codes, table, ctx.options.threads, out) : await lutByChannelU8Native(form.codes, table, form.depth, out, ctx.options.threads)
      if (relu) markRectified(ctx, codes)
      return [{dtype, shape: [...xt.shape], data: codes}, scalarFloat(a), scalarFloat(b)]
    }
    await materialize(x, ctx.options.threads)
    const codes = await quantizeU8Native(x, eigenQuantizer(a, b, q), ctx.options.threads, outputArray(ctx, 'quint8', x.length) as Uint8Array)
    return [{dtype, shape: [...xt.shape], data: codes}, scalarFloat(a), scalarFloat(b)]
  }
  await materialize(x, ctx.options.threads)
  const out = allocate(dtype, x.length) as CodeArray
  if (mode === 'MIN_FIRST') {
    quantizeMinFirst(x, a, b, out, q)
  } else if (mode === 'MIN_COMBINED') {
    quantizeMinCombined(x, a, b, out, q)
  } else {
    ;[a, b] = quantizeScaled(x, a, b, out, q, roundMode === 'HALF_TO_EVEN')
  }
  return [{dtype, shape: [...xt.shape], data: out}, scalarFloat(a), scalarFloat(b)]
}

registerOp({
  name: 'QuantizeV2',
  readsCodeForms: true,
  defaults: {mode: makeAttr.string('MIN_COMBINED'), round_mode: makeAttr.string('HALF_AWAY_FROM_ZERO')},
  compute,
})
