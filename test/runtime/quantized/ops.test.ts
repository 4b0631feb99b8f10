// Hand-computed edge cases of the quantized ops, their attr defaults and their errors.
import t from 'tap'
import '../../../src/runtime/ops/index.js'
import {runOp} from '../../helpers/runOp.js'
import {makeAttr} from '../../../src/graph/attrs.js'
import {getOp} from '../../../src/runtime/opRegistry.js'
import type {DType, Tensor} from '../../../src/core/tensor.js'

const f = Math.fround
const s = (v: number): Tensor => ({dtype: 'float32', shape: [], data: Float32Array.of(v)})
const q8 = (shape: number[], v: number[]): Tensor => ({dtype: 'quint8', shape, data: Uint8Array.from(v)})
const q32 = (shape: number[], v: number[]): Tensor => ({dtype: 'qint32', shape, data: Int32Array.from(v)})
const fl = (shape: number[], v: number[]): Tensor => ({dtype: 'float32', shape, data: Float32Array.from(v)})
const ty = (d: DType) => makeAttr.type(d)
const str = makeAttr.string
const vals = (x: Tensor) => Array.from(x.data as ArrayLike<number>)

t.test('defaults are TF 1.14 registrations', async (t) => {
  t.same(getOp('QuantizeV2')!.defaults, {mode: str('MIN_COMBINED'), round_mode: str('HALF_AWAY_FROM_ZERO')})
  t.same(getOp('Dequantize')!.defaults, {mode: str('MIN_COMBINED')})
  t.same(getOp('QuantizedRelu')!.defaults, {out_type: ty('quint8')})
  t.same(getOp('QuantizedAdd')!.defaults, {Toutput: ty('qint32')})
  t.same(getOp('QuantizedMatMul')!.defaults, {
    Toutput: ty('qint32'),
    transpose_a: makeAttr.bool(false),
    transpose_b: makeAttr.bool(false),
    Tactivation: ty('quint8'),
  })
  t.same(getOp('QuantizedReshape')!.defaults, {Tshape: ty('int32')})
})

t.test('QuantizeV2', async (t) => {
  const x = fl([8], [0.5, 1.5, 2.5, 254.5, 255.5, -0.5, 300, 128])
  const [q, mn, mx] = await runOp('QuantizeV2', [x, s(0), s(255)], {T: ty('quint8'), mode: str('MIN_FIRST')})
  t.same(vals(q), [1, 2, 3, 255, 255, 0, 255, 128], 'MIN_FIRST rounds halves away from zero, clamps')
  t.same([vals(mn)[0], vals(mx)[0]], [0, 255])
  const [c] = await runOp('QuantizeV2', [x, s(0), s(255)], {T: ty('quint8')})
  t.same(vals(c), [1, 2, 3, 255, 255, 0, 255, 128], 'MIN_COMBINED (default mode), unsigned: +0.5 then truncate')
  const [c8] = await runOp('QuantizeV2', [fl([3], [0.5, 2.5, 128]), s(0), s(255)], {T: ty('qint8')})
  t.same(vals(c8), [-128, -126, 0], 'MIN_COMBINED, signed: round(x·sf − 128)')
  // Range adjustment: [2, 5] becomes [0, 5]; all-zero input gets [0, 0.01].
  const [, a1, b1] = await runOp('QuantizeV2', [fl([1], [3]), s(2), s(5)], {T: ty('quint8'), mode: str('MIN_FIRST')})
  t.same([vals(a1)[0], vals(b1)[0]], [0, 5])
  const [z, a0, b0] = await runOp('QuantizeV2', [fl([2], [0, 0]), s(0), s(0)], {T: ty('quint8'), mode: str('MIN_FIRST')})
  t.same([vals(z), vals(a0)[0], vals(b0)[0]], [[0, 0], 0, f(0.01)])
  // SCALED, the TF documentation's example: qint8 [-10, 9] → scale 12.8, range (-10, 9.921875).
  const [sq, smin, smax] = await runOp('QuantizeV2', [fl([4], [-10, 9.921875, 1, -20]), s(-10), s(9)], {T: ty('qint8'), mode: str('SCALED')})
  t.same([vals(sq), vals(smin)[0], vals(smax)[0]], [[-128, 127, 13, -128], -10, 9.921875])
  const ties = fl([4], [2.5, 3.5, -2.5, 0.5])
  const [even] = await runOp('QuantizeV2', [ties, s(-128), s(127)], {T: ty('qint8'), mode: str('SCALED'), round_mode: str('HALF_TO_EVEN')})
  const [away] = await runOp('QuantizeV2', [ties, s(-128), s(127)], {T: ty('qint8'), mode: str('SCALED')})
  t.same([vals(even), vals(away)], [[2, 4, -2, 0], [3, 4, -3, 1]])
  // A node from TF ≥ 2.2 with ensure_minimum_range uses the multiply form.
  const [, , b2] = await runOp('QuantizeV2', [fl([1], [0]), s(-2.109999895095825), s(-2.109999895095825)], {
    T: ty('quint8'),
    mode: str('MIN_FIRST'),
    ensure_minimum_range: makeAttr.float(0.01),
  })
  t.equal(vals(b2)[0], 0)
  await t.rejects(runOp('QuantizeV2', [x, s(1), s(0)], {T: ty('quint8')}), /node 'test_QuantizeV2' \(QuantizeV2\): input_max_range must be larger than input_min_range/)
  await t.rejects(runOp('QuantizeV2', [x, s(0), s(1)], {T: ty('quint8'), mode: str('MIN_FIRST'), round_mode: str('HALF_TO_EVEN')}), /only supported for mode 'SCALED'/)
  await t.rejects(runOp('QuantizeV2', [x, s(0), s(1)], {T: ty('quint8'), mode: str('FANCY')}), /mode must be/)
  await t.rejects(runOp('QuantizeV2', [x, s(0), s(1)], {T: ty('int32')}), /attr 'T' = int32 has no CPU kernel/)
  await t.rejects(runOp('QuantizeV2', [x, fl([0], []), s(1)], {T: ty('quint8')}), /input 1 \(min_range\) is empty/)
})

t.test('Dequantize', async (t) => {
  const [y] = await runOp('Dequantize', [q8([3], [0, 128, 255]), s(0), s(255)], {mode: str('MIN_FIRST')})
  t.same(vals(y), [0, 128, 255])
  const [c] = await runOp('Dequantize', [q8([2], [0, 255]), s(-1), s(1)])
  t.same(vals(c), [-1, 1], 'MIN_COMBINED (default)')
  const [same] = await runOp('Dequantize', [q8([2], [0, 200]), s(4), s(4)], {mode: str('MIN_FIRST')})
  t.same(vals(same), [4, 4], 'min == max gives min')
  const [scaled] = await runOp('Dequantize', [q8([2], [0, 255]), s(-1), s(6)], {mode: str('SCALED')})
  t.same(vals(scaled), [0, 6])
})

t.test('Requantize and RequantizationRange', async (t) => {
  const x = q32([4], [0, 2 ** 30, -(2 ** 30), 2147483646])
  const [q, mn, mx] = await runOp('Requantize', [x, s(-1), s(1), s(0), s(6)], {out_type: ty('quint8')})
  t.same([vals(q), vals(mn)[0], vals(mx)[0]], [[0, 21, 0, 43], 0, 6])
  const [lo, hi] = await runOp('RequantizationRange', [q32([3], [-100, 50, 7]), s(-2048), s(2048)])
  t.same([vals(lo)[0], vals(hi)[0]], [-99.5 * 2 ** -20, 50.5 * 2 ** -20])
  const [elo, ehi] = await runOp('RequantizationRange', [q32([0], []), s(-2048), s(2048)])
  t.ok(vals(elo)[0] === 0 && vals(ehi)[0] < 0, 'empty input: TF computes from (highest, lowest)')
  await t.rejects(runOp('Requantize', [x, s(-1), s(1), s(0.5), s(6)], {out_type: ty('quint8')}), /requested_output_min must be <= 0, but got 0.5/)
  await t.rejects(runOp('Requantize', [x, s(-1), s(1), s(-1), s(-2)], {out_type: ty('quint8')}), /requested_output_max must be >= requested_output_min/)
  await t.rejects(runOp('Requantize', [q8([1], [1]), s(-1), s(1), s(0), s(6)], {out_type: ty('quint8')}), /input 0 \(input\) must be qint32, got quint8/)
})

t.test('QuantizedRelu, QuantizedRelu6, QuantizedReluX', async (t) => {
  const x = q8([7], [0, 84, 85, 100, 170, 171, 255])
  // [-6, 12]: S = 255/18·256/256 → zero point 85, F2Q(6) = 170, F2Q(3) = 128.
  const [r] = await runOp('QuantizedRelu', [x, s(-6), s(12)])
  t.same(vals(r), [85, 85, 85, 100, 170, 171, 255])
  const [r6, mn, mx] = await runOp('QuantizedRelu6', [x, s(-6), s(12)])
  t.same([vals(r6), vals(mn)[0], vals(mx)[0]], [[85, 85, 85, 100, 170, 170, 170], -6, 12])
  const [rx] = await runOp('QuantizedReluX', [x, s(3), s(-6), s(12)])
  t.same(vals(rx), [85, 85, 85, 100, 128, 128, 128])
  const [pos] = await runOp('QuantizedRelu6', [x, s(2), s(5)])
  t.same(vals(pos), vals(x), 'range above 0: bounds clamp to [0, 255]')
  const [neg] = await runOp('QuantizedRelu', [x, s(-5), s(-2)])
  t.same(vals(neg), [255, 255, 255, 255, 255, 255, 255], 'range below 0: everything becomes the top code')
  const [r32] = await runOp('QuantizedRelu', [q32([3], [-5, 0, 5]), s(-1), s(1)], {out_type: ty('qint32')})
  t.same(vals(r32), [0, 0, 5])
  await t.rejects(runOp('QuantizedRelu', [q32([1], [1]), s(-1), s(1)]), /out_type quint8 \(they must be equal\)/)
})

t.test('QuantizedAdd', async (t) => {
  // Both ranges [0, 255]: output ±255·2^14, each level 514 codes, zero at 0.
  const [z, mn, mx] = await runOp('QuantizedAdd', [q8([3], [3, 0, 255]), q8([3], [4, 0, 255]), s(0), s(255), s(0), s(255)])
  t.same([vals(z), vals(mn)[0], vals(mx)[0]], [[3598, 0, 262140], -4177920, 4177920])
  const [sc] = await runOp('QuantizedAdd', [q8([], [2]), q8([2, 2], [1, 2, 3, 4]), s(0), s(255), s(0), s(255)])
  t.same(vals(sc), [1542, 2056, 2570, 3084], 'scalar x')
  const [bc] = await runOp('QuantizedAdd', [q8([2], [1, 2]), q8([2, 2], [1, 2, 3, 4]), s(0), s(255), s(0), s(255)])
  t.same([vals(bc), bc.shape], [[1028, 2056, 2056, 3084], [2, 2]], 'vector cycled over the tensor')
  await t.rejects(runOp('QuantizedAdd', [q8([1], [1]), q8([1], [1]), s(1), s(1), s(0), s(1)]), /max_x must be larger than min_x/)
  await t.rejects(runOp('QuantizedAdd', [q8([2, 1, 2], [1, 2, 3, 4]), q8([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), s(0), s(1), s(0), s(1)]), /broadcast between \[2,1,2\] and \[2,2,2\] is not supported/)
  await t.rejects(runOp('QuantizedAdd', [q8([2], [1, 2]), q8([3], [1, 2, 3]), s(0), s(1), s(0), s(1)]), /incompatible shapes: \[2\] vs. \[3\]/)
})

t.test('QuantizedBiasAdd', async (t) => {
  // Input and bias [0, 255]: output ±255·2^17, Eigen scale f32((2^32−1)/66846720) = 64.2510…,
  // range_min_scaled = f32(−33423360 × scale) = −2147483520, so offset = 128 and code q maps to
  // round(q·64.251) − 128: 0 → −128, 1 → −64, 2 → 1, 3 → 65. zt (double formula) = 0.
  const [o, mn, mx] = await runOp('QuantizedBiasAdd', [q8([2, 2], [0, 1, 2, 3]), q8([2], [0, 1]), s(0), s(255), s(0), s(255)], {out_type: ty('qint32')})
  t.same([vals(mn)[0], vals(mx)[0]], [-255 * 131072, 255 * 131072])
  t.same(vals(o), [-128 + -128, -64 + -64, 1 + -128, 65 + -64])
  await t.rejects(runOp('QuantizedBiasAdd', [q8([2, 2], [0, 1, 2, 3]), q8([3], [0, 1, 2]), s(0), s(1), s(0), s(1)], {out_type: ty('qint32')}), /as many biases as the last dimension/)
  await t.rejects(runOp('QuantizedBiasAdd', [q8([2], [0, 1]), q8([2], [0, 1]), s(0), s(1), s(0), s(1)], {out_type: ty('qint32')}), /at least 2-D/)
})

t.test('QuantizedAvgPool truncates and skips padded taps; QuantizedMaxPool', async (t) => {
  const x = q8([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 10])
  const attrs = {ksize: makeAttr.intList([1, 2, 2, 1]), strides: makeAttr.intList([1, 1, 1, 1]), padding: str('SAME')}
  const [avg, mn, mx] = await runOp('QuantizedAvgPool', [x, s(-1), s(3)], attrs)
  t.same([vals(avg), avg.shape, vals(mn)[0], vals(mx)[0]], [[3, 4, 4, 6, 7, 8, 7, 9, 10], [1, 3, 3, 1], -1, 3])
  const [max] = await runOp('QuantizedMaxPool', [x, s(-1), s(3)], attrs)
  t.same(vals(max), [5, 6, 6, 8, 10, 10, 8, 10, 10])
  const [valid] = await runOp('QuantizedAvgPool', [x, s(-1), s(3)], {...attrs, strides: makeAttr.intList([1, 2, 2, 1]), padding: str('VALID')})
  t.same([vals(valid), valid.shape], [[3], [1, 1, 1, 1]])
  await t.rejects(runOp('QuantizedAvgPool', [x, s(0), s(1)], {...attrs, ksize: makeAttr.intList([2, 2, 2, 1])}), /only the spatial/)
})

t.test('QuantizedMatMul', async (t) => {
  // a [-1, 1] (za = 128), b [0, 255] (zb = 0).
  const a = q8([2, 2], [1, 2, 3, 4])
  const b = q8([2, 1], [5, 6])
  const [c, mn, mx] = await runOp('QuantizedMatMul', [a, b, s(-1), s(1), s(0), s(255)])
  const l = f(2 / 255)
  t.same([vals(c), c.shape, vals(mn)[0], vals(mx)[0]], [[-1391, -1369], [2, 1], -l * 2 ** 31, l * 2 ** 31])
  const [ct] = await runOp('QuantizedMatMul', [q8([2, 2], [1, 3, 2, 4]), q8([1, 2], [5, 6]), s(-1), s(1), s(0), s(255)], {
    transpose_a: makeAttr.bool(true),
    transpose_b: makeAttr.bool(true),
  })
  t.same(vals(ct), [-1391, -1369], 'transposes')
  // A range excluding 0: za = −170 (outside the codes), used as is.
  const [ex] = await runOp('QuantizedMatMul', [q8([1, 1], [0]), q8([1, 1], [1]), s(2), s(5), s(0), s(255)])
  t.same(vals(ex), [170])
  await t.rejects(runOp('QuantizedMatMul', [a, q8([3, 1], [1, 2, 3]), s(-1), s(1), s(0), s(1)]), /matrix size-incompatible/)
  await t.rejects(runOp('QuantizedMatMul', [a, b, s(1), s(1), s(0), s(1)]), /max_a must be larger than min_a/)
})

t.test('QuantizedReshape and QuantizedConcat', async (t) => {
  const x = q8([2, 3], [1, 2, 3, 4, 5, 6])
  const [r, mn] = await runOp('QuantizedReshape', [x, {dtype: 'int32', shape: [2], data: Int32Array.of(3, -1)}, s(-1), s(2)])
  t.same([r.shape, vals(r), vals(mn)[0]], [[3, 2], [1, 2, 3, 4, 5, 6], -1])
  await t.rejects(runOp('QuantizedReshape', [x, {dtype: 'int32', shape: [1], data: Int32Array.of(4)}, s(-1), s(2)]), /tensor with 6 values, but the requested shape has 4/)
  const dim = (d: number): Tensor => ({dtype: 'int32', shape: [], data: Int32Array.of(d)})
  // Equal ranges: copied; the output range is min(0, lowest min) .. highest max.
  const [c, cmin, cmax] = await runOp('QuantizedConcat', [dim(1), q8([2, 1], [1, 2]), q8([2, 2], [3, 4, 5, 6]), s(0), s(0), s(255), s(255)])
  t.same([c.shape, vals(c), vals(cmin)[0], vals(cmax)[0]], [[2, 3], [1, 3, 4, 2, 5, 6], 0, 255])
  // Different ranges: the second input, [0, 127.5], is requantized into [0, 255] (code 2 → 1).
  const [c2] = await runOp('QuantizedConcat', [dim(0), q8([1, 2], [10, 20]), q8([1, 2], [2, 255]), s(0), s(0), s(255), s(127.5)])
  t.same(vals(c2), [10, 20, 1, 128])
  await t.rejects(runOp('QuantizedConcat', [dim(-1), x, x, s(0), s(0), s(1), s(1)]), /range \[0, 2\), but got -1/)
  await t.rejects(runOp('QuantizedConcat', [dim(0), x, x, s(0), s(1)]), /1 \+ 3·N data inputs/)
})
