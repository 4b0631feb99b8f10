import t from 'tap'
import {removeControlDependencies} from '../../src/transforms/removeControlDependencies.js'
import {graph, n} from './graphFixtures.js'

t.test('remove_control_dependencies', async (t) => {
  const g = graph(n('a', 'Const'), n('b', 'NoOp'), n('c', 'Add', ['a', '^b', 'a:0', '^a']))
  t.same(removeControlDependencies(g).node[2].input, ['a', 'a:0'])
  t.equal(removeControlDependencies(g).node[0], g.node[0], 'nodes without control inputs are shared, not copied')
})
