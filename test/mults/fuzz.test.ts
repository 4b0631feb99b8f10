/** Property-based fuzzing of the multiplier importers: .npy, text tables, C model scanning (see test/helpers/fuzz.ts). */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {decodeNpy, encodeNpy} from '../../src/mults/formats/npy.js'
import {formatTextTable, parseTextTable} from '../../src/mults/formats/textTable.js'
import {chooseFunction, evaluateCModel, headerMetrics, twoArgumentFunctions} from '../../src/mults/formats/cModel.js'
import {decodeTable, exactTable} from '../../src/mults/table.js'
import {AxqError} from '../../src/errors.js'
import {fixturesDir} from '../helpers/paths.js'
import {FUZZ_SEED, fuzzParser, hostileBytes, hostileText} from '../helpers/fuzz.js'

t.test('.npy tables', async (t) => {
  fuzzParser(t, '.npy', hostileBytes([encodeNpy(exactTable())]), (bytes) => decodeNpy(bytes, 'fuzz.npy'), 150)
})

t.test('.bin tables', async (t) => {
  const exact = new Uint8Array(exactTable().buffer)
  fuzzParser(t, '.bin', hostileBytes([exact]), (bytes) => decodeTable(bytes, 'fuzz.bin'), 100)
})

t.test('text tables', async (t) => {
  fuzzParser(t, 'text table', hostileText([formatTextTable(exactTable())]), (s) => parseTextTable(s, 'fuzz.txt'), 60)
})

t.test('C models: the function scan never fails but with an AxqError', async (t) => {
  const seeds = ['mul8u_exactc.c', 'trunc4.c', 'no_function.c'].map((f) => fs.readFileSync(path.join(fixturesDir, 'mults', f), 'latin1'))
  fuzzParser(t, 'C model scan', hostileText(seeds), (source) => {
    headerMetrics(source)
    chooseFunction(twoArgumentFunctions(source), 'fuzz.c')
  })
})

t.test('C models: a few mutated models compiled and run end to end', async (t) => {
  // Compiling is slow: a handful of seeded mutations, each an AxqError or a table.
  const seed = fs.readFileSync(path.join(fixturesDir, 'mults', 'trunc4.c'), 'latin1')
  const samples = fc.sample(hostileText([seed]), {seed: FUZZ_SEED, numRuns: 4})
  let ok = 0
  let refused = 0
  for (const source of samples) {
    try {
      const fn = chooseFunction(twoArgumentFunctions(source), 'fuzz.c')
      await evaluateCModel('fuzz.c', source, fn.name, process.env, 10_000)
      ok++
    } catch (error) {
      if (!(error instanceof AxqError)) throw error
      refused++
    }
  }
  t.equal(ok + refused, samples.length, `${samples.length} mutated C models: ${ok} evaluated, ${refused} refused with an AxqError`)
})
