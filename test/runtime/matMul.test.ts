import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {attrs, f32, i32, values} from './tensors.js'

const F = Math.fround

t.test('MatMul with and without transposes', async (t) => {
  const a = f32([2, 3], [1, 2, 3, 4, 5, 6])
  const b = f32([3, 2], [7, 8, 9, 10, 11, 12])
  const [c] = await runOp('MatMul', [a, b])
  t.same(c.shape, [2, 2])
  t.same(values(c), [58, 64, 139, 154])
  const at = f32([3, 2], [1, 4, 2, 5, 3, 6])
  const bt = f32([2, 3], [7, 9, 11, 8, 10, 12])
  t.same(values((await runOp('MatMul', [at, b], {transpose_a: attrs.bool(true)}))[0]), [58, 64, 139, 154])
  t.same(values((await runOp('MatMul', [a, bt], {transpose_b: attrs.bool(true)}))[0]), [58, 64, 139, 154])
  t.same(values((await runOp('MatMul', [at, bt], {transpose_a: attrs.bool(true), transpose_b: attrs.bool(true)}))[0]), [58, 64, 139, 154])
})

t.test('MatMul sums k sequentially in float32', async (t) => {
  const [c] = await runOp('MatMul', [f32([1, 4], [1e8, 1, 1, -1e8]), f32([4, 1], [1, 1, 1, 1])])
  t.same(values(c), [0])
  const [d] = await runOp('MatMul', [f32([1, 2], [0.1, 0.2]), f32([2, 1], [0.3, 0.7])])
  t.same(values(d), [F(F(F(0.1) * F(0.3)) + F(F(0.2) * F(0.7)))])
  await t.rejects(runOp('MatMul', [f32([2, 3], Array(6).fill(1)), f32([2, 3], Array(6).fill(1))]), /node 'test_MatMul' \(MatMul\): matrix size-incompatible: a is \[2,3\], b is \[2,3\]/)
  await t.rejects(runOp('MatMul', [f32([3], [1, 2, 3]), f32([3, 1], [1, 2, 3])]), /must be 2-D/)
})

t.test('BiasAdd on the last dimension (NHWC) and dim 1 (NCHW)', async (t) => {
  const x = f32([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])
  const [y] = await runOp('BiasAdd', [x, f32([2], [10, 20])])
  t.same(values(y), [11, 22, 13, 24, 15, 26, 17, 28])
  const [z] = await runOp('BiasAdd', [x, f32([2], [10, 20])], {data_format: attrs.string('NCHW')})
  t.same(values(z), [11, 12, 13, 14, 25, 26, 27, 28])
  const [m] = await runOp('BiasAdd', [f32([2, 3], [0, 0, 0, 1, 1, 1]), f32([3], [0.1, 0.2, 0.3])])
  t.same(values(m), [F(0.1), F(0.2), F(0.3), F(1 + F(0.1)), F(1 + F(0.2)), F(1 + F(0.3))])
  t.same(values((await runOp('BiasAdd', [i32([1, 2], [1, 2]), i32([2], [3, 4])]))[0]), [4, 6])
  await t.rejects(runOp('BiasAdd', [x, f32([3], [1, 2, 3])]), /input 1 \(bias\) must have shape \[2\]/)
})

t.test('Softmax over the last dimension', async (t) => {
  const [y] = await runOp('Softmax', [f32([2, 3], [1, 2, 3, 1000, 1000, 1000])])
  const e = [F(Math.exp(-2)), F(Math.exp(-1)), 1]
  const s = F(F(e[0] + e[1]) + e[2])
  const inv = F(1 / s)
  t.same(values(y).slice(0, 3), e.map((v) => F(v * inv)))
  t.same(values(y).slice(3), [F(1 * F(1 / 3)), F(1 * F(1 / 3)), F(1 * F(1 / 3))], 'large logits do not overflow')
  const [one] = await runOp('Softmax', [f32([4], [0, 0, 0, 0])])
  t.same(values(one), [0.25, 0.25, 0.25, 0.25], '1-D')
})
