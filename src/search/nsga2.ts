/**
 * The pieces of NSGA-II (Deb et al., 2002) the layer-wise search uses, on objective vectors that
 * are all minimised: Pareto dominance, the fast non-dominated sort, crowding distance, the
 * crowded-comparison order and environmental selection. Pure and deterministic: ties keep index
 * order.
 */

/** a dominates b: no worse in every objective and better in at least one (minimisation). */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false
    if (a[i] < b[i]) better = true
  }
  return better
}

/** Fronts of indices: front 0 is non-dominated, front k is dominated only by fronts < k. */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length
  const dominated: number[][] = Array.from({length: n}, () => [])
  const count = new Array<number>(n).fill(0)
  const fronts: number[][] = [[]]
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      if (p === q) continue
      if (dominates(points[p], points[q])) dominated[p].push(q)
      else if (dominates(points[q], points[p])) count[p]++
    }
    if (count[p] === 0) fronts[0].push(p)
  }
  for (let k = 0; fronts[k].length > 0; k++) {
    const next: number[] = []
    for (const p of fronts[k]) {
      for (const q of dominated[p]) if (--count[q] === 0) next.push(q)
    }
    next.sort((a, b) => a - b)
    fronts.push(next)
  }
  fronts.pop()
  return fronts
}

/**
 * Crowding distance of each member of one front (same order as `front`): the sum over
 * objectives of the normalised gap between its neighbours; the extremes get Infinity.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const distance = new Array<number>(front.length).fill(0)
  if (front.length === 0) return distance
  const objectives = points[front[0]].length
  for (let m = 0; m < objectives; m++) {
    const order = front.map((_, i) => i).sort((a, b) => points[front[a]][m] - points[front[b]][m] || a - b)
    const lo = points[front[order[0]]][m]
    const hi = points[front[order[order.length - 1]]][m]
    distance[order[0]] = Infinity
    distance[order[order.length - 1]] = Infinity
    if (hi === lo) continue
    for (let k = 1; k < order.length - 1; k++) {
      distance[order[k]] += (points[front[order[k + 1]]][m] - points[front[order[k - 1]]][m]) / (hi - lo)
    }
  }
  return distance
}

export interface Ranked {
  /** Index of the non-dominated front (0 = best). */
  rank: number[]
  crowding: number[]
}

/** Rank and crowding distance of every point. */
export function rankPoints(points: readonly (readonly number[])[]): Ranked {
  const rank = new Array<number>(points.length).fill(0)
  const crowding = new Array<number>(points.length).fill(0)
  nonDominatedSort(points).forEach((front, k) => {
    const d = crowdingDistance(points, front)
    front.forEach((p, i) => {
      rank[p] = k
      crowding[p] = d[i]
    })
  })
  return {rank, crowding}
}

/** Crowded comparison: negative when a is better (lower rank, then larger crowding, then index). */
export function crowdedCompare(ranked: Ranked, a: number, b: number): number {
  return ranked.rank[a] - ranked.rank[b] || (ranked.crowding[b] > ranked.crowding[a] ? 1 : ranked.crowding[b] < ranked.crowding[a] ? -1 : 0) || a - b
}

/** Environmental selection: the indices of the `size` best points, fronts filled by crowding. */
export function selectSurvivors(points: readonly (readonly number[])[], size: number): number[] {
  const chosen: number[] = []
  for (const front of nonDominatedSort(points)) {
    if (chosen.length + front.length <= size) {
      chosen.push(...front)
      continue
    }
    const d = crowdingDistance(points, front)
    const order = front.map((_, i) => i).sort((a, b) => (d[b] > d[a] ? 1 : d[b] < d[a] ? -1 : front[a] - front[b]))
    for (const i of order.slice(0, size - chosen.length)) chosen.push(front[i])
    break
  }
  return chosen
}
