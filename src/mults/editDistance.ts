/** Levenshtein distance (insert, delete, substitute, each cost 1), case-insensitive. */
export function editDistance(x: string, y: string): number {
  const a = x.toLowerCase()
  const b = y.toLowerCase()
  let prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}

/** Up to `count` candidates closest to `name`, nearest first, ties by name. */
export function nearestNames(name: string, candidates: Iterable<string>, count = 3): string[] {
  const scored = [...new Set(candidates)].map((c) => ({c, d: editDistance(name, c)}))
  scored.sort((p, q) => p.d - q.d || (p.c < q.c ? -1 : p.c > q.c ? 1 : 0))
  return scored.slice(0, count).map((s) => s.c)
}
