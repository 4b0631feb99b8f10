import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {f32, f64, i32, i64, values} from './tensors.js'

const F = Math.fround

t.test('Add/Sub/Mul/RealDiv on same shapes round once to float32', async (t) => {
  const a = f32([3], [0.1, 1e8, 16777216])
  const b = f32([3], [0.2, 1, 1])
  t.same(values((await runOp('Add', [a, b]))[0]), [F(F(0.1) + F(0.2)), 1e8, 16777216], '1e8+1 and 2^24+1 round back')
  t.same(values((await runOp('AddV2', [a, b]))[0]), [F(F(0.1) + F(0.2)), 1e8, 16777216])
  t.same(values((await runOp('Sub', [a, b]))[0]), [F(F(0.1) - F(0.2)), 1e8, 16777215])
  t.same(values((await runOp('Mul', [f32([2], [3, 1 / 3]), f32([2], [1 / 3, 3])]))[0]), [F(3 * F(1 / 3)), F(F(1 / 3) * 3)])
  const [q] = await runOp('RealDiv', [f32([4], [1, 255, -1, 0]), f32([4], [3, 128, 0, 0])])
  t.same(values(q).slice(0, 3), [F(1 / 3), 1.9921875, -Infinity])
  t.ok(Number.isNaN(values(q)[3]), '0/0 is NaN')
  t.equal(q.dtype, 'float32')
})

t.test('x/128 - 1 is exact for 0..255 (the CIFAR model input)', async (t) => {
  const x = f32([256], Array.from({length: 256}, (_, i) => i))
  const [d] = await runOp('RealDiv', [x, f32([], [128])])
  const [s] = await runOp('Sub', [d, f32([], [1])])
  t.same(values(s), Array.from({length: 256}, (_, i) => i / 128 - 1))
})

t.test('broadcasting: scalar, vector, both sides, size-1 dims, rank extension', async (t) => {
  let [r] = await runOp('Add', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3], [10, 20, 30])])
  t.same(r.shape, [2, 3])
  t.same(values(r), [11, 22, 33, 14, 25, 36])
  ;[r] = await runOp('Sub', [f32([], [1]), f32([2, 2], [1, 2, 3, 4])])
  t.same(values(r), [0, -1, -2, -3])
  ;[r] = await runOp('Mul', [f32([2, 1], [1, 2]), f32([1, 3], [1, 10, 100])])
  t.same(r.shape, [2, 3])
  t.same(values(r), [1, 10, 100, 2, 20, 200])
  ;[r] = await runOp('Add', [f32([3, 1, 2], [1, 2, 3, 4, 5, 6]), f32([2, 1], [10, 20])])
  t.same(r.shape, [3, 2, 2])
  t.same(values(r), [11, 12, 21, 22, 13, 14, 23, 24, 15, 16, 25, 26])
  ;[r] = await runOp('Add', [f32([0, 3], []), f32([3], [1, 2, 3])])
  t.same(r.shape, [0, 3])
  ;[r] = await runOp('RealDiv', [f32([2, 2], [1, 2, 3, 4]), f32([2, 1], [2, 4])])
  t.same(values(r), [0.5, 1, 0.75, 1])
})

t.test('Maximum/Minimum follow std::max/std::min, with broadcasting', async (t) => {
  const [mx] = await runOp('Maximum', [f32([4], [1, -2, NaN, 0]), f32([], [0])])
  t.same(values(mx).slice(0, 2), [1, 0])
  t.ok(Number.isNaN(values(mx)[2]), 'NaN as first operand is returned')
  t.ok(Object.is(values(mx)[3], 0))
  const [mn] = await runOp('Minimum', [f32([3], [1, -2, 5]), f32([3], [NaN, -3, 5])])
  t.same(values(mn).slice(1), [-3, 5])
  t.equal(values(mn)[0], 1, 'NaN second operand: the first is kept')
})

t.test('integer types: int32 wraps, int64 uses BigInt', async (t) => {
  t.same(values((await runOp('Add', [i32([2], [2147483647, 5]), i32([2], [1, -7])]))[0]), [-2147483648, -2])
  t.same(values((await runOp('Mul', [i32([1], [65536]), i32([1], [65537])]))[0]), [65536])
  t.same(values((await runOp('Maximum', [i32([3], [1, -5, 3]), i32([], [0])]))[0]), [1, 0, 3])
  const [b] = await runOp('Sub', [i64([2], [5, 0]), i64([], [7])])
  t.equal(b.dtype, 'int64')
  t.same(values(b), [-2, -7])
  const [d] = await runOp('Add', [f64([1], [0.1]), f64([1], [0.2])])
  t.same(values(d), [0.1 + 0.2], 'float64 is not rounded to float32')
})

t.test('errors: mixed types, unsupported types, incompatible shapes', async (t) => {
  await t.rejects(runOp('Add', [f32([1], [1]), i32([1], [1])]), /different types: float and int32/)
  await t.rejects(runOp('RealDiv', [i32([1], [1]), i32([1], [1])]), /type int32 is not supported/)
  await t.rejects(runOp('Add', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([2], [1, 2])]), /node 'test_Add' \(Add\): incompatible shapes for broadcasting: \[2,3\] and \[2\]/)
  await t.rejects(runOp('Add', [f32([1], [1])]), /expects 2 data input/)
})

t.test('Relu, Relu6, Sqrt, Rsqrt', async (t) => {
  const [r] = await runOp('Relu', [f32([5], [-1, 0, 2.5, -0, NaN])])
  t.same(values(r).slice(0, 3), [0, 0, 2.5])
  t.ok(Object.is(values(r)[3], -0), 'relu(-0) = -0 as max(x, 0) with x < 0 false')
  t.ok(Number.isNaN(values(r)[4]))
  const [r6] = await runOp('Relu6', [f32([4], [-3, 3, 6, 7.5])])
  t.same(values(r6), [0, 3, 6, 6])
  const [sq] = await runOp('Sqrt', [f32([3], [4, 2, -1])])
  t.same(values(sq).slice(0, 2), [2, F(Math.SQRT2)])
  t.ok(Number.isNaN(values(sq)[2]))
  const [rs] = await runOp('Rsqrt', [f32([3], [4, 2, 0])])
  t.same(values(rs), [0.5, F(1 / F(Math.SQRT2)), Infinity])
  await t.rejects(runOp('Relu', [i32([1], [1])]), /input 0 \(features\) must be float or double, got int32/)
})

t.test('Cast', async (t) => {
  const c = (x: ReturnType<typeof f32>, DstT: number) => runOp('Cast', [x], {DstT: {type: DstT}})
  t.same(values((await c(f32([5], [1.9, -1.9, 0, 3e9, NaN]), 3))[0]), [1, -1, 0, -2147483648, -2147483648], 'float→int32 truncates, out of range → INT_MIN')
  t.same(values((await c(f32([3], [255.5, 256, -1]), 4))[0]), [255, 0, 255], 'float→uint8 truncates and wraps')
  t.same(values((await runOp('Cast', [i32([2], [16777217, -3])], {DstT: {type: 1}}))[0]), [16777216, -3], 'int32→float rounds to nearest even')
  t.same(values((await c(f32([3], [0, -0.5, 2]), 10))[0]), [0, 1, 1], 'to bool')
  t.same(values((await c(f32([2], [2.7, -2.7]), 9))[0]), [2, -2], 'float→int64')
  const [same] = await c(f32([1], [1]), 1)
  t.equal(same.dtype, 'float32')
  await t.rejects(runOp('Cast', [f32([1], [1])], {SrcT: {type: 3}, DstT: {type: 1}}), /input is float but SrcT is int32/)
})
