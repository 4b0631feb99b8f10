import t from 'tap'
import {mergeDuplicateNodes} from '../../src/transforms/mergeDuplicateNodes.js'
import {hashNodeDef} from '../../src/transforms/nodeHash.js'
import {byName, ctx, f, floatConst, graph, n, names, placeholder} from './graphFixtures.js'

t.test('identical nodes merge, layer by layer, into the first of each group; output in hash order', async (t) => {
  const g = graph(
    placeholder('x'),
    floatConst('c1', [], [2]),
    floatConst('c2', [], [2]),
    f('m1', 'Mul', ['x', 'c1']),
    f('m2', 'Mul', ['x', 'c2']),
    f('out', 'Add', ['m1', 'm2:0']),
  )
  const r = mergeDuplicateNodes(g, ctx('merge_duplicate_nodes', ['x'], ['out']))
  t.same(names(r).sort(), ['c1', 'm1', 'out', 'x'], 'c2 merges in pass 1, then m2 in pass 2')
  t.same(byName(r, 'out').input, ['m1', 'm1:0'], "consumers keep their ':k'")
  const hashes = r.node.map((x) => hashNodeDef(x, ['x', 'out'].includes(x.name) ? x.name : ''))
  t.same(hashes, [...hashes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'the result is in ascending (nameless) hash order')
})

t.test('what does not merge', async (t) => {
  const g = graph(placeholder('a'), placeholder('b'), n('r1', 'RandomUniform', ['a'], {dtype: {type: 1}}), n('r2', 'RandomUniform', ['a'], {dtype: {type: 1}}), f('o', 'AddN', ['r1', 'r2']))
  t.same(names(mergeDuplicateNodes(g, ctx('merge_duplicate_nodes', ['a', 'b'], ['o']))).sort(), ['a', 'b', 'o', 'r1', 'r2'], 'stateful ops and nodes named in --inputs stay')
  const r = mergeDuplicateNodes(g, ctx('merge_duplicate_nodes', [], ['o']))
  t.equal(r.node.filter((x) => x.op === 'Placeholder').length, 1, 'identical placeholders not named in --inputs merge (as in TensorFlow)')
  const dev = graph(floatConst('c1', [], [2]), {...floatConst('c2', [], [2]), device: '/cpu:0'}, f('o', 'Add', ['c1', 'c2']))
  t.equal(mergeDuplicateNodes(dev, ctx('merge_duplicate_nodes', [], ['o'])).node.length, 3, 'devices differ')
})
