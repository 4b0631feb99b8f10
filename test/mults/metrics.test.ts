import fs from 'node:fs'
import t from 'tap'
import {computeMetrics, METRIC_RANGE} from '../../src/mults/metrics.js'
import {exactTable, readTableFile} from '../../src/mults/table.js'
import {hasShared, shared} from '../helpers/paths.js'

/** The place value of the last printed digit: '0.00095' → 1e-5, '15608.397e3' → 1, '284' → 1. */
export function printedUnit(text: string): number {
  const [mantissa, exponent] = text.toLowerCase().split('e')
  const decimals = (mantissa.split('.')[1] ?? '').length
  return Number(`1e${Number(exponent ?? 0) - decimals}`)
}

t.test('printed precision of a CSV cell', async (t) => {
  t.equal(printedUnit('0.00095'), 1e-5)
  t.equal(printedUnit('6.0'), 0.1)
  t.equal(printedUnit('139814'), 1)
  t.equal(printedUnit('15608.397e3'), 1)
  t.equal(printedUnit('33959.043e2'), 0.1)
  t.equal(printedUnit('47164.981e4'), 10)
})

t.test('exact table has no error', async (t) => {
  t.same(computeMetrics(exactTable()), {mae: 0, maePct: 0, wce: 0, wcePct: 0, wcrePct: 0, epPct: 0, mrePct: 0, mse: 0, meanError: 0})
})

t.test('hand-computed metrics of small perturbations', async (t) => {
  // T = a·w + 1 everywhere except (255,255), which stays exact (65026 would not matter here).
  const plusOne = exactTable().map((v) => v + 1)
  const m = computeMetrics(plusOne)
  t.equal(m.mae, 1)
  t.equal(m.meanError, 1)
  t.equal(m.mse, 1)
  t.equal(m.wce, 1)
  t.equal(m.wcePct, 100 / METRIC_RANGE)
  t.equal(m.epPct, 100)
  t.equal(m.wcrePct, 100, 'largest relative error at a·w = 1')
  // MRE% = mean over the 65025 nonzero products of 1/(a·w), times 100.
  let s = 0
  for (let a = 1; a < 256; a++) for (let w = 1; w < 256; w++) s += 1 / (a * w)
  t.ok(Math.abs(m.mrePct - (s / 65025) * 100) < 1e-12)

  // One wrong entry: T[3][5] = 5 (error −10); zero products are excluded from the relative errors.
  const one = exactTable()
  one[3 * 256 + 5] = 5
  one[0] = 7 // 0·0 → 7: counts in MAE/EP, not in WCRE/MRE
  const n = computeMetrics(one)
  t.equal(n.mae, 17 / 65536)
  t.equal(n.meanError, (7 - 10) / 65536)
  t.equal(n.wce, 10)
  t.equal(n.epPct, (2 / 65536) * 100)
  t.equal(n.wcrePct, (10 / 15) * 100)
  t.equal(n.mrePct, ((10 / 15) / 65025) * 100)
  t.equal(n.mse, 149 / 65536)
})

const columns: [string, keyof ReturnType<typeof computeMetrics>][] = [
  ['mae_pct', 'maePct'], ['mae', 'mae'], ['wce_pct', 'wcePct'], ['wce', 'wce'],
  ['wcre_pct', 'wcrePct'], ['ep_pct', 'epPct'], ['mre_pct', 'mrePct'], ['mse', 'mse'],
]

/** Published values that disagree with the tables beyond the printed precision: none. */
const KNOWN_DISCREPANCIES: string[] = []

/**
 * Exact ties, where the computed value lies exactly half a printed unit from the published one;
 * the CSV rounds them both ways (0.625 → 0.62 but 9.375 → 9.38), so a tie counts as agreement.
 */
const TIES = [
  'mul8u_125K.mae', 'mul8u_1446.ep_pct', 'mul8u_17KS.wcre_pct', 'mul8u_18DU.mse', 'mul8u_GS2.mse', 'mul8u_QKX.mae', 'mul8u_Y48.mae',
]

t.test('all 36 EvoApproxLib multipliers agree with the published metrics at the printed precision', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  const csv = fs.readFileSync(shared('axmult', 'evoapprox-published-metrics.csv'), 'utf8').trim().split(/\r?\n/)
  const header = csv[0].split(',')
  t.equal(csv.length - 1, 36)
  const disagreements: string[] = []
  const ties: string[] = []
  let checked = 0
  for (const line of csv.slice(1)) {
    const cells = line.split(',')
    const name = cells[header.indexOf('name')]
    const m = computeMetrics(readTableFile(shared('axmult', `${name}.bin`)))
    for (const [column, key] of columns) {
      const text = cells[header.indexOf(column)]
      const unit = printedUnit(text)
      checked++
      if (Math.abs(Math.abs(m[key] - Number(text)) - unit / 2) < unit * 1e-6) ties.push(`${name}.${column}`)
      if (Math.abs(m[key] - Number(text)) > unit / 2 + unit * 1e-9) disagreements.push(`${name}.${column}: published ${text}, computed ${m[key]}`)
    }
  }
  t.equal(checked, 36 * 8)
  t.same(disagreements, KNOWN_DISCREPANCIES)
  t.same(ties, TIES)
  const k125 = computeMetrics(readTableFile(shared('axmult', 'mul8u_125K.bin')))
  t.equal(k125.mae, 0.625)
  t.equal(k125.wce, 6)
  t.equal(k125.mse, 2.5)
})
