import t from 'tap'
import {mcnemarExact, wilsonInterval} from '../../src/evaluation/statistics.js'
import {decodeHits, discordant, encodeHits} from '../../src/evaluation/hits.js'

const round4 = (v: number) => Math.round(v * 1e4) / 1e4

t.test('Wilson score intervals match Newcombe (1998), Table I, method 3', async (t) => {
  // Newcombe RG. Two-sided confidence intervals for the single proportion. Stat Med 1998;17:857-872.
  t.same(wilsonInterval(81, 263).map(round4), [0.2553, 0.3662])
  t.same(wilsonInterval(15, 148).map(round4), [0.0624, 0.1605])
  t.same(wilsonInterval(0, 20).map(round4), [0, 0.1611])
  t.same(wilsonInterval(1, 29).map(round4), [0.0061, 0.1718])
  t.same(wilsonInterval(0, 0), [0, 1])
})

t.test('Wilson interval of 5/10 by hand: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)', async (t) => {
  const z = 1.959963984540054
  const n = 10
  const half = z * Math.sqrt(0.25 / n + (z * z) / (4 * n * n))
  const centre = 0.5 + (z * z) / (2 * n)
  const [lo, hi] = wilsonInterval(5, 10)
  t.ok(Math.abs(lo - (centre - half) / (1 + (z * z) / n)) < 1e-15)
  t.ok(Math.abs(hi - (centre + half) / (1 + (z * z) / n)) < 1e-15)
  t.same([lo, hi].map(round4), [0.2366, 0.7634])
})

t.test('exact McNemar: two-sided binomial tail of the discordant pairs, by hand', async (t) => {
  // computed in log space: equal to the fractions within rounding
  const near = (actual: number, expected: number) => t.ok(Math.abs(actual - expected) <= 1e-12 * expected, `${actual} ≈ ${expected}`)
  near(mcnemarExact(1, 7), (2 * (1 + 8)) / 256)
  near(mcnemarExact(7, 1), (2 * (1 + 8)) / 256)
  near(mcnemarExact(0, 5), 2 / 32)
  near(mcnemarExact(2, 10), (2 * (1 + 12 + 66)) / 4096)
  t.equal(mcnemarExact(3, 3), 1)
  t.equal(mcnemarExact(0, 0), 1)
  // large counts stay finite (log space): 400 vs 600 discordant images is far from chance
  const p = mcnemarExact(400, 600)
  t.ok(p > 0 && p < 1e-9, `p = ${p}`)
  t.equal(mcnemarExact(500, 500), 1)
})

t.test('hit sets round-trip through base64 and give the discordant pairs', async (t) => {
  const a = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1]
  const b = [1, 1, 0, 1, 0, 1, 1, 0, 0, 1]
  t.same([...decodeHits(encodeHits(a), a.length)], a)
  t.equal(encodeHits([1, 0, 0, 0, 0, 0, 0, 0, 1]), Buffer.from([1, 1]).toString('base64'))
  t.same(discordant(encodeHits(a), encodeHits(b), a.length), {b: 2, c: 2})
  t.throws(() => decodeHits(encodeHits(a), 30))
})
