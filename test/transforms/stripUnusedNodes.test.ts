import t from 'tap'
import {stripUnusedNodes} from '../../src/transforms/stripUnusedNodes.js'
import {byName, ctx, f, graph, n, names, placeholder} from './graphFixtures.js'

const g = graph(
  n('c', 'Const'),
  f('pre', 'Relu', ['c']),
  f('in', 'Neg', ['pre']),
  n('dead', 'Const'),
  f('mid', 'Relu', ['in', '^ctl']),
  n('ctl', 'NoOp'),
  f('out', 'Sqrt', ['mid']),
  f('unused', 'Sqrt', ['mid']),
)

t.test('keeps what the outputs need, in the original order, not past the inputs', async (t) => {
  const r = stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out']))
  t.same(names(r), ['in', 'mid', 'ctl', 'out'], 'control inputs are followed; nodes above the input go')
  const p = byName(r, 'in')
  t.same(p, {name: 'in', op: 'Placeholder', input: [], attr: {dtype: {type: 1}, shape: {shape: {dim: []}}}}, 'a non-Placeholder input becomes a float scalar Placeholder')
  t.same(names(stripUnusedNodes(g, ctx('strip_unused_nodes', [], ['out:0']))), ['c', 'pre', 'in', 'mid', 'ctl', 'out'], 'outputs may name tensors')
})

t.test('type and shape parameters', async (t) => {
  const r = stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out'], {type: ['quint8'], shape: ['1,2,-1']}))
  t.same(byName(r, 'in').attr, {dtype: {type: 12}, shape: {shape: {dim: [{size: 1}, {size: 2}, {size: -1}]}}})
  const named = stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out'], {name: ['other', 'in'], type_for_name: ['float', 'int32'], shape_for_name: ['1', '3,3']}))
  t.same(byName(named, 'in').attr, {dtype: {type: 3}, shape: {shape: {dim: [{size: 3}, {size: 3}]}}}, 'per-name type and shape')
  const existing = graph(placeholder('x', [-1, 4]), f('y', 'Relu', ['x']))
  const kept = stripUnusedNodes(existing, ctx('strip_unused_nodes', ['x'], ['y'], {type: ['int32'], shape: ['1,299,299,3']}))
  t.same(byName(kept, 'x'), existing.node[0], 'an existing Placeholder is kept as it is: type and shape do not apply')
})

t.test('errors', async (t) => {
  t.throws(() => stripUnusedNodes(g, ctx('strip_unused_nodes', [], ['nothere'])), /input node nothere not found in graph/)
  t.throws(() => stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out'], {type: ['float32']})), /couldn't understand type argument 'float32' \(accepted: float, double, int32/)
  t.throws(() => stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out'], {type: ['float', 'int32']})), /no more than one default 'type'/)
  t.throws(() => stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out'], {name: ['in']})), /'type_for_name' arg for every 'name'/)
  t.throws(() => stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out'], {shape: ['1,x']})), /couldn't parse '1,x' as a shape/)
  t.throws(() => stripUnusedNodes(g, ctx('strip_unused_nodes', ['in'], ['out'], {shape: ['']})), /specified shape is empty/)
})
