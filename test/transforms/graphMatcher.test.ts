import t from 'tap'
import {executionOrder, sortByExecutionOrder} from '../../src/transforms/executionOrder.js'
import {GraphMatcher, checkGraphValid, copyOriginalMatch, matchedNodes, renameNodeInputs, replaceMatchingOpTypes} from '../../src/transforms/graphMatcher.js'
import {graph, n, names} from './graphFixtures.js'

t.test('SortByExecutionOrder: TensorFlow’s LIFO order', async (t) => {
  // TF's TestSimpleLinear: negative(sqrt(relu(const))) listed backwards.
  const linear = graph(n('negative', 'Neg', ['sqrt']), n('relu', 'Relu', ['const']), n('sqrt', 'Sqrt', ['relu']), n('const', 'Const'))
  t.same(names(sortByExecutionOrder(linear)), ['const', 'relu', 'sqrt', 'negative'])
  // Roots enter the stack in index order, the last one is emitted first; a consumer is pushed
  // as soon as its last input is emitted.
  const tree = graph(n('add1', 'Add', ['add2', 'add3']), n('add2', 'Add', ['c1', 'c2']), n('add3', 'Add', ['c3', 'c4']), n('c1', 'Const'), n('c2', 'Const'), n('c3', 'Const'), n('c4', 'Const'))
  t.same(names(sortByExecutionOrder(tree)), ['c4', 'c3', 'add3', 'c2', 'c1', 'add2', 'add1'])
  // Common ancestor and a duplicated input (counted twice) plus a control input.
  const common = graph(n('a', 'Add', ['b', 'b']), n('b', 'Relu', ['c', '^d']), n('c', 'Const'), n('d', 'NoOp'))
  t.same(names(sortByExecutionOrder(common)), ['d', 'c', 'b', 'a'])
  // Merge waits for one data input only (plus its control inputs).
  const merge = graph(n('m', 'Merge', ['x', 'loop']), n('x', 'Const'), n('loop', 'NextIteration', ['m']))
  t.same(names(sortByExecutionOrder(merge)), ['x', 'm', 'loop'])
})

t.test('SortByExecutionOrder errors', async (t) => {
  t.throws(() => sortByExecutionOrder(graph(n('a', 'Relu', ['b']), n('b', 'Relu', ['a']))), /2 nodes in a cycle/)
  t.throws(() => sortByExecutionOrder(graph(n('a', 'Relu', ['ghost:1']))), /node 'a': unknown input node 'ghost:1'/)
  const partial = executionOrder([n('c', 'Const'), n('a', 'Relu', ['b']), n('b', 'Relu', ['a'])])
  t.same(partial.order, [0], 'a cycle leaves the schedulable prefix')
})

t.test('GraphMatcher', async (t) => {
  const g = graph(
    n('x', 'Const'),
    n('w', 'Const'),
    n('conv', 'Conv2D', ['x', 'w', '^ctl']),
    n('ctl', 'NoOp'),
    n('relu', 'Relu', ['conv']),
    n('relu2', 'Relu', ['conv']),
  )
  const m = new GraphMatcher(g)
  const conv = m.matches({op: 'Conv2D', inputs: [{op: '*'}, {op: 'Const'}]})
  t.equal(conv.length, 1, 'control inputs are ignored when counting inputs')
  t.same(matchedNodes(conv[0]).map((x) => x.name), ['conv', 'x', 'w'])
  t.equal(m.matches({op: 'Conv2D', inputs: [{op: '*'}]}).length, 0, 'input count must match exactly')
  const relus = m.matches({op: 'Relu|Relu6', inputs: [{op: 'Conv2D'}]})
  // Candidates are tried in execution order (ctl, w, x, conv, then relu2 before relu: LIFO), and a
  // node belongs to one match only, so the shared conv goes to relu2.
  t.same(relus.map((r) => r.node.name), ['relu2'])
  t.same(m.matches({op: 'Relu'}).map((r) => r.node.name).sort(), ['relu', 'relu2'], 'no inputs in the pattern: any inputs')
  const self = new GraphMatcher(graph(n('x', 'Const'), n('add', 'Add', ['x', 'x'])))
  t.same(self.matches({op: 'Add', inputs: [{op: 'Const'}, {op: 'Const'}]}).length, 1, 'the same node may fill two places of one match')
})

t.test('ReplaceMatchingOpTypes', async (t) => {
  const g = graph(n('a', 'Const'), n('b', 'Relu', ['a']), n('c', 'Neg', ['b']), n('d', 'Sqrt', ['b']))
  const replaced = replaceMatchingOpTypes(g, {op: 'Neg', inputs: [{op: 'Relu'}]}, (match, inputs, outputs, out) => {
    t.same([...inputs], ['b'], 'input nodes: matched nodes reading from outside')
    t.same([...outputs].sort(), ['b'], 'output nodes: matched nodes read from outside (b by d)')
    out.push(n('c', 'Abs', ['a']))
  })
  // b is still needed by d, so the generator's result is discarded and the original match (c, b)
  // is emitted at the root's position.
  t.same(names(replaced), ['a', 'c', 'b', 'd'], 'b is still needed by d: the original match is kept')
  t.equal(replaced.node[1].op, 'Neg')
  const allowed = replaceMatchingOpTypes(g, {op: 'Neg', inputs: [{op: 'Relu'}]}, (_m, _i, _o, out) => out.push(n('c', 'Abs', ['a'])), {allowInconsistencies: true})
  t.same(names(allowed), ['a', 'c', 'd'], 'with allow_inconsistencies the generator wins; the root position receives its nodes')
  const copied = replaceMatchingOpTypes(g, {op: 'Neg', inputs: [{op: 'Relu'}]}, (m, _i, _o, out) => copyOriginalMatch(m, out))
  t.same(names(copied), ['a', 'c', 'b', 'd'], 'copied matches are emitted breadth-first at the root position')
})

t.test('RenameNodeInputs', async (t) => {
  const g = graph(n('z', 'Add', ['a', 'a:0', 'a:1', '^a', 'b', '^b']))
  t.same(renameNodeInputs(g, {a: 'x'}).node[0].input, ['x', 'x', 'a:1', '^a', 'b', '^b'], "'a' matches a and a:0 only")
  t.same(renameNodeInputs(g, {'a:*': 'x'}).node[0].input, ['x', 'x:0', 'x:1', '^x', 'b', '^b'], "':*' keeps ^ and :k")
  t.same(renameNodeInputs(g, {'a:1': 'q:2'}).node[0].input, ['a', 'a:0', 'q:2', '^a', 'b', '^b'])
  t.same(renameNodeInputs(g, {a: 'b', b: 'c'}).node[0].input, ['c', 'c', 'a:1', '^a', 'c', '^b'], 'renames chain')
  t.throws(() => renameNodeInputs(g, {a: 'b', b: 'a'}), /cycle for 'a'/)
  t.same(renameNodeInputs(g, {a: 'x'}, new Set(['z'])).node[0].input, g.node[0].input, 'ignored nodes keep their inputs')
})

t.test('validity check', async (t) => {
  t.doesNotThrow(() => checkGraphValid(graph(n('a', 'Const'), n('b', 'Relu', ['a:0', '^a']))))
  t.throws(() => checkGraphValid(graph(n('b', 'Relu', ['^gone'])), 'demo'), /demo: invalid graph: node 'b' has input '\^gone' referring to a nonexistent node/)
})
