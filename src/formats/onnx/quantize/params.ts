/**
 * The arithmetic of onnxruntime's static quantization (quantize_static, MinMax ranges): integer
 * ranges per type, scale and zero point from a real range, and the quantization of weights,
 * per tensor or per channel, and of biases. Every rule follows onnxruntime's
 * python/onnxruntime/quantization (quant_utils.py, base_quantizer.py) so that the same ranges give
 * the same bytes:
 *
 * - the real range always includes 0 (rmin = min(rmin, 0), rmax = max(rmax, 0), in float32);
 * - symmetric: the range becomes [-absmax, absmax] and the zero point is round((qmin + qmax) / 2),
 *   so 0 for int8 and 128 for uint8; int8 weights are symmetric by default, on [-127, 127];
 * - scale = (rmax - rmin) / (qmax - qmin) in float64, stored as float32; a scale below the
 *   smallest normal float32 becomes 1 with zero point 0;
 * - asymmetric zero point = round(qmin - rmin / scale) with the float64 scale;
 * - values: q = clip(round(x / scale) + zeroPoint) with x / scale in float32 (float32 scale);
 * - reduce_range (weights only): uint8 [0, 127], int8 [-64, 64];
 * - bias: int32, scale = inputScale × weightScale (× Gemm's beta) in float32, q = round(bias / scale) in float64,
 *   clipped to int32, zero point 0.
 * All rounding is half to even (numpy.round).
 */
import {roundHalfEven} from '../../../runtime/quantization.js'

export type QuantType = 'uint8' | 'int8'

export interface QuantParams {
  /** float32 value */
  scale: number
  zeroPoint: number
}

export interface RangeOptions {
  symmetric?: boolean
  reduceRange?: boolean
}

const FULL: Record<QuantType, [number, number]> = {uint8: [0, 255], int8: [-128, 127]}
const REDUCED: Record<QuantType, [number, number]> = {uint8: [0, 127], int8: [-64, 64]}
const SYMMETRIC: Record<QuantType, [number, number]> = {uint8: [0, 255], int8: [-127, 127]}
/** smallest normal float32 (numpy.finfo(float32).tiny) */
const FLOAT32_TINY = 2 ** -126

/** [qmin, qmax] for a type, as onnxruntime's get_qmin_qmax_for_qType. */
export function quantRange(type: QuantType, options: RangeOptions = {}): [number, number] {
  if (options.reduceRange) return REDUCED[type]
  return options.symmetric ? SYMMETRIC[type] : FULL[type]
}

/** Scale and zero point for the real range [rmin, rmax] (float32 values) and [qmin, qmax]. */
export function scaleZeroPoint(rmin: number, rmax: number, qmin: number, qmax: number, symmetric = false): QuantParams {
  let lo = Math.min(Math.fround(rmin), 0)
  let hi = Math.max(Math.fround(rmax), 0)
  if (symmetric) {
    const absmax = Math.max(Math.abs(lo), Math.abs(hi))
    lo = -absmax
    hi = absmax
  }
  const scale = (hi - lo) / (qmax - qmin)
  if (!(scale >= FLOAT32_TINY)) return {scale: 1, zeroPoint: 0}
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - lo / scale)
  return {scale: Math.fround(scale), zeroPoint}
}

/** Quantize float32 values with one float32 scale and zero point (onnxruntime's quantize_nparray). */
export function quantizeValues(
  values: ArrayLike<number>,
  params: QuantParams,
  type: QuantType,
  out: Int8Array | Uint8Array = type === 'int8' ? new Int8Array(values.length) : new Uint8Array(values.length),
  offset = 0,
  stride = 1,
): Int8Array | Uint8Array {
  const [qmin, qmax] = FULL[type]
  const scale = Math.fround(params.scale)
  for (let i = 0; i < values.length; i++) {
    const q = Math.fround(roundHalfEven(Math.fround(values[i] / scale)) + params.zeroPoint)
    out[offset + i * stride] = q < qmin ? qmin : q > qmax ? qmax : q
  }
  return out
}

export interface QuantizedWeight {
  type: QuantType
  /** same shape as the float weight */
  data: Int8Array | Uint8Array
  /** one per tensor, or one per channel along axis */
  scales: Float32Array
  zeroPoints: number[]
  /** undefined when per tensor */
  axis?: number
}

export interface WeightOptions extends RangeOptions {
  /** quantize per channel along this axis */
  axis?: number
}

/** Min and max of runs of `run` values starting at `first`, every `step`, below `end`. */
function minMax(values: Float32Array, first: number, run: number, step: number, end: number): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (let start = first; start < end; start += step) {
    for (let i = start; i < start + run; i++) {
      const v = values[i]
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0]
}

/** Quantize a float32 weight of shape dims, per tensor or (options.axis) per channel. */
export function quantizeWeight(data: Float32Array, dims: readonly number[], type: QuantType, options: WeightOptions = {}): QuantizedWeight {
  const symmetric = options.symmetric ?? false
  const [qmin, qmax] = quantRange(type, options)
  const params = (lo: number, hi: number, n: number) => (n ? scaleZeroPoint(lo, hi, qmin, qmax, symmetric) : {scale: 1, zeroPoint: 0})
  if (options.axis === undefined) {
    const [lo, hi] = minMax(data, 0, data.length, data.length, data.length)
    const p = params(lo, hi, data.length)
    return quantizeWithParams(data, dims, type, Float32Array.of(p.scale), [p.zeroPoint])
  }
  const axis = options.axis < 0 ? options.axis + dims.length : options.axis
  if (axis < 0 || axis >= dims.length) throw new RangeError(`quantization axis ${options.axis} is out of range for a weight of rank ${dims.length}`)
  const channels = dims[axis]
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1)
  const scales = new Float32Array(channels)
  const zeroPoints: number[] = []
  for (let c = 0; c < channels; c++) {
    const [lo, hi] = minMax(data, c * inner, inner, channels * inner, data.length)
    const p = params(lo, hi, data.length / channels)
    scales[c] = p.scale
    zeroPoints.push(p.zeroPoint)
  }
  return quantizeWithParams(data, dims, type, scales, zeroPoints, axis)
}

/** Quantize with given scales and zero points: one (per tensor) or one per channel along axis. */
export function quantizeWithParams(
  data: Float32Array,
  dims: readonly number[],
  type: QuantType,
  scales: Float32Array,
  zeroPoints: number[],
  axis?: number,
): QuantizedWeight {
  const out = type === 'int8' ? new Int8Array(data.length) : new Uint8Array(data.length)
  if (axis === undefined) {
    quantizeValues(data, {scale: scales[0], zeroPoint: zeroPoints[0]}, type, out)
    return {type, data: out, scales, zeroPoints}
  }
  const channels = dims[axis]
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1)
  for (let start = 0; start < data.length; start += inner) {
    const c = (start / inner) % channels
    quantizeValues(data.subarray(start, start + inner), {scale: scales[c], zeroPoint: zeroPoints[c]}, type, out, start)
  }
  return {type, data: out, scales, zeroPoints, axis}
}

export interface QuantizedBias {
  data: Int32Array
  /** float32, one per weight scale */
  scales: Float32Array
}

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1

/**
 * Quantize a bias to int32 with scale inputScale × weightScale (per output channel when the weight
 * has one scale per channel), as onnxruntime's quantize_bias_static_impl.
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array, beta = 1): QuantizedBias {
  const scales = new Float32Array(weightScales.length)
  for (let i = 0; i < scales.length; i++) scales[i] = Math.fround(Math.fround(Math.fround(inputScale) * weightScales[i]) * Math.fround(beta))
  const data = new Int32Array(bias.length)
  for (let i = 0; i < bias.length; i++) {
    const s = scales.length === 1 ? scales[0] : scales[i]
    const q = roundHalfEven(bias[i] / s)
    data[i] = q < INT32_MIN ? INT32_MIN : q > INT32_MAX ? INT32_MAX : q
  }
  return {data, scales}
}

/** A tensor's calibrated real range (float32 values). */
export interface TensorRange {
  lowest: number
  highest: number
}

/** Scale and zero point of an activation from its calibrated range (asymmetric unless asked). */
export function activationParams(range: TensorRange, type: QuantType, symmetric = false): QuantParams {
  const [qmin, qmax] = quantRange(type, {symmetric})
  return scaleZeroPoint(range.lowest, range.highest, qmin, qmax, symmetric)
}
