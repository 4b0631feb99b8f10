import t from 'tap'
import {broadcastShapes, broadcastStrides, normalizeAxis, reducedShape, stridesOf, windowDim} from '../../src/runtime/shapes.js'

t.test('broadcastShapes follows numpy/TF rules', async (t) => {
  t.same(broadcastShapes([2, 3], [3]), [2, 3])
  t.same(broadcastShapes([4, 1, 3], [2, 1]), [4, 2, 3])
  t.same(broadcastShapes([], [5]), [5])
  t.same(broadcastShapes([0, 1], [1, 7]), [0, 7])
  t.same(broadcastShapes([1], [0]), [0])
  t.equal(broadcastShapes([2, 3], [2]), undefined)
  t.equal(broadcastShapes([3, 0], [2, 0]), undefined)
})

t.test('strides', async (t) => {
  t.same(stridesOf([2, 3, 4]), [12, 4, 1])
  t.same(broadcastStrides([3, 1], [2, 3, 4]), [0, 1, 0])
  t.same(broadcastStrides([4], [2, 3, 4]), [0, 0, 1])
})

t.test('normalizeAxis', async (t) => {
  t.equal(normalizeAxis(-1, 4), 3)
  t.equal(normalizeAxis(-4, 4), 0)
  t.equal(normalizeAxis(4, 4), undefined)
  t.equal(normalizeAxis(-5, 4), undefined)
})

t.test('reducedShape', async (t) => {
  t.same(reducedShape([2, 3, 4], new Set([1]), false), [2, 4])
  t.same(reducedShape([2, 3, 4], new Set([0, 2]), true), [1, 3, 1])
})

t.test('windowDim: TF GetWindowedOutputSize', async (t) => {
  // SAME: out = ceil(in/stride), pad_before = floor(total/2)
  t.same(windowDim(32, 3, 1, 1, 'SAME'), {out: 32, padBefore: 1, padAfter: 1})
  t.same(windowDim(32, 3, 2, 1, 'SAME'), {out: 16, padBefore: 0, padAfter: 1}) // total 1: all after
  t.same(windowDim(5, 4, 1, 1, 'SAME'), {out: 5, padBefore: 1, padAfter: 2})
  t.same(windowDim(7, 3, 3, 1, 'SAME'), {out: 3, padBefore: 1, padAfter: 1})
  t.same(windowDim(32, 2, 2, 1, 'SAME'), {out: 16, padBefore: 0, padAfter: 0})
  t.same(windowDim(5, 3, 1, 2, 'SAME'), {out: 5, padBefore: 2, padAfter: 2}) // dilated: k_eff 5
  // VALID
  t.same(windowDim(34, 3, 2, 1, 'VALID'), {out: 16, padBefore: 0, padAfter: 0})
  t.same(windowDim(5, 5, 1, 1, 'VALID'), {out: 1, padBefore: 0, padAfter: 0})
  t.same(windowDim(2, 5, 4, 1, 'VALID').out, 0) // C++ truncation: (2-5+4)/4 = 0
  t.throws(() => windowDim(2, 5, 1, 1, 'VALID'), /negative output size/)
  // EXPLICIT
  t.same(windowDim(4, 3, 2, 1, 'EXPLICIT', [2, 1]), {out: 3, padBefore: 2, padAfter: 1})
  t.throws(() => windowDim(4, 3, 0, 1, 'SAME'), /stride/)
})
