import t from 'tap'
import {diffGraphs, formatGraphDifference} from '../../src/graph/graphDiff.js'
import {constOf, f, floatConst, graph, n, placeholder} from '../transforms/graphFixtures.js'

const base = graph(placeholder('x'), floatConst('c', [3], [1, 2, 3]), f('y', 'Add', ['x', 'c']))

t.test('identical graphs, attr order, encodings', async (t) => {
  const reordered = graph(...base.node.map((node) => ({...node, attr: Object.fromEntries(Object.entries(node.attr).reverse())})))
  t.ok(diffGraphs(base, reordered).identical, 'attr order inside a node does not count')
  const typed = graph(base.node[0], {...base.node[1], attr: {...base.node[1].attr, value: {tensor: {dtype: 1, tensorShape: {dim: [{size: 3}]}, floatVal: [1, 2, 3]}}}}, base.node[2])
  const d = diffGraphs(base, typed)
  t.same(d.changed.map((c) => c.attrs.map((a) => a.detail)), [['tensor values equal, encoded differently']])
})

t.test('every kind of difference', async (t) => {
  const other = graph(
    placeholder('x'),
    {...floatConst('c', [3], [1, 2.5, 3]), device: '/cpu:0'},
    f('y', 'Sub', ['c', 'x'], {extra: {b: true}}),
    n('z', 'NoOp'),
  )
  const d = diffGraphs({...base, versions: {producer: 27}}, other, {order: true})
  t.equal(d.identical, false)
  t.same(d.onlyInB, ['z'])
  const lines = formatGraphDifference(d)
  t.same(lines, [
    'graph: versions differ (A: producer 27, B: none)',
    'only in B: z',
    "c: device '' vs '/cpu:0'",
    'c: attr value: tensor values: 1 of 3 differ (max |a-b| = 0.5)',
    'y: op Add vs Sub',
    'y: inputs [x, c] vs [c, x]',
    'y: attr extra only in B (true)',
  ])
  t.equal(d.order, undefined, 'same relative order of common nodes')
  const swapped = diffGraphs(base, graph(base.node[1], base.node[0], base.node[2]), {order: true})
  t.same(swapped.order, {firstIndex: 0, a: 'x', b: 'c', misplaced: 2})
  t.equal(diffGraphs(base, graph(base.node[1], base.node[0], base.node[2])).identical, true, 'order ignored unless asked')
  t.equal(diffGraphs(graph(constOf('i', 'int32', [1], [1])), graph(constOf('i', 'float32', [1], [1]))).changed[0].attrs.length, 2, 'dtype attr and value differ')
  t.same(formatGraphDifference(diffGraphs(base, graph()), 'A', 'B', 2), ['only in A: x', 'only in A: c', '... and 1 more differences'])
})
