/**
 * Weight tuning (tf-approximate's AxTune): every weight code w is replaced by the code w* whose
 * column of the table is closest to the exact products, in the sense
 *   w* = argmin_v  Σ_{i=0..255} weight[i] · |i·w − T[i][v]|
 * with uniform weights by default. w itself is kept when it is among the minimisers; otherwise
 * the smallest minimiser wins. The tuned table is T'[a][w] = T[a][w*].
 */
import {TABLE_SIZE, type ProductTable} from './table.js'

/** The 256-entry map w → w*. `activationWeights` (256 values) weights the activation codes. */
export function tuneMapping(table: ProductTable, activationWeights?: ArrayLike<number>): Uint8Array {
  const map = new Uint8Array(256)
  const weights = activationWeights ?? new Float64Array(256).fill(1)
  for (let w = 0; w < 256; w++) {
    let best = -1
    let bestCost = Infinity
    let ownCost = Infinity
    for (let v = 0; v < 256; v++) {
      let cost = 0
      for (let i = 0; i < 256; i++) {
        const wi = weights[i]
        if (wi !== 0) cost += wi * Math.abs(i * w - table[i * 256 + v])
      }
      if (v === w) ownCost = cost
      if (cost < bestCost) {
        bestCost = cost
        best = v
      }
    }
    map[w] = ownCost === bestCost ? w : best
  }
  return map
}

/** The table with every weight column remapped: T'[a][w] = T[a][map[w]]. */
export function applyMapping(table: ProductTable, map: Uint8Array): ProductTable {
  const out = new Uint16Array(TABLE_SIZE)
  for (let a = 0; a < 256; a++) {
    const row = a * 256
    for (let w = 0; w < 256; w++) out[row + w] = table[row + map[w]]
  }
  return out
}

export function tunedTable(table: ProductTable): ProductTable {
  return applyMapping(table, tuneMapping(table))
}
