import t from 'tap'
import {removeAttribute} from '../../src/transforms/removeAttribute.js'
import {ctx, graph, n} from './graphFixtures.js'

t.test('remove_attribute', async (t) => {
  const g = graph(n('a', 'Mul', [], {foo: {i: 1}, bar: {i: 2}}), n('b', 'Add', [], {foo: {i: 3}}))
  t.same(removeAttribute(g, ctx('remove_attribute', [], [], {attribute_name: ['foo']})).node.map((x) => x.attr), [{bar: {i: 2}}, {}])
  t.same(removeAttribute(g, ctx('remove_attribute', [], [], {attribute_name: ['foo'], op_name: ['Add']})).node.map((x) => x.attr), [{foo: {i: 1}, bar: {i: 2}}, {}])
  t.throws(() => removeAttribute(g, ctx('remove_attribute', [], [], {})), /exactly one 'attribute_name'/)
  t.throws(() => removeAttribute(g, ctx('remove_attribute', [], [], {attribute_name: ['foo'], op_name: ['A', 'B']})), /a single op_name argument, but found 2/)
})
