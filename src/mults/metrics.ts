/**
 * Error metrics of a product table against the exact product a·w, computed exhaustively over all
 * 65,536 operand pairs with EvoApproxLib's definitions (error e = T[a][w] − a·w):
 *   MAE = mean |e|            MAE% = MAE / 65535 · 100
 *   WCE = max |e|             WCE% = WCE / 65535 · 100
 *   WCRE% = max over a·w ≠ 0 of |e| / (a·w) · 100
 *   EP%  = share of all pairs with e ≠ 0, in percent
 *   MRE% = mean over a·w ≠ 0 of |e| / (a·w) · 100
 *   MSE  = mean e²            meanError = mean e (the bias)
 * 65535 = 255·255 is nearly the largest product (65025) rounded up to the 16-bit range, as
 * EvoApproxLib normalises.
 */
import {TABLE_SIZE, type ProductTable} from './table.js'

export interface MultiplierMetrics {
  mae: number
  maePct: number
  wce: number
  wcePct: number
  wcrePct: number
  epPct: number
  mrePct: number
  mse: number
  meanError: number
}

/** The normaliser of MAE% and WCE%: 2^16 − 1. */
export const METRIC_RANGE = 65535

export function computeMetrics(table: ProductTable): MultiplierMetrics {
  if (table.length !== TABLE_SIZE) throw new RangeError(`a product table has ${TABLE_SIZE} entries, got ${table.length}`)
  // Integer sums stay exact: |e| < 2^16, Σ|e| < 2^32, Σe² < 2^48, all below 2^53.
  let sumAbs = 0
  let sum = 0
  let sumSq = 0
  let worst = 0
  let wrong = 0
  let sumRel = 0
  let worstRel = 0
  let nonzero = 0
  for (let a = 0; a < 256; a++) {
    const row = a * 256
    for (let w = 0; w < 256; w++) {
      const exact = a * w
      const e = table[row + w] - exact
      const abs = e < 0 ? -e : e
      sum += e
      sumAbs += abs
      sumSq += e * e
      if (abs > worst) worst = abs
      if (e !== 0) wrong++
      if (exact !== 0) {
        nonzero++
        const rel = abs / exact
        sumRel += rel
        if (rel > worstRel) worstRel = rel
      }
    }
  }
  const mae = sumAbs / TABLE_SIZE
  return {
    mae,
    maePct: (mae / METRIC_RANGE) * 100,
    wce: worst,
    wcePct: (worst / METRIC_RANGE) * 100,
    wcrePct: worstRel * 100,
    epPct: (wrong / TABLE_SIZE) * 100,
    mrePct: (sumRel / nonzero) * 100,
    mse: sumSq / TABLE_SIZE,
    meanError: sum / TABLE_SIZE,
  }
}

/** Summary of a table's error used by `axq tune`: MAE, mean error and WCE. */
export interface ErrorSummary {
  mae: number
  meanError: number
  wce: number
}

export function errorSummary(table: ProductTable): ErrorSummary {
  const m = computeMetrics(table)
  return {mae: m.mae, meanError: m.meanError, wce: m.wce}
}
