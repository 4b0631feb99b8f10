import t from 'tap'
import {quantizeNodes, QUANTIZED_OPS} from '../../src/transforms/quantizeNodes.js'
import {byName, constOf, ctx, f, floatConst, graph, n, names, placeholder, str, valueOf} from './graphFixtures.js'
import type {GraphDef} from '../../src/graph/types.js'

const q = (g: GraphDef, outputs: string[], params: Record<string, string[]> = {}, inputs: string[] = []) =>
  quantizeNodes(g, ctx('quantize_nodes', inputs, outputs, params))

t.test('a float op becomes Reshape/Min/Max/QuantizeV2 → quantized op → Dequantize', async (t) => {
  const r = q(graph(placeholder('x'), f('relu', 'Relu', ['x'])), ['relu'])
  const u = 'relu_eightbit/x'
  t.same(names(r).sort(), ['relu', 'relu/eightbit', `${u}/max`, `${u}/min`, `${u}/quantize`, `${u}/reduction_dims`, `${u}/reshape`, `${u}/reshape_dims`, 'x'])
  t.same(byName(r, `${u}/reshape_dims`).input, ['^x'])
  t.same(Array.from(valueOf(byName(r, `${u}/reshape_dims`)).data as Int32Array), [-1])
  t.same(Array.from(valueOf(byName(r, `${u}/reduction_dims`)).data as Int32Array), [0])
  t.same(byName(r, `${u}/reshape`).input, ['x', `${u}/reshape_dims`])
  t.same(byName(r, `${u}/min`).attr, {T: {type: 1}, keep_dims: {b: false}}, 'no Tidx: defaults are not added')
  t.same(byName(r, `${u}/quantize`).input, ['x', `${u}/min`, `${u}/max`])
  t.same([byName(r, `${u}/quantize`).attr.T, str(byName(r, `${u}/quantize`).attr.mode)], [{type: 12}, 'MIN_FIRST'])
  const main = byName(r, 'relu/eightbit')
  t.equal(main.op, 'QuantizedRelu')
  t.same(main.attr, {Tinput: {type: 12}})
  t.same(main.input, [`${u}/quantize:0`, `${u}/quantize:1`, `${u}/quantize:2`])
  t.same(byName(r, 'relu').input, ['relu/eightbit:0', 'relu/eightbit:1', 'relu/eightbit:2'])
  t.equal(byName(r, 'relu').op, 'Dequantize')
})

t.test('32-bit outputs get RequantizationRange + Requantize, or fallback constants', async (t) => {
  const g = graph(placeholder('x', [1, 4, 4, 1]), floatConst('w', [1, 1, 1, 1], [1]), f('conv', 'Conv2D', ['x', 'w'], {strides: {list: {i: [1, 1, 1, 1]}}, padding: {s: new TextEncoder().encode('SAME')}, data_format: {s: new TextEncoder().encode('NHWC')}}))
  const r = q(g, ['conv'])
  const main = byName(r, 'conv/eightbit')
  t.equal(main.op, 'QuantizedConv2D')
  t.same(Object.keys(main.attr).sort(), ['Tfilter', 'Tinput', 'out_type', 'padding', 'strides'], 'data_format is not copied')
  t.same(main.input, ['conv_eightbit/x/quantize:0', 'conv_eightbit/w/quantize:0', 'conv_eightbit/x/quantize:1', 'conv_eightbit/x/quantize:2', 'conv_eightbit/w/quantize:1', 'conv_eightbit/w/quantize:2'], 'contiguous min/max')
  t.same(byName(r, 'conv/eightbit/requant_range').input, ['conv/eightbit:0', 'conv/eightbit:1', 'conv/eightbit:2'])
  t.same(byName(r, 'conv/eightbit/requantize').input, ['conv/eightbit:0', 'conv/eightbit:1', 'conv/eightbit:2', 'conv/eightbit/requant_range:0', 'conv/eightbit/requant_range:1'])
  t.same(byName(r, 'conv').input, ['conv/eightbit/requantize:0', 'conv/eightbit/requantize:1', 'conv/eightbit/requantize:2'])
  const fb = q(g, ['conv'], {fallback_min: ['-10'], fallback_max: ['10']})
  t.notOk(fb.node.some((x) => x.op === 'RequantizationRange'))
  t.same(byName(fb, 'conv/eightbit/requantize').input.slice(3), ['conv/eightbit/fallback_min', 'conv/eightbit/fallback_max'])
  t.same(Array.from(valueOf(byName(fb, 'conv/eightbit/fallback_max')).data as Float32Array), [10])
  t.throws(() => q(g, ['conv'], {fallback_min: ['-10']}), /you must pass both fallback_min and fallback_max/)
})

t.test('adjacent quantized ops pass 8-bit tensors and ranges directly', async (t) => {
  const r = q(graph(placeholder('x'), f('r1', 'Relu', ['x']), f('r2', 'Relu', ['r1'])), ['r2'])
  t.same(byName(r, 'r2/eightbit').input, ['r1/eightbit:0', 'r1/eightbit:1', 'r1/eightbit:2'], 'no Dequantize→QuantizeV2 in between')
  t.ok(r.node.some((x) => x.name === 'r1' && x.op === 'Dequantize'), 'the now-unused float path stays for strip_unused_nodes')
})

t.test('shared inputs: duplicate chains are merged (MergeDuplicateNodes)', async (t) => {
  const r = q(graph(placeholder('x'), f('a', 'Relu', ['x']), f('b', 'Relu6', ['x'])), ['a', 'b'])
  const quantizes = r.node.filter((x) => x.op === 'QuantizeV2')
  t.equal(quantizes.length, 1, 'one QuantizeV2 for x')
  t.equal(r.node.filter((x) => x.op === 'Reshape').length, 1)
  t.equal(r.node.filter((x) => x.op === 'Const').length, 2, 'one reshape_dims, one reduction_dims')
  const qn = quantizes[0].name
  t.same(byName(r, 'a/eightbit').input[0], `${qn}:0`)
  t.same(byName(r, 'b/eightbit').input[0], `${qn}:0`)
  t.equal(byName(r, 'b/eightbit').op, 'QuantizedRelu6')
})

t.test('Concat: separate min/max order, unquantized concat_dim', async (t) => {
  const g = graph(constOf('dim', 'int32', [], [0]), placeholder('a'), placeholder('b'), f('cat', 'Concat', ['dim', 'a', 'b'], {N: {i: 2}}))
  const main = byName(q(g, ['cat'], {}, ['a', 'b']), 'cat/eightbit')
  t.equal(main.op, 'QuantizedConcat')
  t.same(main.input, ['dim', 'cat_eightbit/a/quantize:0', 'cat_eightbit/b/quantize:0', 'cat_eightbit/a/quantize:1', 'cat_eightbit/b/quantize:1', 'cat_eightbit/a/quantize:2', 'cat_eightbit/b/quantize:2'])
  t.same(main.attr, {N: {i: 2}, T: {type: 12}})
})

t.test('what stays float', async (t) => {
  const ints = graph(n('x', 'Placeholder', [], {dtype: {type: 3}}), n('y', 'Add', ['x', 'x'], {T: {type: 3}}))
  t.same(names(q(ints, ['y'])), ['x', 'y'], 'non-float ops are copied')
  const g = graph(placeholder('x'), f('relu', 'Relu', ['x']))
  const ignored = q(g, ['relu'], {ignore_op: ['Relu']})
  const sorted = (nodes: GraphDef['node']) => [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1))
  t.same(sorted(ignored.node), sorted(g.node), 'ignore_op: the same nodes (in hash order, after MergeDuplicateNodes)')
  const ctl = graph(placeholder('x'), n('gate', 'NoOp'), f('relu', 'Relu', ['x', '^gate']))
  t.ok(q(ctl, ['relu']).node.some((x) => x.name === 'relu' && x.op === 'Relu'), 'ops with control inputs stay float')
  t.same(QUANTIZED_OPS.map((o) => o.floatOp), ['Add', 'AvgPool', 'BiasAdd', 'Concat', 'Conv2D', 'MatMul', 'MaxPool', 'Mul', 'Relu', 'ResizeBilinear', 'Relu6', 'Reshape'])
})

t.test('input_min/input_max quantize the placeholders', async (t) => {
  const r = q(graph(placeholder('x'), f('relu', 'Relu', ['x'])), ['relu'], {input_min: ['-1'], input_max: ['1']}, ['x'])
  t.same(byName(r, 'x').attr.dtype, {type: 12}, 'the placeholder is fed quint8')
  t.same(byName(r, 'x_eightbit/dequantize').input, ['x', 'x_eightbit/min', 'x_eightbit/max'])
  t.same(byName(r, 'relu/eightbit').input, ['x', 'x_eightbit/min', 'x_eightbit/max'], 'the Relu reads the 8-bit input and its given range directly')
  t.throws(() => q(graph(placeholder('x')), [], {input_min: ['-1']}), /both input_min and input_max/)
})

t.test('FakeQuant ranges: converted to Requantize, merged with the conv’s dynamic requantization, hoisted over Relu', async (t) => {
  const enc = (s: string) => new TextEncoder().encode(s)
  const convAttrs = {strides: {list: {i: [1, 1, 1, 1]}}, padding: {s: enc('SAME')}}
  const base = [placeholder('x', [1, 2, 2, 1]), floatConst('w', [1, 1, 1, 1], [1]), f('conv', 'Conv2D', ['x', 'w'], convAttrs), floatConst('fmin', [], [-6]), floatConst('fmax', [], [6])]
  const direct = q(graph(...base, n('fq', 'FakeQuantWithMinMaxVars', ['conv', 'fmin', 'fmax'])), ['fq'])
  const requant = byName(direct, 'fq_eightbit/requantize')
  t.same(requant.input, ['conv/eightbit:0', 'conv/eightbit:1', 'conv/eightbit:2', 'fmin', 'fmax'], 'the trained range replaces the dynamic one')
  t.same(byName(direct, 'fq').input, ['fq_eightbit/requantize:0', 'fq_eightbit/requantize:1', 'fq_eightbit/requantize:2'])
  t.notOk(direct.node.some((x) => x.name === 'conv/eightbit/requantize'), 'the dynamic Requantize is gone')

  const hoisted = q(graph(...base, f('relu', 'Relu', ['conv']), n('fq', 'FakeQuantWithMinMaxVars', ['relu', 'fmin', 'fmax'])), ['fq'])
  t.same(byName(hoisted, 'fq_hoisted_eightbit/requantize').input, ['conv/eightbit:0', 'conv/eightbit:1', 'conv/eightbit:2', 'fmin', 'fmax'], 'the FakeQuant moved before the Relu')
  t.equal(byName(hoisted, 'fq/eightbit').op, 'QuantizedRelu', 'the Relu now carries the FakeQuant’s name')
  t.same(byName(hoisted, 'fq/eightbit').input, ['fq_hoisted_eightbit/requantize:0', 'fq_hoisted_eightbit/requantize:1', 'fq_hoisted_eightbit/requantize:2'])
})
