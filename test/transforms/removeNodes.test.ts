import t from 'tap'
import {removeNodes} from '../../src/transforms/removeNodes.js'
import {byName, ctx, f, graph, n, names} from './graphFixtures.js'

const run = (g: ReturnType<typeof graph>, params: Record<string, string[]>, outputs: string[] = [], inputs: string[] = []) =>
  removeNodes(g, ctx('remove_nodes', inputs, outputs, params))

t.test('chains and shared inputs are removed over repeated passes', async (t) => {
  const g = graph(
    n('a', 'Const'),
    n('b', 'Const'),
    f('id1', 'Identity', ['a']),
    f('id2', 'Identity', ['id1']),
    f('id3', 'Identity', ['a']),
    f('add', 'Add', ['id2', 'id3']),
    f('mul', 'Mul', ['id3', 'b']),
  )
  const r = run(g, {op: ['Identity']}, ['add', 'mul'])
  t.same(names(r).sort(), ['a', 'add', 'b', 'mul'])
  t.same(byName(r, 'add').input, ['a', 'a'])
  t.same(byName(r, 'mul').input, ['a', 'b'])
})

t.test('ports, control inputs and the removed node’s own control inputs', async (t) => {
  const g = graph(
    n('split', 'Split', ['dim', 'x']),
    n('dim', 'Const'),
    n('x', 'Const'),
    n('c', 'NoOp'),
    f('id', 'Identity', ['split:1', '^c']),
    f('user', 'Relu', ['id:0', '^id']),
  )
  const r = run(g, {op: ['Identity']}, ['user'])
  t.same(byName(r, 'user').input, ['split:1', '^split'], "data readers get the port, '^id' becomes '^split'")
  t.notOk(r.node.some((x) => x.input.includes('^c')), "the removed node's control input is dropped")
  t.same(names(r), ['dim', 'x', 'c', 'split', 'user'], 'the input node moves to the removed node’s position')
})

t.test('nodes named by --inputs/--outputs stay; several ops; max_inputs', async (t) => {
  const g = graph(n('a', 'Const'), f('id', 'Identity', ['a']), f('chk', 'CheckNumerics', ['id']), f('out', 'Identity', ['chk']))
  const r = run(g, {op: ['Identity', 'CheckNumerics']}, ['out'])
  t.same(byName(r, 'out').input, ['a'])
  t.equal(byName(r, 'out').op, 'Identity', 'the output node itself is kept')
  t.notOk(r.node.some((x) => x.name === 'id' || x.name === 'chk'))
  const two = graph(n('a', 'Const'), n('b', 'Const'), f('add', 'Add', ['a', 'b']), f('neg', 'Neg', ['add']))
  t.same(names(run(two, {op: ['Add']}, ['neg'])), names(two), 'a two-input node is not matched with max_inputs=1')
  const r2 = run(two, {op: ['Add'], max_inputs: ['2']}, ['neg'])
  t.same(byName(r2, 'neg').input, ['a'], 'with max_inputs=2 it is spliced out, consumers read its first input')
})

t.test('errors', async (t) => {
  t.throws(() => run(graph(n('a', 'Const')), {}), /remove_nodes expects at least one 'op' argument/)
  t.throws(() => run(graph(n('a', 'Const')), {op: ['Identity'], max_inputs: ['x']}), /couldn't interpret the max_inputs argument as a number/)
})
