import t from 'tap'
import {crowdingDistance, dominates, nonDominatedSort, rankPoints, selectSurvivors, crowdedCompare} from '../../src/search/nsga2.js'

// A(1,5) B(2,3) C(4,1) D(3,4) E(5,5) F(2,3): both objectives minimised; F duplicates B
const points = [[1, 5], [2, 3], [4, 1], [3, 4], [5, 5], [2, 3]]

t.test('Pareto dominance', async (t) => {
  t.ok(dominates([2, 3], [3, 4]))
  t.ok(dominates([1, 5], [5, 5]), 'equal in one objective, better in the other')
  t.notOk(dominates([2, 3], [2, 3]), 'equal points do not dominate')
  t.notOk(dominates([1, 5], [2, 3]))
  t.notOk(dominates([2, 3], [1, 5]))
})

t.test('non-dominated sort, by hand', async (t) => {
  t.same(nonDominatedSort(points), [[0, 1, 2, 5], [3], [4]])
  t.same(nonDominatedSort([]), [])
  t.same(nonDominatedSort([[1, 1], [2, 2], [3, 3]]), [[0], [1], [2]])
})

t.test('crowding distance, by hand', async (t) => {
  // objective 0 sorted A(1) B(2) F(2) C(4), span 3: B (2-1)/3, F (4-2)/3
  // objective 1 sorted C(1) B(3) F(3) A(5), span 4: B (3-1)/4, F (5-3)/4
  const d = crowdingDistance(points, [0, 1, 2, 5])
  t.equal(d[0], Infinity)
  t.equal(d[2], Infinity)
  t.ok(Math.abs(d[1] - (1 / 3 + 1 / 2)) < 1e-12)
  t.ok(Math.abs(d[3] - (2 / 3 + 1 / 2)) < 1e-12)
  t.same(crowdingDistance(points, [3]), [Infinity])
})

t.test('crowded comparison and environmental selection', async (t) => {
  const ranked = rankPoints(points)
  t.same(ranked.rank, [0, 0, 0, 1, 2, 0])
  t.ok(crowdedCompare(ranked, 0, 3) < 0, 'lower rank wins')
  t.ok(crowdedCompare(ranked, 5, 1) < 0, 'same rank: the less crowded wins')
  t.same(selectSurvivors(points, 3), [0, 2, 5])
  t.same(selectSurvivors(points, 5), [0, 1, 2, 5, 3])
  t.same(selectSurvivors(points, 6), [0, 1, 2, 5, 3, 4])
})
