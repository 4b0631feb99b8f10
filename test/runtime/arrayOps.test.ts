import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {attrs, f32, i32, i64, values} from './tensors.js'

t.test('Reshape with -1, shares the buffer, errors', async (t) => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6])
  const [y] = await runOp('Reshape', [x, i32([2], [3, -1])])
  t.same(y.shape, [3, 2])
  t.equal(y.data, x.data, 'no copy')
  t.same((await runOp('Reshape', [x, i64([1], [-1])]))[0].shape, [6])
  t.same((await runOp('Reshape', [f32([1], [5]), i32([0], [])]))[0].shape, [], 'to a scalar')
  await t.rejects(runOp('Reshape', [x, i32([2], [4, -1])]), /node 'test_Reshape' \(Reshape\): cannot reshape a tensor with 6 values to \[4,-1\]/)
  await t.rejects(runOp('Reshape', [x, i32([2], [5, 1])]), /tensor with 6 values, but the requested shape \[5,1\] has 5/)
  await t.rejects(runOp('Reshape', [x, i32([2], [-1, -1])]), /only one dimension/)
})

t.test('Squeeze, ExpandDims, Shape', async (t) => {
  const x = f32([1, 2, 1, 3], [1, 2, 3, 4, 5, 6])
  t.same((await runOp('Squeeze', [x]))[0].shape, [2, 3])
  t.same((await runOp('Squeeze', [x], {squeeze_dims: attrs.intList([-2])}))[0].shape, [1, 2, 3])
  await t.rejects(runOp('Squeeze', [x], {squeeze_dims: attrs.intList([1])}), /cannot squeeze dimension 1: it has size 2/)
  await t.rejects(runOp('Squeeze', [x], {squeeze_dims: attrs.intList([4])}), /out of range/)
  t.same((await runOp('ExpandDims', [x, i32([], [0])]))[0].shape, [1, 1, 2, 1, 3])
  t.same((await runOp('ExpandDims', [x, i32([], [-1])]))[0].shape, [1, 2, 1, 3, 1])
  t.same((await runOp('ExpandDims', [f32([], [1]), i64([1], [0])]))[0].shape, [1])
  await t.rejects(runOp('ExpandDims', [x, i32([], [5])]), /dim 5 is out of range \[-5, 4\]/)
  const [s] = await runOp('Shape', [x])
  t.equal(s.dtype, 'int32')
  t.same(values(s), [1, 2, 1, 3])
  const [s64] = await runOp('Shape', [x], {out_type: attrs.type('int64')})
  t.equal(s64.dtype, 'int64')
})

t.test('Pad (zero) and PadV2 (constant) on 4-D NHWC and other ranks', async (t) => {
  const x = f32([1, 2, 2, 1], [1, 2, 3, 4])
  const [y] = await runOp('Pad', [x, i32([4, 2], [0, 0, 1, 0, 0, 1, 0, 0])])
  t.same(y.shape, [1, 3, 3, 1])
  t.same(values(y), [0, 0, 0, 1, 2, 0, 3, 4, 0])
  // channel padding, as ResNet's shortcut: [N,H,W,16] → [N,H,W,32] with 8 zeros each side
  const [c] = await runOp('Pad', [f32([1, 1, 1, 2], [5, 6]), i32([4, 2], [0, 0, 0, 0, 0, 0, 1, 2])])
  t.same(values(c), [0, 5, 6, 0, 0])
  const long = Array.from({length: 100}, (_, i) => i)
  const [wide] = await runOp('Pad', [f32([2, 100], [...long, ...long]), i32([2, 2], [1, 0, 2, 1])])
  t.same(wide.shape, [3, 103])
  t.same(values(wide), [...Array(103).fill(0), 0, 0, ...long, 0, 0, 0, ...long, 0], 'long rows are copied too')
  const [outerOnly] = await runOp('Pad', [f32([2, 3], [1, 2, 3, 4, 5, 6]), i32([2, 2], [1, 1, 0, 0])])
  t.same(values(outerOnly), [0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0], 'padding only the first dim')
  const [none] = await runOp('Pad', [f32([2, 2], [1, 2, 3, 4]), i32([2, 2], [0, 0, 0, 0])])
  t.same(values(none), [1, 2, 3, 4])
  // NHWC spatial padding: whole W·C rows are copied as blocks
  const img = f32([2, 2, 2, 2], Array.from({length: 16}, (_, i) => i + 1))
  const [sp] = await runOp('Pad', [img, i32([4, 2], [0, 0, 1, 1, 0, 1, 0, 0])])
  t.same(sp.shape, [2, 4, 3, 2])
  const px = (b: number, h: number, w: number) => [1, 2].map((c) => (b * 8 + h * 4 + w * 2 + c))
  const row = (b: number, h: number) => [...px(b, h, 0), ...px(b, h, 1), 0, 0]
  t.same(values(sp), [0, 0, 0, 0, 0, 0, ...row(0, 0), ...row(0, 1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...row(1, 0), ...row(1, 1), 0, 0, 0, 0, 0, 0])
  const [v2] = await runOp('PadV2', [f32([2], [1, 2]), i64([1, 2], [2, 1]), f32([], [-1])])
  t.same(values(v2), [-1, -1, 1, 2, -1])
  const [ints] = await runOp('Pad', [i32([1, 2], [7, 8]), i32([2, 2], [1, 0, 0, 1])])
  t.same(values(ints), [0, 0, 0, 7, 8, 0])
  await t.rejects(runOp('Pad', [x, i32([2, 2], [0, 0, 0, 0])]), /paddings must have shape \[4,2\]/)
  await t.rejects(runOp('Pad', [x, i32([4, 2], [0, 0, -1, 0, 0, 0, 0, 0])]), /non-negative/)
})

t.test('ConcatV2 along first, middle, last and negative axes', async (t) => {
  const a = f32([2, 2], [1, 2, 3, 4])
  const b = f32([2, 1], [5, 6])
  const [y] = await runOp('ConcatV2', [a, b, i32([], [1])], {N: attrs.int(2)})
  t.same(y.shape, [2, 3])
  t.same(values(y), [1, 2, 5, 3, 4, 6])
  const [z] = await runOp('ConcatV2', [a, f32([1, 2], [7, 8]), a, i32([], [-2])])
  t.same(values(z), [1, 2, 3, 4, 7, 8, 1, 2, 3, 4])
  const [ints] = await runOp('ConcatV2', [i32([1], [1]), i32([2], [2, 3]), i64([], [0])])
  t.same(values(ints), [1, 2, 3])
  await t.rejects(runOp('ConcatV2', [a, f32([3, 1], [1, 2, 3]), i32([], [1])]), /input 1 has shape \[3,1\], incompatible with input 0 \[2,2\]/)
  await t.rejects(runOp('ConcatV2', [a, i32([2, 2], [1, 2, 3, 4]), i32([], [0])]), /input 1 is int32, input 0 is float/)
  await t.rejects(runOp('ConcatV2', [a, a, i32([], [0])], {N: attrs.int(3)}), /attr N = 3 but the node has 2/)
})

t.test('Identity and StopGradient pass the same tensor; NoOp has no outputs', async (t) => {
  const x = f32([1], [1])
  t.equal((await runOp('Identity', [x]))[0], x)
  t.equal((await runOp('StopGradient', [x]))[0], x)
  t.same(await runOp('NoOp', []), [])
})
