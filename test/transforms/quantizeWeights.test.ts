import t from 'tap'
import {quantizeWeights} from '../../src/transforms/quantizeWeights.js'
import {floatToQuantizedU8, quantizationRangeOfWeights} from '../../src/transforms/weightQuantization.js'
import {byName, constOf, ctx, f, floatConst, graph, names, str, valueOf} from './graphFixtures.js'

t.test('large float Consts become quint8 + min + max + Dequantize with the original name', async (t) => {
  const g = graph(floatConst('w', [2, 2], [-1, 0, 0.5, 2]), f('r', 'Relu', ['w']))
  const r = quantizeWeights(g, ctx('quantize_weights', [], ['r'], {minimum_size: ['4']}))
  t.same(names(r), ['w_quantized_const', 'w_quantized_min', 'w_quantized_max', 'w', 'r'])
  const q = valueOf(byName(r, 'w_quantized_const'))
  t.equal(q.dtype, 'quint8')
  t.same(q.shape, [2, 2])
  // range [-1, 2]: scale 256 / (3·256/255) = 85, zero point round(85) = 85; 0.5·85 = 42.5 rounds away.
  t.same(Array.from(q.data as Uint8Array), [0, 85, 128, 255])
  t.same(Array.from(valueOf(byName(r, 'w_quantized_min')).data as Float32Array), [-1])
  t.same(Array.from(valueOf(byName(r, 'w_quantized_max')).data as Float32Array), [2])
  t.same(byName(r, 'w_quantized_min').attr.value.tensor!.tensorShape, {dim: []}, 'scalars keep an empty shape (AsProtoTensorContent)')
  const d = byName(r, 'w')
  t.equal(d.op, 'Dequantize')
  t.same(d.input, ['w_quantized_const', 'w_quantized_min', 'w_quantized_max'])
  t.same([d.attr.T, str(d.attr.mode)], [{type: 12}, 'MIN_FIRST'])
})

t.test('what is left alone', async (t) => {
  const g = graph(floatConst('small', [3], [1, 2, 3]), constOf('ints', 'int32', [2000], new Int32Array(2000)), f('r', 'Relu', ['small']))
  t.same(quantizeWeights(g, ctx('quantize_weights')).node, g.node, 'default minimum_size 1024; int Consts never')
  t.throws(() => quantizeWeights(graph({name: 'c', op: 'Const', input: [], attr: {dtype: {type: 1}}}), ctx('quantize_weights')), /no 'value' attribute for Const node 'c'/)
})

t.test('range rule and the double-precision quantizer', async (t) => {
  // TensorFlow starts the maximum at FLT_MIN (the smallest positive normal float), so constants
  // without a positive value get max = FLT_MIN, not 0, and the min == max branch is never taken.
  const FLT_MIN = 1.1754943508222875e-38
  t.same(quantizationRangeOfWeights(new Float32Array([0, 0, 0])), [0, FLT_MIN], 'all zeros')
  t.same(quantizationRangeOfWeights(new Float32Array([-4, -2])), [-4, FLT_MIN], 'all negative')
  t.same(quantizationRangeOfWeights(new Float32Array([2, 3])), [0, 3], 'zero always included')
  t.equal(floatToQuantizedU8(5, 0, 1), 255, 'clamped high')
  t.equal(floatToQuantizedU8(-5, 0, 1), 0, 'clamped low')
  t.equal(floatToQuantizedU8(0.3, 0.3, 0.3), 0, 'empty range: lowest')
  // min·scale is rounded separately: range [-0.1, 1] → scale 256/(1.1·256/255) ≈ 231.818;
  // round(-23.18) = -23, so 0 maps to 23.
  t.equal(floatToQuantizedU8(0, Math.fround(-0.1), 1), 23)
})
