import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {attrs, f32, values} from './tensors.js'

const F = Math.fround
const pool = (op: string, x: ReturnType<typeof f32>, k: number, s: number, padding: string) =>
  runOp(op, [x], {ksize: attrs.nhwc(k, k), strides: attrs.nhwc(s, s), padding: attrs.string(padding)})

// 1×3×3×2: channel 0 = 1..9, channel 1 = −(1..9)
const x = f32([1, 3, 3, 2], Array.from({length: 9}, (_, i) => [i + 1, -(i + 1)]).flat())

t.test('AvgPool SAME excludes padding from the count', async (t) => {
  const [y] = await pool('AvgPool', x, 2, 2, 'SAME')
  t.same(y.shape, [1, 2, 2, 2])
  // windows: {1,2,4,5} {3,6} {7,8} {9}
  t.same(values(y), [3, -3, 4.5, -4.5, 7.5, -7.5, 9, -9])
  const [z] = await pool('AvgPool', x, 3, 1, 'SAME')
  t.same(values(z).filter((_, i) => i % 2 === 0), [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7])
})

t.test('AvgPool VALID, stride 1, and float32 division', async (t) => {
  const [y] = await pool('AvgPool', x, 2, 1, 'VALID')
  t.same(y.shape, [1, 2, 2, 2])
  t.same(values(y).filter((_, i) => i % 2 === 0), [3, 4, 6, 7])
  const [z] = await pool('AvgPool', f32([1, 1, 3, 1], [0.1, 0.2, 0.4]), 1, 1, 'VALID')
  t.same(values(z), [F(0.1), F(0.2), F(0.4)])
  const [w] = await runOp('AvgPool', [f32([1, 1, 3, 1], [1, 1, 2])], {ksize: attrs.intList([1, 1, 3, 1]), strides: attrs.nhwc(1, 1), padding: attrs.string('VALID')})
  t.same(values(w), [F(4 / 3)])
})

t.test('MaxPool SAME/VALID and stride 2', async (t) => {
  const [y] = await pool('MaxPool', x, 2, 2, 'SAME')
  t.same(values(y), [5, -1, 6, -3, 8, -7, 9, -9])
  const [z] = await pool('MaxPool', x, 3, 2, 'VALID')
  t.same(values(z), [9, -1])
  const [allNegInf] = await pool('MaxPool', f32([1, 1, 1, 1], [-Infinity]), 1, 1, 'VALID')
  t.same(values(allNegInf), [-3.4028234663852886e38], 'starts from the lowest finite float, as TF')
})

t.test('batches are independent; errors name the node', async (t) => {
  const two = f32([2, 2, 2, 1], [1, 2, 3, 4, 10, 20, 30, 40])
  const [y] = await pool('AvgPool', two, 2, 2, 'VALID')
  t.same(values(y), [2.5, 25])
  await t.rejects(runOp('AvgPool', [x], {ksize: attrs.intList([1, 2, 2, 2]), strides: attrs.nhwc(1, 1), padding: attrs.string('VALID')}), /node 'test_AvgPool' \(AvgPool\): attr 'ksize' = \[1,2,2,2\]/)
  await t.rejects(pool('MaxPool', f32([3, 3], Array(9).fill(0)), 2, 2, 'VALID'), /must be 4-D/)
  await t.rejects(pool('MaxPool', x, 5, 1, 'VALID'), /negative output size/)
  t.same((await pool('MaxPool', x, 4, 1, 'VALID'))[0].shape, [1, 0, 0, 2], 'an output size of 0 is allowed, as in TF')
})
