import t from 'tap'
import {renameOp} from '../../src/transforms/renameOp.js'
import {ctx, f, graph, n} from './graphFixtures.js'

t.test('rename_op', async (t) => {
  const g = graph(n('a', 'QuantizedConv2D', [], {strides: {list: {i: [1, 1, 1, 1]}}}), f('b', 'QuantizedConv2DAndRelu', ['a']))
  const r = renameOp(g, ctx('rename_op', [], [], {old_op_name: ['QuantizedConv2D'], new_op_name: ['AxConv2D']}))
  t.same(r.node.map((x) => x.op), ['AxConv2D', 'QuantizedConv2DAndRelu'], 'exact op names only')
  t.same(r.node[0].attr, g.node[0].attr, 'attrs untouched (no AxMult/AxTune added)')
  t.throws(() => renameOp(g, ctx('rename_op', [], [], {old_op_name: ['A', 'B'], new_op_name: ['C']})), /exactly one 'old_op_name' and 'new_op_name'/)
  t.throws(() => renameOp(g, ctx('rename_op', [], [], {old_op_name: ['A']})), /exactly one/)
})
