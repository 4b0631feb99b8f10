import t from 'tap'
import {foldOldBatchNorms} from '../../src/transforms/foldOldBatchNorms.js'
import {byName, f, floatConst, graph, names, placeholder, valueOf} from './graphFixtures.js'

const f32 = Math.fround
const conv = (name: string, inputs: string[]) => f(name, 'Conv2D', inputs, {strides: {list: {i: [1, 1, 1, 1]}}, padding: {s: new TextEncoder().encode('SAME')}, data_format: {s: new TextEncoder().encode('NHWC')}})

t.test('FusedBatchNorm with constant statistics after Conv2D → scaled weights + BiasAdd', async (t) => {
  const g = graph(
    placeholder('x'),
    floatConst('w', [1, 1, 1, 2], [1, 2]),
    conv('conv', ['x', 'w']),
    floatConst('gamma', [2], [2, 3]),
    floatConst('beta', [2], [0.5, -1]),
    floatConst('mean', [2], [1, 2]),
    floatConst('var', [2], [4, 0.25]),
    f('bn', 'FusedBatchNorm', ['conv', 'gamma', 'beta', 'mean', 'var'], {epsilon: {f: 0}, is_training: {b: false}}),
    f('out', 'Relu', ['bn']),
  )
  const r = foldOldBatchNorms(g)
  t.same(names(r), ['w', 'x', 'conv', 'conv_bn_offset', 'bn', 'out'])
  const scale = [f32(f32(1 / Math.sqrt(4)) * 2), f32(f32(1 / Math.sqrt(0.25)) * 3)]
  t.same(Array.from(valueOf(byName(r, 'w')).data as Float32Array), [1 * scale[0], 2 * scale[1]])
  t.same(Array.from(valueOf(byName(r, 'conv_bn_offset')).data as Float32Array), [f32(-1 * scale[0] + 0.5), f32(-2 * scale[1] - 1)])
  const bias = byName(r, 'bn')
  t.equal(bias.op, 'BiasAdd')
  t.same(bias.input, ['conv', 'conv_bn_offset'])
  t.same(Object.keys(bias.attr).sort(), ['T', 'data_format'])
})

t.test('BatchNormWithGlobalNormalization input order and scale_after_normalization=false', async (t) => {
  const g = graph(
    placeholder('x'),
    floatConst('w', [1, 1, 1, 1], [3]),
    conv('conv', ['x', 'w']),
    floatConst('m', [1], [1]),
    floatConst('v', [1], [3]),
    floatConst('b', [1], [0]),
    floatConst('g', [1], [100]),
    f('bn', 'BatchNormWithGlobalNormalization', ['conv', 'm', 'v', 'b', 'g'], {variance_epsilon: {f: 1}, scale_after_normalization: {b: false}}),
  )
  const r = foldOldBatchNorms(g)
  t.same(Array.from(valueOf(byName(r, 'w')).data as Float32Array), [1.5], 'gamma ignored: 3 · 1/sqrt(3+1)')
  t.same(Array.from(valueOf(byName(r, 'conv_bn_offset')).data as Float32Array), [-0.5])
})

t.test('training-mode batch norm (empty statistics) is an error, as in TensorFlow', async (t) => {
  const g = graph(placeholder('x'), floatConst('w', [1, 1, 1, 2], [1, 2]), conv('conv', ['x', 'w']), floatConst('gamma', [2], [1, 1]), floatConst('beta', [2], [0, 0]), floatConst('mean', [0], []), floatConst('var', [0], []), f('bn', 'FusedBatchNorm', ['conv', 'gamma', 'beta', 'mean', 'var'], {epsilon: {f: 0.001}}))
  t.throws(() => foldOldBatchNorms(g), /the mean input 'mean' of 'bn' is empty \(a FusedBatchNorm in training mode/)
})
