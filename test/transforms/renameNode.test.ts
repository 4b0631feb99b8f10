import t from 'tap'
import {renameNode} from '../../src/transforms/renameNode.js'
import {ctx, graph, n} from './graphFixtures.js'

t.test('rename_node', async (t) => {
  const g = graph(n('deep/out', 'Split'), n('c', 'Add', ['deep/out:1', '^deep/out', 'deep/out', 'deep/outer']), n('deep/outer', 'Const'))
  const r = renameNode(g, ctx('rename_node', [], [], {old_node_name: ['deep/out'], new_node_name: ['out']}))
  t.same(r.node.map((x) => x.name), ['out', 'c', 'deep/outer'])
  t.same(r.node[1].input, ['out:1', '^out', 'out', 'deep/outer'])
  t.throws(() => renameNode(g, ctx('rename_node', [], [], {old_node_name: ['c'], new_node_name: ['deep/outer']})), /already named 'deep\/outer'/)
  t.throws(() => renameNode(g, ctx('rename_node', [], [], {old_node_name: ['c']})), /exactly one 'old_node_name' and one 'new_node_name'/)
})
