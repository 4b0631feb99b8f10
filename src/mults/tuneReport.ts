/**
 * What weight tuning does to a multiplier (`axq tune --mult NAME`): the map w → w*, how many
 * codes move, and the table's MAE, mean error and WCE before and after (over all 65,536 pairs
 * against a·w, the tuned table being T'[a][w] = T[a][w*]).
 */
import {errorSummary, type ErrorSummary} from './metrics.js'
import {applyMapping, tuneMapping} from './tune.js'
import type {ProductTable} from './table.js'

export interface TuneReport {
  mult: string
  remapped: number
  mapping: number[]
  before: ErrorSummary
  after: ErrorSummary
}

export function tuneReport(name: string, table: ProductTable, activationWeights?: ArrayLike<number>): TuneReport {
  const map = tuneMapping(table, activationWeights)
  let remapped = 0
  for (let w = 0; w < 256; w++) if (map[w] !== w) remapped++
  return {mult: name, remapped, mapping: Array.from(map), before: errorSummary(table), after: errorSummary(applyMapping(table, map))}
}
