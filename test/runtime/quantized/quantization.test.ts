// Hand-computed checks of TensorFlow's quantization arithmetic (src/runtime/quantization.ts).
import t from 'tap'
import {
  eigenDequantize,
  eigenDequantizer,
  eigenQuantize,
  eigenQuantizer,
  f32Product,
  floatToQuantized,
  floatToQuantizedUnclamped,
  getRangeMinRounding,
  linearRequantizer8To32,
  outputRangeForQuantizedAdd,
  QINT32,
  QINT8,
  quantizationRangeForMultiplication,
  quantizedToFloat,
  quantizeV2Range,
  QUINT8,
  requantizationRange,
  requantizeMany,
  requantizeParams,
  roundHalfAway,
  roundHalfEven,
  setRangeMinRounding,
  truncToInt64,
} from '../../../src/runtime/quantization.js'

const f = Math.fround

t.test('C round() and round-half-to-even', async (t) => {
  t.same([2.5, -2.5, 1.5, 0.5, -0.5, 0.49999999999999994, 3.7, -3.7].map(roundHalfAway), [3, -3, 2, 1, -1, 0, 4, -4])
  t.same([2.5, -2.5, 3.5, -3.5, 0.5, 1.5, 2.4].map(roundHalfEven), [2, -2, 4, -4, 0, 2, 2])
})

t.test('f32Product rounds the exact product once', async (t) => {
  t.equal(f32Product(3, f(0.1)), f(3 * f(0.1)))
  // 2^31 + 1 times (1 + 2^-23): the exact product needs 55 bits; the double product rounds it.
  const a = 2147483649
  const b = f(1 + 2 ** -23)
  const exact = BigInt(a) * BigInt(2 ** 23 + 1) // × 2^-23
  t.equal(f32Product(a, b), f(Number(exact) / 2 ** 23))
})

t.test('int64 conversion as x86 executes it', async (t) => {
  t.equal(truncToInt64(-2.9), -2n)
  t.equal(truncToInt64(1e30), -(2n ** 63n))
  t.equal(truncToInt64(NaN), -(2n ** 63n))
})

t.test('FloatToQuantized (double-precision reference)', async (t) => {
  // [-1, 1]: S = 256 / (2·256/255) = 127.5, zero point = −round(−127.5) = 128 (ties away).
  t.equal(floatToQuantized(0, -1, 1, QUINT8), 128)
  t.equal(floatToQuantized(1, -1, 1, QUINT8), 255)
  t.equal(floatToQuantized(-1, -1, 1, QUINT8), 0)
  // [0, 6]: S = 42.5, so 3 → round(127.5) = 128 and 6 → 255.
  t.equal(floatToQuantized(3, 0, 6, QUINT8), 128)
  t.equal(floatToQuantized(6, 0, 6, QUINT8), 255)
  // A range that excludes 0: [2, 5], S = 85. The zero point is below the codes.
  t.equal(floatToQuantizedUnclamped(0, 2, 5, QUINT8), -170)
  t.equal(floatToQuantized(0, 2, 5, QUINT8), 0)
  t.equal(floatToQuantized(0, -5, -2, QUINT8), 255)
  // min == max: lowest.
  t.equal(floatToQuantized(7, 2, 2, QUINT8), 0)
  t.equal(floatToQuantized(7, 2, 2, QINT32), -2147483648)
  // qint32 [-1, 1]: S = 2^32/(2·(1+2^-32)) = 2^31 − 0.5; zero = −round(−(2^31 − 0.5)) − 2^31 = 0.
  t.equal(floatToQuantized(0, -1, 1, QINT32), 0)
  // The double → int64 conversion overflows (x86: INT64_MIN), then clamps to the lowest code.
  t.equal(floatToQuantized(1e30, 0, 6, QUINT8), 0)
})

t.test('QuantizedToFloat (double-precision reference)', async (t) => {
  t.equal(quantizedToFloat(9, 3, 3, QUINT8), 3, 'min == max gives min')
  t.equal(quantizedToFloat(0, 0, 255, QUINT8), 0)
  t.equal(quantizedToFloat(255, 0, 255, QUINT8), 255)
  // A power-of-two qint32 range [−2048, 2048]: one level is 2^-20·(1 + 2^-32), the rounded
  // minimum is exactly −2048, and codes land half a level up: q → (q + 1/2)·2^-20.
  t.equal(quantizedToFloat(50, -2048, 2048, QINT32), 50.5 * 2 ** -20)
  t.equal(quantizedToFloat(-100, -2048, 2048, QINT32), -99.5 * 2 ** -20)
})

t.test('QuantizedToFloat: the two readings of range_min_rounded (hazard H5)', async (t) => {
  t.equal(getRangeMinRounding(), 'float', 'float32 product by default, as current TF')
  const [a, b] = [f(-5.13870096206665), f(1.7674131393432617)]
  const floatReading = quantizedToFloat(1, a, b, QUINT8)
  setRangeMinRounding('double')
  t.teardown(() => setRangeMinRounding('float'))
  const doubleReading = quantizedToFloat(1, a, b, QUINT8)
  t.equal(floatReading, f(-5.118649005889893))
  t.equal(doubleReading, f(-5.118649482727051))
  t.equal(quantizedToFloat(0, a, b, QUINT8), (setRangeMinRounding('float'), quantizedToFloat(0, a, b, QUINT8)), 'code 0 agrees')
})

t.test('QuantizationRangeForMultiplication and the QuantizedBiasAdd range', async (t) => {
  // Levels 2/255 and 1 → L = f32(2/255); the range is exactly symmetric (float(2^31−1) = 2^31).
  const l = f(2 / 255)
  t.same(quantizationRangeForMultiplication(-1, 1, 0, 255), [-l * 2 ** 31, l * 2 ** 31])
  t.same(outputRangeForQuantizedAdd(-1.5, 2, -0.5, 3), [-3 * 131072, 3 * 131072])
  t.same(outputRangeForQuantizedAdd(-4, 2, -0.5, 3), [-4 * 131072, 4 * 131072])
})

t.test('QuantizeV2 range adjustment (TF 1.14: ε = max(1,|min|,|max|)/100)', async (t) => {
  t.same(quantizeV2Range(0, 0), [0, f(0.01)], 'all-zero input')
  t.same(quantizeV2Range(2, 5), [0, 5], 'min raised to 0')
  t.same(quantizeV2Range(-5, -2), [-5, 0], 'max raised to 0')
  t.same(quantizeV2Range(3, 3), [0, 3])
  t.same(quantizeV2Range(-2, -2), [-2, 0])
  t.same(quantizeV2Range(f(-1e-6), f(1e-6)), [f(-1e-6), f(f(-1e-6) + f(0.01))], 'tiny range widened to about 1%')
  // Where dividing by 100 and multiplying by 0.01f differ (TF ≥ 2.2 multiplies):
  const m = f(2.109999895095825)
  t.equal(quantizeV2Range(-m, -m)[1], 0)
  t.equal(quantizeV2Range(0, f(0.02))[1], f(0.02))
  t.equal(quantizeV2Range(-m, f(-m + 0.0001))[1], 0)
  t.equal(f(m / 100), f(0.0210999995470047))
  t.not(f(m / 100), f(m * f(0.01)))
})

t.test('Eigen float quantizer and dequantizer', async (t) => {
  // [0, 255]: scale 1, offset 0 — ties round away from zero (std::round).
  const e = eigenQuantizer(0, 255, QUINT8)
  t.same([0.5, 1.5, 2.5, -0.4, -0.5, 254.5, 300].map((x) => eigenQuantize(e, x)), [1, 2, 3, 0, 0, 255, 255])
  // min == max: scale 0, every input maps to the lowest code.
  t.equal(eigenQuantize(eigenQuantizer(2, 2, QUINT8), 100), 0)
  t.equal(eigenQuantize(eigenQuantizer(-2, 2, QINT8), 100), 127)
  // NaN passes the clamps and converts to INT32_MIN (low byte 0).
  t.equal(eigenQuantize(e, NaN), -2147483648)
  const d = eigenDequantizer(-1, 1, QUINT8)
  t.equal(d.scale, f(2 / 255))
  t.equal(eigenDequantize(d, 0), f(roundHalfAway(f(-1 / d.scale)) * d.scale))
  t.equal(eigenDequantize(eigenDequantizer(4, 4, QUINT8), 200), f(4 + f(200 * 0)), 'min == max: scale 0, value min')
})

t.test('Requantize fixed point', async (t) => {
  const run = (x: number[], inMin: number, inMax: number, outMin: number, outMax: number) => {
    const out = new Uint8Array(x.length)
    requantizeMany(Int32Array.from(x), inMin, inMax, outMin, outMax, out)
    return [...out]
  }
  // [-1, 1] → [0, 6]: RS = 255·65536·2/6 = 5570560, no offsets. 2^30 (real 0.5) → 21.25 → 21.
  t.same(run([0, 2 ** 30, -(2 ** 30), 2 ** 29], -1, 1, 0, 6), [0, 21, 0, 11])
  // The input goes through float: 2^31 − 2 rounds to 2^31 and requantizes to 43, not 42.
  t.same(run([2147483646, 2147483000], -1, 1, 0, 6), [43, 42])
  // [-1, 1] → [-3, 3]: OO = trunc(65536·(−765)/6) = −8355840; zero → (8355840 + 32768) >> 16 = 128.
  t.same(run([0], -1, 1, -3, 3), [128])
  const p = requantizeParams(-1, 1, -3, 3)
  t.equal(p.rangeScale, 5570560n)
  t.equal(p.offsetBig, 8355840n + 32768n)
  // Degenerate output range [0, 0]: every constant is 0, every code 0.
  t.same(run([5, -5, 2 ** 31 - 1], -1, 1, 0, 0), [0, 0, 0])
  // RS overflows int64 (x86 gives INT64_MIN): odd inputs wrap, even ones vanish — as TF.
  t.same(run([12345, 12344], -3, 5, 0, 1e-30), [255, 0])
})

t.test('RequantizationRange', async (t) => {
  t.same(requantizationRange(-100, 50, -2048, 2048), [-99.5 * 2 ** -20, 50.5 * 2 ** -20])
  t.same(requantizationRange(10, 50, -2048, 2048), [0, 50.5 * 2 ** -20], 'min clamped to 0')
  t.same(requantizationRange(-100, -50, -2048, 2048), [-99.5 * 2 ** -20, -49.5 * 2 ** -20], 'max not clamped')
})

t.test('QuantizedAdd 8→32 linear map', async (t) => {
  // [0, 255] into ±255·2^14: the zero maps to 0 and one level to 514 codes.
  const r = linearRequantizer8To32(0, 255, -255 * 16384, 255 * 16384)
  t.same(r, {c0: 0, mult: 514})
})
