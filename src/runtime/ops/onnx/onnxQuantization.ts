/**
 * onnxruntime's CPU quantization arithmetic (MLAS), in float32 like its kernels:
 * - QuantizeLinear: q = clamp(x / scale, lo − zp, hi − zp), rounded half to even, + zp
 *   (MlasQuantizeLinear: division, then min/max, then cvtps2dq).
 * - Requantization of int32 accumulators (MlasRequantizeOutput): float(acc) · scale, clamped,
 *   rounded half to even, + zp; the scale of QLinearConv/QGemm/QLinearMatMul is
 *   (x_scale · w_scale) / y_scale in float32.
 * - DequantizeLinear: float(q − zp) · scale.
 */
const f = Math.fround

/** Round half to even (the x86 default rounding of cvtps2dq and nearbyintf). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v)
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r
}

export interface QuantRange {
  lo: number
  hi: number
}

export const UINT8: QuantRange = {lo: 0, hi: 255}
export const INT8: QuantRange = {lo: -128, hi: 127}

export function rangeOf(dtype: string): QuantRange {
  return dtype === 'int8' ? INT8 : UINT8
}

export function quantize(x: number, scale: number, zp: number, range: QuantRange): number {
  let v = f(x / scale)
  const lo = range.lo - zp
  const hi = range.hi - zp
  // MAXPS/MINPS return the second operand when the first is NaN: NaN becomes lo.
  v = v > lo ? v : lo
  v = v < hi ? v : hi
  return roundHalfEven(v) + zp
}

export function requantize(acc: number, scale: number, zp: number, range: QuantRange): number {
  let v = f(f(acc) * scale)
  const lo = range.lo - zp
  const hi = range.hi - zp
  if (v < lo) v = lo
  if (v > hi) v = hi
  return roundHalfEven(v) + zp
}

export function dequantize(q: number, scale: number, zp: number): number {
  return f(f(q - zp) * scale)
}

/** (x_scale · w_scale) / y_scale in float32, as QLinearConv's ComputeOutputScale. */
export function outputScale(xScale: number, wScale: number, yScale: number): number {
  return f(f(xScale * wScale) / yScale)
}

/** The bytes of uint8 or int8 codes (int8 codes as their two's-complement bytes), shared. */
export function codeBytes(codes: Uint8Array | Int8Array): Uint8Array {
  return new Uint8Array(codes.buffer, codes.byteOffset, codes.length)
}
