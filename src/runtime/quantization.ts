/**
 * TensorFlow 1.x's quantization arithmetic (tensorflow/core/kernels/quantization_utils.{h,cc}),
 * reproduced operation by operation so that every integer code and every float range comes out
 * bit for bit as TF's CPU kernels compute them.
 *
 * TF has two quantizers with different arithmetic, and both are needed:
 * - the double-precision reference functions (`FloatToQuantizedUnclamped`, `FloatToQuantized`,
 *   `QuantizedToFloat`): zero points of Relu and conv/matmul, QuantizedAdd, RequantizationRange;
 * - the Eigen float32 structs (`FloatToQuantizedStruct` + QUANTIZE_WITH_EIGEN,
 *   `QuantizedToFloatStruct` + DEQUANTIZE_WITH_EIGEN): QuantizeV2/Dequantize MIN_FIRST,
 *   QuantizedBiasAdd, QuantizedConcat.
 * Requantize qint32→quint8 uses a fixed-point formula of its own (`requantizeParams`).
 *
 * Conventions: JS numbers hold float32 values (Math.fround after every float operation) or doubles
 * where C++ uses double; C's round() is `roundHalfAway`. Eigen's `round()` inside these
 * expressions is the scalar std::round (ties away from zero): the casts to quantized types are not
 * vectorized, so every element goes through the scalar path. Checked in the TF 1.14.0 x86-64
 * wheel's binary: each QUANTIZE_WITH_EIGEN loop calls roundf per element (no packet rounding).
 */

const f32 = Math.fround

/** A quantized type's facts: bits, lowest and highest code. */
export interface QuantizedType {
  name: 'quint8' | 'qint8' | 'quint16' | 'qint16' | 'qint32'
  bits: number
  lowest: number
  highest: number
  signed: boolean
}

export const QUINT8: QuantizedType = {name: 'quint8', bits: 8, lowest: 0, highest: 255, signed: false}
export const QINT8: QuantizedType = {name: 'qint8', bits: 8, lowest: -128, highest: 127, signed: true}
export const QUINT16: QuantizedType = {name: 'quint16', bits: 16, lowest: 0, highest: 65535, signed: false}
export const QINT16: QuantizedType = {name: 'qint16', bits: 16, lowest: -32768, highest: 32767, signed: true}
export const QINT32: QuantizedType = {name: 'qint32', bits: 32, lowest: -2147483648, highest: 2147483647, signed: true}

export const QUANTIZED_TYPES: Record<QuantizedType['name'], QuantizedType> = {
  quint8: QUINT8,
  qint8: QINT8,
  quint16: QUINT16,
  qint16: QINT16,
  qint32: QINT32,
}

export function quantizedType(dtype: string): QuantizedType | undefined {
  return (QUANTIZED_TYPES as Record<string, QuantizedType>)[dtype]
}

// ------------------------------------------------------------------------------ rounding

/** C's round(): nearest integer, halves away from zero (exact for every double). */
export function roundHalfAway(x: number): number {
  const t = Math.trunc(x)
  const frac = x - t
  if (frac >= 0.5) return t + 1
  if (frac <= -0.5) return t - 1
  return t
}

/** Round half to even (rint in the default rounding mode). */
export function roundHalfEven(x: number): number {
  const t = Math.trunc(x)
  const frac = x - t
  if (frac > 0.5 || (frac === 0.5 && t % 2 !== 0)) return t + 1
  if (frac < -0.5 || (frac === -0.5 && t % 2 !== 0)) return t - 1
  return t
}

/**
 * f32(a × b) correctly rounded, for a an integer-valued double with |a| < 2^34 and b a float32.
 * A double product of such values can have more than 53 significant bits and be rounded twice
 * (once to double, once to float), which C++'s float multiply never does.
 */
export function f32Product(a: number, b: number): number {
  const p = a * b
  if (Math.abs(a) < 536870912) return f32(p) // ≤ 29 + 24 bits: the double product is exact
  // Exact error of the double product: split a into 17-bit halves (products stay exact).
  const ah = Math.trunc(a / 65536) * 65536
  const al = a - ah
  const hi = ah * b
  const lo = al * b
  const s = hi + lo
  const bb = s - hi
  const err = hi - (s - bb) + (lo - bb) // TwoSum: s + err == hi + lo exactly
  const r = f32(s)
  if (err === 0 || r === s) return r
  // s lies strictly between two floats; only an exact midpoint can round the wrong way.
  const other = r < s ? nextFloatUp(r) : nextFloatDown(r)
  const mid = (r + other) / 2
  if (s !== mid) return r
  // Tie at the double level: the true value is on err's side of the midpoint.
  return err > 0 ? Math.max(r, other) : Math.min(r, other)
}

const f32Buf = new Float32Array(1)
const u32Buf = new Uint32Array(f32Buf.buffer)

function nextFloatUp(x: number): number {
  f32Buf[0] = x
  if (x === 0) return 1.401298464324817e-45
  if (x > 0) u32Buf[0]++
  else u32Buf[0]--
  return f32Buf[0]
}

function nextFloatDown(x: number): number {
  return -nextFloatUp(-x)
}

// ------------------------------------------------------------------------------ int64 helpers

const INT64_MIN = -(2n ** 63n)

/**
 * static_cast<int64>(double) as x86-64 executes it: truncation toward zero; NaN and values
 * outside the int64 range give INT64_MIN (cvttsd2si's "integer indefinite").
 */
export function truncToInt64(x: number): bigint {
  if (!(x > -9223372036854775808 - 1 && x < 9223372036854775808)) return INT64_MIN
  return BigInt(Math.trunc(x))
}

/** An int64 converted to double and back (C++'s `cond ? 0.0 : int64` promotes to double). */
function int64ThroughDouble(v: bigint): bigint {
  return truncToInt64(Number(v))
}

// ------------------------------------------------------------------------------ double-precision reference

/**
 * FloatToQuantizedUnclamped<T>(x; min, max): the double-precision quantizer, unclamped (int64 as
 * a JS number; exact while |result| < 2^53, which covers every finite float32 input and range).
 * Two separate roundings: round(x·S) − round(min·S) + lowest, S = 2^n / (f32(max − min)·2^n/(2^n−1)).
 */
export function floatToQuantizedUnclamped(x: number, min: number, max: number, t: QuantizedType): number {
  if (min === max) return t.lowest
  const steps = 2 ** t.bits
  const rangeAdjust = steps / (steps - 1.0)
  const range = f32(max - min) * rangeAdjust
  const rangeScale = steps / range
  const d = roundHalfAway(x * rangeScale) - roundHalfAway(min * rangeScale)
  if (d >= -9223372036854775808 && d < 9223372036854775808) return d + t.lowest
  // The double → int64 conversion overflowed (or NaN): x86 gives INT64_MIN, and adding lowest
  // wraps around in int64.
  return Number(BigInt.asIntN(64, INT64_MIN + BigInt(t.lowest)))
}

/** FloatToQuantized<T>: the unclamped value clamped to [lowest, highest]. */
export function floatToQuantized(x: number, min: number, max: number, t: QuantizedType): number {
  const q = floatToQuantizedUnclamped(x, min, max, t)
  if (q > t.highest) return t.highest
  if (q < t.lowest || Number.isNaN(q)) return t.lowest
  return q
}

/**
 * How QuantizedToFloat's `range_min_rounded = round(min / f32(s)) · f32(s)` multiplies.
 * - 'float' (default): round() is the float overload, so the product is a float32 product widened
 *   to double. This is what TF 1.14 does: in the 1.14.0 x86-64 wheel, QuantizedToFloat<quint8>
 *   and <qint32> call roundf and multiply with vmulss. TF 2.x does the same.
 * - 'double': C's double round() and an exact double product (an unqualified `round(...)` in
 *   old sources could resolve this way). Kept as a research knob only.
 * The two differ by at most half a float ulp of the product (docs: hazard H5).
 */
export type RangeMinRounding = 'float' | 'double'
// AXQ_RANGE_MIN_ROUNDING=double selects the other reading for a whole run (a research knob).
let rangeMinRounding: RangeMinRounding = process.env.AXQ_RANGE_MIN_ROUNDING === 'double' ? 'double' : 'float'

export function setRangeMinRounding(mode: RangeMinRounding): void {
  rangeMinRounding = mode
}

export function getRangeMinRounding(): RangeMinRounding {
  return rangeMinRounding
}

/** QuantizedToFloat<T>(q; min, max): the double-precision dequantizer, result float32. */
export function quantizedToFloat(q: number, min: number, max: number, t: QuantizedType): number {
  if (min === max) return min
  const steps = 2 ** t.bits
  const rangeAdjust = steps / (steps - 1.0)
  const range = f32(max - min) * rangeAdjust
  const rangeScale = range / steps
  // static_cast<double>(input): Eigen's QInt32 converts to arithmetic types only through its
  // `operator float()`, so a qint32 code is rounded to float32 first (the 1.14 binary converts
  // with vcvtsi2ss before widening to double).
  const offsetInput = (t.bits === 32 ? f32(q) : q) - t.lowest
  const scaleF = f32(rangeScale)
  const r = roundHalfAway(f32(min / scaleF))
  const rangeMinRounded = rangeMinRounding === 'float' ? f32Product(r, scaleF) : r * scaleF
  return f32(rangeMinRounded + offsetInput * rangeScale)
}

/** RequantizeInNewRange<T1,T2>: FloatToQuantized(QuantizedToFloat(q)). */
export function requantizeInNewRange(
  q: number,
  minIn: number,
  maxIn: number,
  tIn: QuantizedType,
  minOut: number,
  maxOut: number,
  tOut: QuantizedType,
): number {
  return floatToQuantized(quantizedToFloat(q, minIn, maxIn, tIn), minOut, maxOut, tOut)
}

/** FloatForOneQuantizedLevel<T>: f32(f32(max − min) / (highest − lowest)). */
export function floatForOneQuantizedLevel(min: number, max: number, t: QuantizedType): number {
  return f32(f32(max - min) / (t.highest - t.lowest))
}

/**
 * QuantizationRangeForMultiplication<T1,T2,T3>: the range of the product of codes of two
 * ranges, (L·lowest3, L·highest3) with L = f32(level_a × level_b). For qint32 output the range is
 * exactly symmetric, because (float)2147483647 is 2^31.
 */
export function quantizationRangeForMultiplication(
  minA: number,
  maxA: number,
  minB: number,
  maxB: number,
  tA: QuantizedType = QUINT8,
  tB: QuantizedType = QUINT8,
  tC: QuantizedType = QINT32,
): [number, number] {
  const la = floatForOneQuantizedLevel(minA, maxA, tA)
  const lb = floatForOneQuantizedLevel(minB, maxB, tB)
  const lc = f32(la * lb)
  return [f32(lc * f32(tC.lowest)), f32(lc * f32(tC.highest))]
}

/** std::max(a, b) for floats: returns a unless a < b (keeps the first of equal values, e.g. ±0). */
function cmax(a: number, b: number): number {
  return a < b ? b : a
}

/**
 * GetOutputMinAndMaxForQuantizedAdd (quantization_utils.cc), the range QuantizedBiasAdd adds in:
 * M = max(input_max, −input_min, smaller_max, −smaller_min); (−f32(M·2^17), f32(M·2^17)).
 */
export function outputRangeForQuantizedAdd(inMin: number, inMax: number, smallMin: number, smallMax: number): [number, number] {
  const m = cmax(inMax, cmax(-inMin, cmax(smallMax, -smallMin)))
  const outMax = f32(m * 131072)
  return [-outMax, outMax]
}

/**
 * The 8→32-bit linear map of QuantizedAdd's x86 specializations: code q maps to
 * clamp_int32(c0 + q·mult), with c0 = F2Q_unclamped<qint32>(Q2F<quint8>(0)), mult = c1 − c0 (int32).
 */
export interface LinearRequantizer {
  c0: number
  mult: number
}

export function linearRequantizer8To32(min: number, max: number, outMin: number, outMax: number): LinearRequantizer {
  const f0 = quantizedToFloat(0, min, max, QUINT8)
  const f1 = quantizedToFloat(1, min, max, QUINT8)
  const c0 = floatToQuantizedUnclamped(f0, outMin, outMax, QINT32)
  const c1 = floatToQuantizedUnclamped(f1, outMin, outMax, QINT32)
  return {c0, mult: Number(BigInt.asIntN(32, BigInt(c1 - c0)))}
}

/** Apply a LinearRequantizer to one code (int64 arithmetic, clamped to int32). */
export function applyLinearRequantizer(r: LinearRequantizer, q: number): number {
  const v = r.c0 + q * r.mult
  if (v > 2147483647) return 2147483647
  if (v < -2147483648) return -2147483648
  return v
}

// ------------------------------------------------------------------------------ Eigen float32 structs

/** FloatToQuantizedStruct<T> + QUANTIZE_WITH_EIGEN, precomputed for one range. */
export interface EigenQuantizer {
  /** f32((2^n − 1) / (double)f32(max − min)), 0 when min == max. */
  scale: number
  /** f32(range_min_scaled − lowest), with range_min_scaled = round(f32(min × scale)). */
  offset: number
  lower: number
  upper: number
}

export function eigenQuantizer(min: number, max: number, t: QuantizedType): EigenQuantizer {
  const steps = 2 ** t.bits
  const scale = min === max ? 0 : f32((steps - 1.0) / f32(max - min))
  const minScaled = roundHalfAway(f32(min * scale))
  const lowestF = f32(t.lowest)
  return {
    scale,
    offset: f32(minScaled - lowestF),
    lower: cmax(lowestF, -2147483648),
    upper: Math.min(f32(t.highest), 2147483520),
  }
}

/**
 * One element of QUANTIZE_WITH_EIGEN: clamp(f32(round(f32(x·scale)) − offset)), then the casts
 * to int32 and T (truncation; NaN passes the clamps and converts to INT32_MIN as on x86).
 */
export function eigenQuantize(e: EigenQuantizer, x: number): number {
  let v = f32(roundHalfAway(f32(x * e.scale)) - e.offset)
  if (v < e.lower) v = e.lower // cwiseMax
  if (v > e.upper) v = e.upper // cwiseMin
  if (Number.isNaN(v)) return -2147483648
  return v // an integer in [lower, upper] already
}

/** QuantizedToFloatStruct<T> + DEQUANTIZE_WITH_EIGEN, precomputed for one range. */
export interface EigenDequantizer {
  /** f32((double)f32(max − min) / (2^n − 1)). */
  scale: number
  /** f32(range_min_rounded − f32(lowest × scale)). */
  base: number
}

export function eigenDequantizer(min: number, max: number, t: QuantizedType): EigenDequantizer {
  const steps = 2 ** t.bits
  const scale = f32(f32(max - min) / (steps - 1.0))
  const minRounded = max === min ? min : f32Product(roundHalfAway(f32(min / scale)), scale)
  return {scale, base: f32(minRounded - f32(f32(t.lowest) * scale))}
}

/** One element of DEQUANTIZE_WITH_EIGEN: f32(base + f32((float)q × scale)). */
export function eigenDequantize(d: EigenDequantizer, q: number): number {
  return f32(d.base + f32(f32(q) * d.scale))
}

/** Eigen requantization between two ranges (RequantizeManyInNewRangeUsingEigen's generic form). */
export function eigenRequantize(q: number, d: EigenDequantizer, e: EigenQuantizer): number {
  return eigenQuantize(e, eigenDequantize(d, q))
}

// ------------------------------------------------------------------------------ Requantize (fixed point)

/**
 * The constants of RequantizeManyInNewRangeUsingEigen<qint32, quint8> (fixed point, 16 fractional
 * bits), computed with the same float/double mix and int64 truncations as TF:
 *   IR = f32(in_max − in_min), OR = f32(out_max − out_min)
 *   RO = OR == 0 ? 0 : f32(255.0 / OR);  Z = f32((double)f32(in_min + in_max) / 2.0)
 *   RS = OR == 0 ? 0 : (double)(int64)(255.0 · 65536 · IR / OR)   (the ?: promotes to double)
 *   IO = (int64) f32(f32(Z · RO) · 65536)
 *   OO = OR == 0 ? 0 : (int64)(65536 · (out_min · 255.0) / OR)
 * Per element: t = ((int64)(float)x · RS) >> 32 (int64, wrapping), q = clamp((t + IO − OO +
 * 32768) >> 16, 0, 255). The (float) is real: the Eigen expression casts the qint32 tensor to
 * int64, and Eigen's QInt32 converts to arithmetic types only through `operator float()`, so
 * codes beyond ±2^24 are rounded to float32 first (the TF 1.14 binary's loop is vcvtsi2ss,
 * vcvttss2si, imul, sar 32, add, sar 16; TF 2.x agrees; e.g. x = 2^31 − 2 requantizes like 2^31).
 */
export interface RequantizeParams {
  /** RS split for exact per-element arithmetic: RS = rsHigh·2^32 + rsLow, rsLow in [0, 2^32). */
  rsHigh: number
  rsLowHi: number
  rsLowLo: number
  /** IO − OO + 32768 as a double when exact (|C| < 2^52), else undefined (slow BigInt path). */
  offset: number | undefined
  offsetBig: bigint
  rangeScale: bigint
}

export function requantizeParams(inMin: number, inMax: number, outMin: number, outMax: number): RequantizeParams {
  const inputRange = f32(inMax - inMin)
  const outputRange = f32(outMax - outMin)
  const recipOutputRange = outputRange === 0 ? 0 : f32(255.0 / outputRange)
  const inputRezero = f32(f32(inMin + inMax) / 2.0)
  const rangeScale = outputRange === 0 ? 0n : int64ThroughDouble(truncToInt64(((255.0 * 65536) * inputRange) / outputRange))
  const inputOffset = truncToInt64(f32(f32(inputRezero * recipOutputRange) * 65536))
  const outputOffset = outputRange === 0 ? 0n : truncToInt64((65536 * (outMin * 255.0)) / outputRange)
  const offsetBig = BigInt.asIntN(64, inputOffset - outputOffset + 32768n)
  const rsHigh = Number(BigInt.asIntN(32, rangeScale >> 32n))
  const rsLow = Number(rangeScale & 0xffffffffn)
  const rsLowHi = Math.floor(rsLow / 65536)
  const offsetNum = Number(offsetBig)
  return {
    rsHigh,
    rsLowHi,
    rsLowLo: rsLow - rsLowHi * 65536,
    offset: Math.abs(offsetNum) < 2 ** 52 ? offsetNum : undefined,
    offsetBig,
    rangeScale,
  }
}

/** (x · RS) >> 32 with int64 wraparound, for int32 x: the high half as an int32. */
function scaledHigh(p: RequantizeParams, x: number): number {
  // x·RS = x·rsHigh·2^32 + x·rsLow; the shifted value is x·rsHigh + floor(x·rsLow / 2^32),
  // wrapped to int32. x·rsLow = (x·rsLowHi)·2^16 + x·rsLowLo, each product exact in double.
  const p0 = x * p.rsLowLo
  const p1 = x * p.rsLowHi
  const low = Math.floor((p1 + Math.floor(p0 / 65536)) / 65536)
  return (Math.imul(x, p.rsHigh) + low) | 0
}

/** One qint32 code requantized to quint8 with precomputed params. */
export function requantizeOne(p: RequantizeParams, x: number): number {
  const t = scaledHigh(p, f32(x))
  if (p.offset !== undefined) {
    const v = Math.floor((t + p.offset) / 65536)
    return v < 0 ? 0 : v > 255 ? 255 : v
  }
  const v = BigInt.asIntN(64, BigInt(t) + p.offsetBig) >> 16n
  return v < 0n ? 0 : v > 255n ? 255 : Number(v)
}

/** Requantize a whole qint32 array into quint8 codes (the Requantize kernel's inner loop). */
export function requantizeMany(
  input: Int32Array,
  inMin: number,
  inMax: number,
  outMin: number,
  outMax: number,
  output: Uint8Array,
  start = 0,
  end = input.length,
): void {
  const p = requantizeParams(inMin, inMax, outMin, outMax)
  if (p.offset === undefined) {
    for (let i = start; i < end; i++) output[i] = requantizeOne(p, input[i])
    return
  }
  const {rsHigh, rsLowHi, rsLowLo, offset} = p
  for (let i = start; i < end; i++) {
    const x = f32(input[i]) // may be 2^31: still exact in the products below
    const low = Math.floor((x * rsLowHi + Math.floor((x * rsLowLo) / 65536)) / 65536)
    const t = (Math.imul(x, rsHigh) + low) | 0
    const v = Math.floor((t + offset) / 65536)
    output[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
}

/**
 * RequantizationRange's output range for a qint32 tensor whose smallest and largest codes are
 * given: (min(0, Q2F(mn)), Q2F(mx)); the max is not clamped at 0.
 */
export function requantizationRange(mn: number, mx: number, inMin: number, inMax: number): [number, number] {
  const lo = quantizedToFloat(mn, inMin, inMax, QINT32)
  const hi = quantizedToFloat(mx, inMin, inMax, QINT32)
  return [lo < 0 ? lo : 0, hi]
}

// ------------------------------------------------------------------------------ QuantizeV2 range

/**
 * QuantizeV2's range adjustment in TF 1.14 (quantize_op.cc), in float32:
 *   a = min(0, in_min); ε = max(1, |in_min|, |in_max|) / 100.0f (from the unadjusted inputs);
 *   b = max(0, max(in_max, a + ε)).
 * (TF ≥ 2.2 multiplies by the ensure_minimum_range attr, 0.01f, instead of dividing by 100.)
 */
export function quantizeV2Range(inMin: number, inMax: number): [number, number] {
  const a = inMin < 0 ? inMin : 0
  const eps = f32(cmax(1, cmax(Math.abs(inMin), Math.abs(inMax))) / 100)
  const b1 = cmax(inMax, f32(a + eps))
  return [a, cmax(0, b1)]
}
