import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import t, {type TAP} from 'tap'
import {builtinMember, tabulate} from '../../axmult/index.js'
import {tuneReport} from '../../src/mults/tuneReport.js'
import {encodeTable, readTableFile} from '../../src/mults/table.js'
import fs from 'node:fs'
import {cliPath, hasShared, shared} from '../helpers/paths.js'

/**
 * Independent brute force, written differently from src/mults/tune.ts: the cost of every
 * (w, v) pair is accumulated activation-major into a 256×256 matrix of exact integers, then each
 * row is scanned: keep w if its own cost is minimal, else the first (smallest) v with the minimum.
 */
function bruteForceMapping(table: Uint16Array): number[] {
  const cost = new Float64Array(256 * 256) // cost[w*256 + v]
  for (let i = 0; i < 256; i++) {
    for (let w = 0; w < 256; w++) {
      const exact = i * w
      for (let v = 0; v < 256; v++) cost[w * 256 + v] += Math.abs(exact - table[i * 256 + v])
    }
  }
  const mapping: number[] = []
  for (let w = 0; w < 256; w++) {
    const row = Array.from(cost.subarray(w * 256, w * 256 + 256))
    const min = Math.min(...row)
    mapping.push(row[w] === min ? w : row.indexOf(min))
  }
  return mapping
}

function summary(table: Uint16Array, mapping: number[]) {
  let abs = 0, sum = 0, wce = 0
  for (let a = 0; a < 256; a++) for (let w = 0; w < 256; w++) {
    const e = table[a * 256 + mapping[w]] - a * w
    abs += Math.abs(e)
    sum += e
    wce = Math.max(wce, Math.abs(e))
  }
  return {mae: abs / 65536, meanError: sum / 65536, wce}
}

function check(t: Pick<TAP, "same" | "equal">, name: string, table: Uint16Array) {
  const report = tuneReport(name, table)
  const expected = bruteForceMapping(table)
  t.same(report.mapping, expected, `${name}: mapping`)
  t.equal(report.remapped, expected.filter((v, w) => v !== w).length, `${name}: remapped`)
  t.same(report.after, summary(table, expected), `${name}: after`)
  t.same(report.before, summary(table, Array.from({length: 256}, (_, w) => w)), `${name}: before`)
}

t.test('exact table: identity, nothing moves', async (t) => {
  const exact = tabulate('mul8u_1JFF', builtinMember('mul8u_1JFF')!.product)
  const r = tuneReport('mul8u_1JFF', exact)
  t.equal(r.remapped, 0)
  t.same(r.mapping, Array.from({length: 256}, (_, w) => w))
  t.same(r.after, {mae: 0, meanError: 0, wce: 0})
})

t.test('ties: w kept when among the minimisers, else the smallest minimiser', async (t) => {
  // Columns 5, 6 and 7 all hold the products of 6. For w = 5 the columns 4, 5, 6 and 7 each cost
  // Σ_i |5i − 4i| = Σ_i |5i − 6i| = Σ i = 32640: w = 5 is among the minimisers and stays; the same
  // for w = 7 (columns 5..8). w = 6 costs 0 and stays.
  const table = new Uint16Array(65536)
  for (let a = 0; a < 256; a++) for (let w = 0; w < 256; w++) table[a * 256 + w] = a * w
  for (let a = 0; a < 256; a++) for (const w of [5, 6, 7]) table[a * 256 + w] = a * 6
  // Column 9 is useless (all 65535): columns 8 and 10 both cost Σ i = 32640, the smallest wins.
  for (let a = 0; a < 256; a++) table[a * 256 + 9] = 65535
  const r = tuneReport('ties', table)
  t.equal(r.mapping[5], 5)
  t.equal(r.mapping[6], 6)
  t.equal(r.mapping[7], 7)
  t.equal(r.mapping[9], 8)
  t.equal(r.remapped, 1)
  check(t, 'ties', table)
})

t.test('built-in families agree with the brute force', async (t) => {
  for (const name of ['trunc8u_k6', 'bam8u_h2_v8', 'drum8u_k3', 'mitchell8u', 'udm8u_b7']) check(t, name, tabulate(name, builtinMember(name)!.product))
})

t.test('a random table agrees with the brute force', async (t) => {
  let seed = 12345
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216
  const table = new Uint16Array(65536)
  for (let a = 0; a < 256; a++) for (let w = 0; w < 256; w++) table[a * 256 + w] = Math.min(65535, Math.round(a * w * (0.7 + 0.6 * rand())))
  check(t, 'random', table)
})

t.test('EvoApproxLib tables agree with the brute force; axq tune --json', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  for (const name of ['mul8u_L40', 'mul8u_JQQ', 'mul8u_2AC']) check(t, name, readTableFile(shared('axmult', `${name}.bin`)))
  const {stdout} = await promisify(execFile)(process.execPath, [cliPath, 'tune', '--mult', 'mul8u_L40', '--mult-dir', shared('axmult'), '--json'])
  const json = JSON.parse(stdout)
  const table = readTableFile(shared('axmult', 'mul8u_L40.bin'))
  t.same(Object.keys(json), ['mult', 'signed', 'remapped', 'mapping', 'before', 'after'])
  t.equal(json.signed, false)
  t.same(json.mapping, bruteForceMapping(table))
  t.equal(json.remapped, 178)
  t.equal(json.before.wce, 9124)
  t.equal(json.after.wce, 8961)
})

/**
 * Signed brute force, independent of src/mults (no Int16Array, no code helpers): entries are read
 * from the .bin bytes with readInt16LE at ((a + 256) % 256) * 256 + (v + 256) % 256, for operand
 * values a, w, v in −128..127. cost[w][v] = Σ_a |a·w − T[a][v]|; w is kept when its own cost is
 * minimal, else the most negative v with the minimum. Returns w* for w = −128..127, in that order.
 */
function signedBruteForce(bin: Buffer): {mapping: number[]; before: {mae: number; meanError: number; wce: number}; after: {mae: number; meanError: number; wce: number}} {
  const entry = (a: number, v: number) => bin.readInt16LE(2 * (((a + 256) % 256) * 256 + ((v + 256) % 256)))
  const mapping: number[] = []
  for (let w = -128; w <= 127; w++) {
    const costs: number[] = []
    for (let v = -128; v <= 127; v++) {
      let c = 0
      for (let a = -128; a <= 127; a++) c += Math.abs(a * w - entry(a, v))
      costs.push(c)
    }
    const min = Math.min(...costs)
    mapping.push(costs[w + 128] === min ? w : costs.indexOf(min) - 128)
  }
  const stats = (column: (w: number) => number) => {
    let abs = 0, sum = 0, wce = 0
    for (let a = -128; a <= 127; a++) for (let w = -128; w <= 127; w++) {
      const e = entry(a, column(w)) - a * w
      abs += Math.abs(e)
      sum += e
      wce = Math.max(wce, Math.abs(e))
    }
    return {mae: abs / 65536, meanError: sum / 65536, wce}
  }
  return {mapping, before: stats((w) => w), after: stats((w) => mapping[w + 128])}
}

t.test('signed tables: the same rule over −128..127, checked against a brute force', async (t) => {
  // Hand-made: the exact signed table with column 3 holding the products of 2, and column −5 made
  // useless (all 32767). Σ_{a=−128..127} |a| = 16384. w = 3: columns 2 and 3 (both 2a) and 4 (4a)
  // each cost 16384, every other column at least twice that: 3 is among the minimisers and stays.
  // w = 2: columns 2 and 3 cost 0: stays. w = −5: its own column costs far more than columns −6
  // and −4 (16384 each); the most negative minimiser, −6, wins.
  const table = new Int16Array(65536)
  for (let a = -128; a < 128; a++) for (let w = -128; w < 128; w++) table[(a & 255) * 256 + (w & 255)] = a * w
  for (let a = -128; a < 128; a++) {
    table[(a & 255) * 256 + 3] = 2 * a
    table[(a & 255) * 256 + (-5 & 255)] = 32767
  }
  const r = tuneReport('hand', table)
  t.equal(r.signed, true)
  t.equal(r.mapping[3 + 128], 3)
  t.equal(r.mapping[2 + 128], 2)
  t.equal(r.mapping[-5 + 128], -6)
  t.equal(r.remapped, 1)
  const brute = signedBruteForce(Buffer.from(encodeTable(table)))
  t.same(r.mapping, brute.mapping)
  for (const name of ['drum8s_k3', 'mitchell8s']) {
    const table = tabulate(name, builtinMember(name)!.product, true)
    const report = tuneReport(name, table)
    const b = signedBruteForce(Buffer.from(encodeTable(table)))
    t.same(report.mapping, b.mapping, `${name}: mapping`)
    t.same([report.before, report.after], [b.before, b.after], `${name}: before and after`)
  }
})

t.test('signed EvoApproxLib tables agree with the brute force; axq tune on a built-in signed table', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  for (const name of ['mul8s_1KVL', 'mul8s_1L2D', 'mul8s_1KR3']) {
    const bin = fs.readFileSync(shared('axmult-signed', `${name}.bin`))
    const report = tuneReport(name, readTableFile(shared('axmult-signed', `${name}.bin`), true))
    const b = signedBruteForce(bin)
    t.same(report.mapping, b.mapping, `${name}: mapping`)
    t.equal(report.remapped, b.mapping.filter((v, k) => v !== k - 128).length, `${name}: remapped`)
    t.same([report.before, report.after], [b.before, b.after], `${name}: before and after`)
  }
  // Built in: no --mult-dir; the JSON mapping is by weight value −128..127.
  const {stdout} = await promisify(execFile)(process.execPath, [cliPath, 'tune', '--mult', 'mul8s_1KVL', '--json'])
  const json = JSON.parse(stdout)
  t.equal(json.signed, true)
  t.same(json.mapping, signedBruteForce(fs.readFileSync(shared('axmult-signed', 'mul8s_1KVL.bin'))).mapping)
})

t.test('weighted tuning (activation histograms) agrees with a weighted brute force', async (t) => {
  // tuneMapping leaves a column early once its partial cost exceeds a cost already reached; the
  // weighted sums (zero weights skipped, fractional weights) must still pick the same codes.
  const {tuneMapping} = await import('../../src/mults/tune.js')
  let seed = 777
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216
  const table = new Uint16Array(65536)
  for (let a = 0; a < 256; a++) for (let w = 0; w < 256; w++) table[a * 256 + w] = Math.min(65535, Math.round(a * w * (0.5 + rand())))
  const weights = new Float64Array(256)
  for (let i = 0; i < 256; i++) weights[i] = i % 5 === 0 ? 0 : rand() * 3
  const expected: number[] = []
  for (let w = 0; w < 256; w++) {
    const costs: number[] = []
    for (let v = 0; v < 256; v++) {
      let c = 0
      for (let i = 0; i < 256; i++) if (weights[i] !== 0) c += weights[i] * Math.abs(i * w - table[i * 256 + v])
      costs.push(c)
    }
    const min = Math.min(...costs)
    expected.push(costs[w] === min ? w : costs.indexOf(min))
  }
  t.same(Array.from(tuneMapping(table, weights)), expected)
  // All weight on one code: every column with that code's exact product ties; w stays.
  const one = new Float64Array(256)
  one[3] = 1
  const m = tuneMapping(table, one)
  for (let w = 0; w < 256; w++) t.equal(Math.abs(3 * w - table[3 * 256 + m[w]]) <= Math.abs(3 * w - table[3 * 256 + w]), true)
})
