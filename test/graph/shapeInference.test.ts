import t from 'tap'
import {inferShapes} from '../../src/graph/shapeInference.js'
import {summarizeGraph} from '../../src/graph/graphSummary.js'
import {constOf, f, floatConst, graph, n, placeholder} from '../transforms/graphFixtures.js'

const enc = (s: string) => new TextEncoder().encode(s)
const conv = (name: string, inputs: string[], strides: number[], padding: string, op = 'Conv2D') =>
  f(name, op, inputs, {strides: {list: {i: strides}}, padding: {s: enc(padding)}})

const g = graph(
  placeholder('x', [-1, 32, 32, 3]),
  floatConst('w', [3, 3, 3, 8], new Float32Array(216)),
  conv('same', ['x', 'w'], [1, 2, 2, 1], 'SAME'),
  conv('valid', ['x', 'w'], [1, 2, 2, 1], 'VALID'),
  constOf('pads', 'int32', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]),
  f('pad', 'Pad', ['valid', 'pads']),
  f('pool', 'AvgPool', ['pad'], {ksize: {list: {i: [1, 2, 2, 1]}}, strides: {list: {i: [1, 2, 2, 1]}}, padding: {s: enc('SAME')}}),
  constOf('axes', 'int32', [2], [1, 2]),
  f('mean', 'Mean', ['pool', 'axes'], {keep_dims: {b: false}}),
  floatConst('k', [8, 5], new Float32Array(40)),
  f('mm', 'MatMul', ['mean', 'k']),
  constOf('shape', 'int32', [2], [-1, 10]),
  f('flat', 'Reshape', ['pad', 'shape']),
  n('q', 'QuantizeV2', ['same', 'mn', 'mx']),
  n('qc', 'AxConv2D', ['q', 'w', 'q:1', 'q:2', 'mn', 'mx'], {strides: {list: {i: [1, 1, 1, 1]}}, padding: {s: enc('SAME')}}),
  f('unknown', 'SomeCustomOp', ['x']),
)

t.test('shape rules', async (t) => {
  const s = inferShapes(g)
  t.same(s.shape('same'), [-1, 16, 16, 8], 'SAME: ceil(32/2)')
  t.same(s.shape('valid'), [-1, 15, 15, 8], 'VALID: (32-3+2)/2')
  t.same(s.shape('pad'), [-1, 17, 17, 8], 'Pad adds the constant paddings')
  t.same(s.shape('pool'), [-1, 9, 9, 8])
  t.same(s.shape('mean'), [-1, 8])
  t.same(s.shape('mm'), [-1, 5])
  t.same(s.shape('flat'), [-1, 10], 'unknown batch: -1 stays')
  t.same([s.shape('qc:0'), s.shape('qc:1'), s.shape('q:2')], [[-1, 16, 16, 8], [], []], 'quantized ops: scalar min/max outputs')
  t.equal(s.shape('unknown'), undefined, 'unknown ops: unknown shape')
  t.same(inferShapes(g, {x: [2, 32, 32, 3]}).shape('flat'), [2 * 17 * 17 * 8 / 10, 10], 'given input shapes resolve -1 in Reshape')
})

t.test('layer summary', async (t) => {
  const s = summarizeGraph(g)
  t.same(s.layers.map((l) => [l.name, l.macsPerImage, l.outputMacsPerImage]), [
    ['same', 32 * 32 * 27 * 8, 16 * 16 * 27 * 8],
    ['valid', 32 * 32 * 27 * 8, 15 * 15 * 27 * 8],
    ['mm', 40, 40],
    ['qc', 16 * 16 * 27 * 8, 16 * 16 * 27 * 8],
  ])
  t.equal(s.macsPerImage, 2 * 32 * 32 * 27 * 8 + 40 + 16 * 16 * 27 * 8)
  t.same(s.inputs, ['x'])
  t.equal(s.ops.Const, 5)
})

t.test('a Const without a (decodable) value has an unknown shape; inference goes on', async (t) => {
  const broken = graph(
    placeholder('x', [-1, 4]),
    n('novalue', 'Const', [], {dtype: {type: 1}}),
    n('emptyproto', 'Const', [], {dtype: {type: 1}, value: {tensor: {}}}),
    n('badcontent', 'Const', [], {dtype: {type: 1}, value: {tensor: {dtype: 1, tensorShape: {dim: [{size: 2}]}, tensorContent: new Uint8Array(3)}}}),
    floatConst('w', [4, 2], new Float32Array(8)),
    f('a', 'MatMul', ['x', 'novalue']),
    f('b', 'MatMul', ['x', 'emptyproto']),
    f('m', 'MatMul', ['x', 'w']),
  )
  const s = inferShapes(broken)
  t.equal(s.shape('novalue'), undefined, 'no value attr')
  t.equal(s.shape('emptyproto'), undefined, 'empty TensorProto (no dtype)')
  t.equal(s.shape('badcontent'), undefined, 'tensor_content of the wrong size')
  t.equal(s.shape('a'), undefined)
  t.same(s.shape('m'), [-1, 2], 'the rest of the graph is still inferred')
  const summary = summarizeGraph(broken)
  t.same(summary.layers.map((l) => [l.name, l.filterShape, l.macsPerImage]), [
    ['a', null, null],
    ['b', null, null],
    ['m', [4, 2], 8],
  ])
})
