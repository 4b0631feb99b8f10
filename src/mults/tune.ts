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

/** The 256-entry map code(w) → code(w*). `activationWeights` (256 values) weights the activation codes. */
export function tuneMapping(table: AnyProductTable, activationWeights?: ArrayLike<number>): Uint8Array {
  const map = new Uint8Array(256)
  const weights = activationWeights ?? new Float64Array(256).fill(1)
  const signed = isSignedTable(table)
  const lo = signed ? -128 : 0
  for (let w = lo; w < lo + 256; w++) {
    let best = -1
    let bestCost = Infinity
    let ownCost = Infinity
    for (let v = lo; v < lo + 256; v++) {
      let cost = 0
      const column = v & 255
      for (let ci = 0; ci < 256; ci++) {
        const wi = weights[ci]
        if (wi !== 0) cost += wi * Math.abs(operandOf(ci, signed) * w - table[ci * 256 + column])
      }
      if (v === w) ownCost = cost
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
