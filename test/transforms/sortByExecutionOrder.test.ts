import t from 'tap'
import {transformGraph} from '../../src/transforms/transformGraph.js'
import {graph, n, names} from './graphFixtures.js'

t.test('sort_by_execution_order transform', async (t) => {
  const g = graph(n('add', 'Add', ['a', 'b']), n('b', 'Const'), n('a', 'Const'))
  const r = await transformGraph(g, 'sort_by_execution_order', {inputs: [], outputs: []})
  t.same(names(r.graph), ['a', 'b', 'add'], 'the last root is emitted first')
  await t.rejects(transformGraph(graph(n('x', 'Relu', ['y']), n('y', 'Relu', ['x'])), 'sort_by_execution_order', {inputs: [], outputs: []}), /2 nodes in a cycle/)
})
