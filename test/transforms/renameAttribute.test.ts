import t from 'tap'
import {renameAttribute} from '../../src/transforms/renameAttribute.js'
import {ctx, graph, n} from './graphFixtures.js'

t.test('rename_attribute', async (t) => {
  const g = graph(n('a', 'Mul', [], {foo: {i: 1}, bar: {i: 9}}), n('b', 'Add', [], {foo: {i: 2}}), n('c', 'Mul', [], {x: {i: 3}}))
  const all = renameAttribute(g, ctx('rename_attribute', [], [], {old_attribute_name: ['foo'], new_attribute_name: ['baz']}))
  t.same(all.node.map((x) => x.attr), [{bar: {i: 9}, baz: {i: 1}}, {baz: {i: 2}}, {x: {i: 3}}])
  const mulOnly = renameAttribute(g, ctx('rename_attribute', [], [], {old_attribute_name: ['foo'], new_attribute_name: ['bar'], op_name: ['Mul']}))
  t.same(mulOnly.node[0].attr, {bar: {i: 9}}, 'an existing new attr is not overwritten; the old one is removed anyway')
  t.same(mulOnly.node[1].attr, {foo: {i: 2}}, 'other ops untouched')
  t.throws(() => renameAttribute(g, ctx('rename_attribute', [], [], {old_attribute_name: ['foo']})), /exactly one 'old_attribute_name' and one 'new_attribute_name'/)
})
