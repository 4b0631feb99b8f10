/**
 * What weight tuning does to a multiplier (`axq tune --mult NAME`): the map w → w*, how many
 * codes move, and the table's MAE, mean error and WCE before and after (over all 65,536 pairs
 * against a·w, the tuned table being T'[a][w] = T[a][w*]). `mapping[k]` is w* for w = k on
 * unsigned tables and for w = k − 128 on signed ones (values, not codes).
 */
import {errorSummary, type ErrorSummary} from './metrics.js'
import {applyMapping, tuneMapping} from './tune.js'
import {isSignedTable, operandOf, type AnyProductTable} from './table.js'

export interface TuneReport {
  mult: string
  signed: boolean
  remapped: number
  mapping: number[]
  before: ErrorSummary
  after: ErrorSummary
}

export function tuneReport(name: string, table: AnyProductTable, activationWeights?: ArrayLike<number>): TuneReport {
  const map = tuneMapping(table, activationWeights)
  const signed = isSignedTable(table)
  let remapped = 0
  for (let w = 0; w < 256; w++) if (map[w] !== w) remapped++
  const lo = signed ? -128 : 0
  const mapping = Array.from({length: 256}, (_, k) => operandOf(map[(lo + k) & 255], signed))
  return {mult: name, signed, remapped, mapping, before: errorSummary(table), after: errorSummary(applyMapping(table, map))}
}
