import t from 'tap'
import {roundWeights} from '../../src/transforms/roundWeights.js'
import {byName, ctx, floatConst, graph, valueOf} from './graphFixtures.js'

t.test('round_weights', async (t) => {
  const values = Array.from({length: 16}, (_, i) => i) // 0..15, range [0, 15]
  const g = graph(floatConst('w', [4, 4], values), floatConst('small', [3], [0.1, 0.2, 0.3]))
  const r = roundWeights(g, ctx('round_weights', [], [], {num_steps: ['3']}))
  // bucket width 5: 0..4 → 2.5, 5..9 → 7.5, 10..14 → 12.5, and the maximum 15 → 17.5 (TF quirk).
  t.same(Array.from(valueOf(byName(r, 'w')).data as Float32Array), [2.5, 2.5, 2.5, 2.5, 2.5, 7.5, 7.5, 7.5, 7.5, 7.5, 12.5, 12.5, 12.5, 12.5, 12.5, 17.5])
  t.equal(byName(r, 'small'), g.node[1], 'fewer than 16 elements: unchanged')
  t.equal(valueOf(byName(r, 'w')).dtype, 'float32')
  t.throws(() => roundWeights(g, ctx('round_weights', [], [], {num_steps: ['many']})), /num_steps argument as a number/)
})
