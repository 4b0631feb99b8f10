import t from 'tap'
import {foldBatchNorms} from '../../src/transforms/foldBatchNorms.js'
import {byName, f, floatConst, graph, names, placeholder, valueOf} from './graphFixtures.js'

const conv = (inputs: string[]) => f('conv', 'Conv2D', inputs, {strides: {list: {i: [1, 1, 1, 1]}}, padding: {s: new TextEncoder().encode('SAME')}})

t.test('Mul by a per-column constant is folded into the weights; the conv takes the Mul’s name', async (t) => {
  const g = graph(placeholder('x'), floatConst('w', [1, 1, 2, 2], [1, 2, 3, 4]), conv(['x', 'w']), floatConst('scale', [2], [10, 0.5]), f('mul', 'Mul', ['conv', 'scale']), f('out', 'Relu', ['mul']))
  const r = foldBatchNorms(g)
  t.same(names(r), ['w', 'x', 'mul', 'out'], 'scaled weights, input, then the conv, at the Mul’s position')
  t.same(Array.from(valueOf(byName(r, 'w')).data as Float32Array), [10, 1, 30, 2])
  t.equal(byName(r, 'mul').op, 'Conv2D')
  t.same(byName(r, 'mul').input, ['x', 'w'])
  t.same(byName(r, 'out').input, ['mul'])
})

t.test('MatMul columns; nothing changes when a part is used elsewhere; bad shapes', async (t) => {
  const mm = graph(placeholder('x'), floatConst('w', [2, 3], [1, 1, 1, 2, 2, 2]), f('mm', 'MatMul', ['x', 'w']), floatConst('s', [3], [1, 2, 3]), f('mul', 'Mul', ['mm', 's']))
  t.same(Array.from(valueOf(byName(foldBatchNorms(mm), 'w')).data as Float32Array), [1, 2, 3, 2, 4, 6])
  const shared = graph(...mm.node, f('other', 'Relu', ['mm']))
  const r = foldBatchNorms(shared)
  t.same(names(r), ['mul', 'mm', 'x', 'w', 's', 'other'], 'the five nodes are re-emitted (in TF’s order) when the conv is used outside')
  t.equal(byName(r, 'mul').op, 'Mul')
  const bad = graph(placeholder('x'), floatConst('w', [2, 3], [1, 1, 1, 2, 2, 2]), f('mm', 'MatMul', ['x', 'w']), floatConst('s', [2], [1, 2]), f('mul', 'Mul', ['mm', 's']))
  t.throws(() => foldBatchNorms(bad), /Mul constant input to batch norm 's' has bad shape \[2\], expected \[3\]/)
})
