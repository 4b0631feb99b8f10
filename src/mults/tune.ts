/**
 * Weight tuning (tf-approximate's AxTune): every weight code w is replaced by the code w* whose
 * column of the table is closest to the exact products, in the sense
 *   w* = argmin_v  Σ_i weight[i] · |i·w − T[i][v]|
 * with uniform weights by default. w itself is kept when it is among the minimisers; otherwise
 * the smallest minimiser wins. The tuned table is T'[a][w] = T[a][w*].
 *
 * Unsigned tables: i, w, v range over 0..255. Signed tables: the same rule with i, w, v over
 * −128..127 ("smallest" is the most negative). Maps are always indexed by and hold 8-bit codes
 * (w & 255); `activationWeights` is indexed by activation code (i & 255) too.
 */
import {emptyTable, isSignedTable, operandOf, type AnyProductTable} from './table.js'

/**
 * The 256-entry map code(w) → code(w*). `activationWeights` (256 values) weights the activation codes.
 *
 * Each column's cost is summed over the activation codes in ascending order (the same float
 * sums as the plain definition), from a column-major copy of the table. A column whose partial
 * cost already exceeds a cost some column reaches (w's own, the previous code's choice, the best
 * so far) cannot be a minimiser and is left early; with non-negative weights partial sums never
 * decrease, so the result is the same.
 */
export function tuneMapping(table: AnyProductTable, activationWeights?: ArrayLike<number>): Uint8Array {
  const map = new Uint8Array(256)
  const signed = isSignedTable(table)
  const lo = signed ? -128 : 0
  // Activation codes that count (weight ≠ 0), in ascending order, with their operand and weight.
  const weights = activationWeights ?? new Float64Array(256).fill(1)
  const codes: number[] = []
  for (let ci = 0; ci < 256; ci++) if (weights[ci] !== 0) codes.push(ci)
  const n = codes.length
  const operand = new Float64Array(n)
  const weight = new Float64Array(n)
  let canStop = true
  for (let j = 0; j < n; j++) {
    operand[j] = operandOf(codes[j], signed)
    weight[j] = weights[codes[j]]
    if (!(weight[j] >= 0)) canStop = false
  }
  const uniform = activationWeights === undefined
  // columns[col * n + j] = table[codes[j]][col]
  const columns = new Float64Array(256 * n)
  for (let j = 0; j < n; j++) {
    const row = codes[j] * 256
    for (let col = 0; col < 256; col++) columns[col * n + j] = table[row + col]
  }
  const exact = new Float64Array(n)
  const columnCost = (column: number, bound: number): number => {
    const base = column * n
    let cost = 0
    if (uniform) {
      for (let j = 0; j < n; j++) {
        cost += Math.abs(exact[j] - columns[base + j])
        if ((j & 15) === 15 && canStop && cost > bound) return Infinity
      }
    } else {
      for (let j = 0; j < n; j++) {
        cost += weight[j] * Math.abs(exact[j] - columns[base + j])
        if ((j & 15) === 15 && canStop && cost > bound) return Infinity
      }
    }
    return cost
  }
  for (let w = lo; w < lo + 256; w++) {
    for (let j = 0; j < n; j++) exact[j] = operand[j] * w
    const ownCost = columnCost(w & 255, Infinity)
    // The previous code's choice usually costs little here too: a tighter bound to start with.
    const hint = w > lo ? map[(w - 1) & 255] : w & 255
    const bound = Math.min(ownCost, columnCost(hint, ownCost))
    let best = -1
    let bestCost = Infinity
    for (let v = lo; v < lo + 256; v++) {
      const cost = v === w ? ownCost : columnCost(v & 255, Math.min(bestCost, bound))
      if (cost < bestCost) {
        bestCost = cost
        best = v
      }
    }
    map[w & 255] = (ownCost === bestCost ? w : best) & 255
  }
  return map
}

/** The table with every weight column remapped: T'[a][w] = T[a][map[w]] (same kind as `table`). */
export function applyMapping<T extends AnyProductTable>(table: T, map: Uint8Array): T {
  const out = emptyTable(isSignedTable(table)) as T
  for (let a = 0; a < 256; a++) {
    const row = a * 256
    for (let w = 0; w < 256; w++) out[row + w] = table[row + map[w]]
  }
  return out
}

export function tunedTable<T extends AnyProductTable>(table: T): T {
  return applyMapping(table, tuneMapping(table))
}
