import t from 'tap'
import {addDefaultAttributes} from '../../src/transforms/addDefaultAttributes.js'
import {graph, n, str} from './graphFixtures.js'

t.test('add_default_attributes', async (t) => {
  const g = {...graph(n('q', 'QuantizeV2', ['x', 'a', 'b'], {T: {type: 12}, mode: {s: new TextEncoder().encode('MIN_FIRST')}}), n('m', 'Mean', ['x', 'i'], {T: {type: 1}}), n('p', 'Placeholder', [], {dtype: {type: 1}}), n('u', 'MyCustomOp', [])), versions: {producer: 38}}
  const r = addDefaultAttributes(g)
  t.same(Object.keys(r.node[0].attr), ['T', 'mode', 'round_mode'], 'missing attrs appended, existing kept')
  t.equal(str(r.node[0].attr.mode), 'MIN_FIRST')
  t.equal(str(r.node[0].attr.round_mode), 'HALF_AWAY_FROM_ZERO')
  t.same(r.node[1].attr, {T: {type: 1}, keep_dims: {b: false}, Tidx: {type: 3}})
  t.same(r.node[2].attr.shape, {shape: {unknownRank: true}}, 'Placeholder shape defaults to unknown rank')
  t.equal(r.node[3], g.node[3], 'unknown ops are left alone')
  t.same(r.versions, {producer: 38}, 'versions kept')
})
