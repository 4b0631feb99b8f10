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
 *
 * Signed tables (operands −128..127) are measured against the exact signed product a·w, with
 * relative errors |e| / |a·w|, and MAE% and WCE% relative to 2^16 = 65536, as EvoApproxLib's
 * signed headers print them.
 */
import {isSignedTable, operandOf, TABLE_SIZE, type AnyProductTable} from './table.js'

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

/** The normaliser of MAE% and WCE% of unsigned tables: 2^16 − 1. */
export const METRIC_RANGE = 65535
/** The normaliser of MAE% and WCE% of signed tables: 2^16. */
export const SIGNED_METRIC_RANGE = 65536

export function computeMetrics(table: AnyProductTable): MultiplierMetrics {
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
  const signed = isSignedTable(table)
  for (let ca = 0; ca < 256; ca++) {
    const row = ca * 256
    const a = operandOf(ca, signed)
    for (let cw = 0; cw < 256; cw++) {
      const exact = a * operandOf(cw, signed)
      const e = table[row + cw] - exact
      const abs = e < 0 ? -e : e
      sum += e
      sumAbs += abs
      sumSq += e * e
      if (abs > worst) worst = abs
      if (e !== 0) wrong++
      if (exact !== 0) {
        nonzero++
        const rel = abs / (exact < 0 ? -exact : exact)
        sumRel += rel
        if (rel > worstRel) worstRel = rel
      }
    }
  }
  const mae = sumAbs / TABLE_SIZE
  const range = signed ? SIGNED_METRIC_RANGE : METRIC_RANGE
  return {
    mae,
    maePct: (mae / range) * 100,
    wce: worst,
    wcePct: (worst / range) * 100,
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

export function errorSummary(table: AnyProductTable): ErrorSummary {
  const m = computeMetrics(table)
  return {mae: m.mae, meanError: m.meanError, wce: m.wce}
}
