/**
 * The double-precision quantizer quantize_weights uses (TensorFlow quantization_utils.h
 * `FloatToQuantizedUnclamped`/`FloatToQuantized<quint8>`), and quantize_weights' range rule.
 * Kept here so the transform does not depend on the runtime's kernels.
 */

/** C/C++ round(): halves away from zero. */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v)
}

/** FloatToQuantized<quint8>(x, min, max): two roundings, clamped to [0, 255]. */
export function floatToQuantizedU8(x: number, min: number, max: number): number {
  if (min === max) return 0
  const range = Math.fround(max - min) * (256 / 255.0)
  const scale = 256 / range
  const q = roundHalfAway(x * scale) - roundHalfAway(min * scale)
  return q < 0 ? 0 : q > 255 ? 255 : q
}

/**
 * quantize_weights' range: min/max over the values (starting from FLT_MAX / FLT_MIN as C++ does),
 * widened to include 0; a degenerate range becomes [min, min+1], [min, 2·min] or [min, min/2].
 */
export function quantizationRangeOfWeights(values: Float32Array): [number, number] {
  let min = 3.4028234663852886e38
  let max = 1.1754943508222875e-38
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v < min) min = v
    if (max < v) max = v
  }
  min = 0 < min ? 0 : min // std::min(min, 0.0f)
  max = 0 < max ? max : 0 // std::max(0.0f, max)
  if (min === max) {
    if (Math.abs(min) < Math.fround(0.000001)) max = Math.fround(min + 1)
    else if (min > 0) max = Math.fround(2 * min)
    else max = Math.fround(min / 2)
  }
  return [min, max]
}
