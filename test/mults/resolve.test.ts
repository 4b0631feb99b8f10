import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {AxqError} from '../../src/errors.js'
import {listMultipliers} from '../../src/mults/catalog.js'
import {filterCatalog, globToRegExp, sortCatalog} from '../../src/mults/catalogQuery.js'
import {editDistance, nearestNames} from '../../src/mults/editDistance.js'
import {computeMetrics} from '../../src/mults/metrics.js'
import {cachedMetrics, clearMetricsMemory, metricsCacheDir, tableSha256} from '../../src/mults/metricsCache.js'
import {resolveMultiplier} from '../../src/mults/resolve.js'
import {searchFolders, userMultDir} from '../../src/mults/searchPath.js'
import {encodeTable, exactSignedTable, exactTable} from '../../src/mults/table.js'

function tableWith(offset: number): Uint16Array {
  return exactTable().map((v) => Math.min(65535, v + offset))
}

function setup(t: {teardown(fn: () => void): void}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-resolve-'))
  t.teardown(() => fs.rmSync(root, {recursive: true, force: true}))
  const dirs = {a: path.join(root, 'a'), b: path.join(root, 'b'), envDir: path.join(root, 'env'), home: path.join(root, 'home')}
  for (const d of Object.values(dirs)) fs.mkdirSync(d, {recursive: true})
  fs.mkdirSync(path.join(dirs.home, 'mults'))
  const env = {AXQ_HOME: dirs.home, AXQ_MULT_PATH: `${dirs.envDir}:`}
  return {root, dirs, env}
}

t.test('search order: --mult-dir (in order), AXQ_MULT_PATH, user folder, built-ins', async (t) => {
  const {dirs, env} = setup(t)
  t.same(searchFolders({multDirs: [dirs.a, dirs.b], env}).map((f) => [f.dir, f.kind]), [
    [dirs.a, 'mult-dir'], [dirs.b, 'mult-dir'], [dirs.envDir, 'AXQ_MULT_PATH'], [path.join(dirs.home, 'mults'), 'user'],
  ])
  t.equal(userMultDir({}), path.join(os.homedir(), '.axq', 'mults'))
  // mul8u_1JFF shadowed at every level in turn
  fs.writeFileSync(path.join(dirs.home, 'mults', 'mul8u_1JFF.bin'), encodeTable(tableWith(4)))
  t.equal(resolveMultiplier('mul8u_1JFF', {env}).table[0], 4, 'user folder beats built-in')
  fs.writeFileSync(path.join(dirs.envDir, 'mul8u_1JFF.bin'), encodeTable(tableWith(3)))
  t.equal(resolveMultiplier('mul8u_1JFF', {env}).table[0], 3, 'AXQ_MULT_PATH beats user folder')
  fs.writeFileSync(path.join(dirs.b, 'mul8u_1JFF.bin'), encodeTable(tableWith(2)))
  fs.writeFileSync(path.join(dirs.a, 'mul8u_1JFF.bin'), encodeTable(tableWith(1)))
  const r = resolveMultiplier('mul8u_1JFF', {multDirs: [dirs.a, dirs.b], env})
  t.equal(r.table[0], 1, 'first --mult-dir wins')
  t.equal(r.source, path.join(dirs.a, 'mul8u_1JFF.bin'))
  t.equal(resolveMultiplier('mul8u_1JFF', {multDirs: [dirs.b, dirs.a], env}).table[0], 2)
  const builtin = resolveMultiplier('mul8u_1JFF', {env: {AXQ_HOME: path.join(dirs.home, 'none')}})
  t.equal(builtin.source, 'built-in')
  t.same(builtin.table, exactTable())
  t.equal(resolveMultiplier('drum8u_k4', {env}).family, 'drum8u')
})

t.test('a path to a .bin file', async (t) => {
  const {dirs, env} = setup(t)
  const file = path.join(dirs.a, 'mine.bin')
  fs.writeFileSync(file, encodeTable(tableWith(5)))
  const r = resolveMultiplier(file, {env})
  t.equal(r.name, 'mine')
  t.equal(r.source, file)
  t.equal(r.table[1], 5)
})

t.test('errors: unknown names with the nearest known ones, wrong sizes naming the file', async (t) => {
  const {dirs, env} = setup(t)
  fs.writeFileSync(path.join(dirs.a, 'mul8u_ABCD.bin'), encodeTable(exactTable()))
  const opts = {multDirs: [dirs.a], env}
  t.throws(() => resolveMultiplier('mul8u_ABCE', opts), {name: 'AxqError', message: /unknown multiplier 'mul8u_ABCE'; nearest known: mul8u_ABCD, .*built-ins: EvoApproxLib's mul8u_\* and mul8s_\*, families mul8u_1JFF, trunc8u_k<k>/})
  t.throws(() => resolveMultiplier('drum8u_k5x', opts), /nearest known: drum8u_k5,/)
  t.throws(() => resolveMultiplier('trunc8u_k99', opts), {message: 'multiplier trunc8u_k99: parameter k must be 0..15, got 99'})
  t.throws(() => resolveMultiplier('../x y', opts), AxqError)
  fs.writeFileSync(path.join(dirs.a, 'short.bin'), new Uint8Array(1000))
  t.throws(() => resolveMultiplier('short', opts), {message: `${path.join(dirs.a, 'short.bin')}: a multiplier table must be 131072 bytes (65536 little-endian uint16), this file has 1000`})
  t.throws(() => resolveMultiplier(path.join(dirs.a, 'missing.bin'), opts), /cannot read multiplier table .*missing\.bin: no such file/)
  t.equal(editDistance('kitten', 'sitting'), 3)
  t.same(nearestNames('mul8u_1JF', ['mul8u_1JFF', 'mul8u_2AC', 'drum8u_k3'], 2), ['mul8u_1JFF', 'mul8u_2AC'])
})

t.test('the in-memory table cache notices a changed file', async (t) => {
  const {dirs, env} = setup(t)
  const file = path.join(dirs.a, 'm.bin')
  fs.writeFileSync(file, encodeTable(tableWith(1)))
  t.equal(resolveMultiplier('m', {multDirs: [dirs.a], env}).table[0], 1)
  const again = resolveMultiplier('m', {multDirs: [dirs.a], env}).table
  t.equal(again, resolveMultiplier('m', {multDirs: [dirs.a], env}).table, 'same object from the cache')
  fs.writeFileSync(file, encodeTable(tableWith(2)))
  fs.utimesSync(file, new Date(), new Date(Date.now() + 5000))
  t.equal(resolveMultiplier('m', {multDirs: [dirs.a], env}).table[0], 2)
})

t.test('metrics disk cache is keyed by content and never stale', async (t) => {
  const {dirs, env} = setup(t)
  const table = tableWith(1)
  const sha = tableSha256(table)
  const file = path.join(metricsCacheDir(env), `${sha}.json`)
  clearMetricsMemory()
  t.same(cachedMetrics(table, {env}), computeMetrics(table))
  t.ok(fs.existsSync(file), 'written under $AXQ_HOME/cache')
  t.match(file, dirs.home)
  // A cached entry is trusted as long as the content hash matches: prove it is read back.
  fs.writeFileSync(file, JSON.stringify({...computeMetrics(table), mae: 12345}))
  clearMetricsMemory()
  t.equal(cachedMetrics(table, {env}).mae, 12345, 'read from disk')
  // A different table has a different key: never the old numbers.
  clearMetricsMemory()
  t.equal(cachedMetrics(tableWith(2), {env}).mae, 2)
  // A corrupt entry is recomputed.
  fs.writeFileSync(file, '{not json')
  clearMetricsMemory()
  t.equal(cachedMetrics(table, {env}).mae, 1)
})

t.test('catalogue: shadowing, cost from sidecar and CSV, filters and sorting', async (t) => {
  const {dirs, env} = setup(t)
  fs.writeFileSync(path.join(dirs.a, 'mul8u_AAA.bin'), encodeTable(tableWith(1)))
  fs.writeFileSync(path.join(dirs.a, 'mul8u_BBB.bin'), encodeTable(tableWith(3)))
  fs.writeFileSync(path.join(dirs.a, 'costs.csv'), 'name,power_mW,area_um2,delay_ns\nmul8u_AAA,0.25,100.5,1.2e0\nmul8u_BBB,,,\n')
  fs.writeFileSync(path.join(dirs.a, 'mul8u_BBB.json'), JSON.stringify({cost: {powerMw: 0.125, areaUm2: 50, delayNs: null}}))
  fs.writeFileSync(path.join(dirs.b, 'mul8u_AAA.bin'), encodeTable(tableWith(2)))
  fs.writeFileSync(path.join(dirs.b, 'mul8u_CCC.bin'), encodeTable(tableWith(2)))
  const all = listMultipliers({multDirs: [dirs.a, dirs.b], env})
  const byName = new Map(all.map((e) => [e.name, e]))
  t.equal(byName.get('mul8u_AAA')!.mae, 1, 'first folder shadows the second')
  t.same([byName.get('mul8u_AAA')!.powerMw, byName.get('mul8u_AAA')!.areaUm2, byName.get('mul8u_AAA')!.delayNs], [0.25, 100.5, 1.2])
  t.same([byName.get('mul8u_BBB')!.powerMw, byName.get('mul8u_BBB')!.areaUm2, byName.get('mul8u_BBB')!.delayNs], [0.125, 50, null], 'sidecar first')
  t.same([byName.get('mul8u_CCC')!.powerMw, byName.get('mul8u_CCC')!.family], [null, 'mul8u'])
  t.equal(byName.get('mitchell8u')!.source, 'built-in')
  t.equal(all.filter((e) => e.name === 'mul8u_AAA').length, 1)

  t.same(filterCatalog(all, {glob: 'mul8u_[AB]*'}).map((e) => e.name), ['mul8u_AAA', 'mul8u_BBB'])
  t.same(filterCatalog(all, {source: dirs.b}).map((e) => e.name), ['mul8u_CCC'])
  t.ok(filterCatalog(all, {source: 'built-in'}).every((e) => e.source === 'built-in'))
  t.same(filterCatalog(all, {family: 'drum8u'}).map((e) => e.name), ['drum8u_k3', 'drum8u_k4', 'drum8u_k5', 'drum8u_k6'])
  t.same(filterCatalog(all, {maxMaePct: 0.0025, source: 'built-in'}).map((e) => e.name).sort(), ['mul8s_1KV6', 'mul8s_1KV8', 'mul8s_1KVA', 'mul8u_125K', 'mul8u_1JFF', 'mul8u_2P7', 'mul8u_EXZ', 'mul8u_Y48', 'trunc8u_k2'])
  t.same(filterCatalog(all, {maxMaePct: 0.0025, signedness: 'signed'}).map((e) => e.name).sort(), ['mul8s_1KV6', 'mul8s_1KV8', 'mul8s_1KVA'])
  t.same(filterCatalog(all, {maxMaePct: 0.0025, source: dirs.a}).map((e) => e.name), ['mul8u_AAA'])
  const mine = (e: {name: string}) => /^mul8u_(AAA|BBB|CCC|1JFF|199Z)$/.test(e.name)
  // mul8u_199Z: published power 0 (it outputs a constant); mul8u_1JFF: 0.391 mW.
  t.same(sortCatalog(all.filter(mine), 'power').map((e) => e.name), ['mul8u_199Z', 'mul8u_BBB', 'mul8u_AAA', 'mul8u_1JFF', 'mul8u_CCC'], 'unknown power last')
  t.same(sortCatalog(all.filter(mine), 'power', true).map((e) => e.name), ['mul8u_1JFF', 'mul8u_AAA', 'mul8u_BBB', 'mul8u_199Z', 'mul8u_CCC'])
  t.throws(() => sortCatalog(all, 'speed'), /--sort: unknown key 'speed'/)
  fs.writeFileSync(path.join(dirs.b, 'mul8u_BAD.bin'), new Uint8Array(7))
  t.throws(() => listMultipliers({multDirs: [dirs.a, dirs.b], env}), /mul8u_BAD\.bin: a multiplier table must be 131072 bytes/)
  const problems: string[] = []
  const listed = listMultipliers({multDirs: [dirs.a, dirs.b], env, onProblem: (e) => problems.push(e.message)})
  t.equal(listed.length, all.length, 'the broken table is skipped')
  t.match(problems, [/mul8u_BAD\.bin: .*this file has 7/])
  t.ok(globToRegExp('a?c*').test('abcdef'))
  t.notOk(globToRegExp('a.c').test('abc'))
})

t.test('catalogue table: colour only when asked, numbers as EvoApproxLib prints them', async (t) => {
  const {Chalk} = await import('chalk')
  const {formatMetric, renderCatalogTable} = await import('../../src/mults/catalogTable.js')
  const {dirs} = setup(t)
  const entries = listMultipliers({env: {AXQ_HOME: dirs.home}}).filter((e) => e.name === 'mitchell8u' || e.name === 'mul8u_1JFF')
  const plain = renderCatalogTable(entries, new Chalk({level: 0}))
  t.notMatch(plain, /\u001b\[/)
  t.match(plain.split('\n').find((l) => l.startsWith('mitchell8u')), /^mitchell8u\s+unsigned\s+0\.93\s+606\.40\s+6\.25\s+11\.11\s+93\.09\s+3\.79\s+974070\s+-606\.40\s+–\s+–\s+–\s+built-in$/)
  const coloured = renderCatalogTable(entries, new Chalk({level: 1}))
  t.match(coloured, /\u001b\[33m\s*0\.93\u001b\[39m/, 'MAE% between 0.1 and 1: yellow')
  t.match(coloured, /\u001b\[32m\s*0\u001b\[39m/, 'exact: green')
  t.equal(formatMetric(0.00095367), '0.00095')
  t.equal(formatMetric(15608397), '1.56e+7')
  t.equal(formatMetric(null), '–')
})

t.test('signedness of a .bin: its sidecar, else the mul8s_ prefix', async (t) => {
  const {dirs, env} = setup(t)
  const bytes = Buffer.from(encodeTable(exactSignedTable()))
  fs.writeFileSync(path.join(dirs.a, 'mul8s_A.bin'), bytes)
  fs.writeFileSync(path.join(dirs.a, 'mine.bin'), bytes)
  fs.writeFileSync(path.join(dirs.a, 'mine.json'), JSON.stringify({signed: true}))
  fs.writeFileSync(path.join(dirs.a, 'mul8s_B.bin'), bytes)
  fs.writeFileSync(path.join(dirs.a, 'mul8s_B.json'), JSON.stringify({signed: false}))
  fs.writeFileSync(path.join(dirs.a, 'plain.bin'), bytes)
  const opts = {multDirs: [dirs.a], env}
  const prefixed = resolveMultiplier('mul8s_A', opts)
  t.equal(prefixed.signed, true)
  t.ok(prefixed.table instanceof Int16Array)
  t.equal(prefixed.table[255 * 256 + 1], -1, '(−1)·1 read as int16')
  t.equal(resolveMultiplier('mine', opts).signed, true, 'sidecar says signed')
  t.equal(resolveMultiplier('mul8s_B', opts).signed, false, 'the sidecar wins over the prefix')
  t.equal(resolveMultiplier('plain', opts).table[255 * 256 + 1], 65535, 'no sidecar, no prefix: unsigned')
  t.equal(resolveMultiplier(path.join(dirs.a, 'mul8s_A.bin'), opts).signed, true, 'a path too')
  t.equal(computeMetrics(resolveMultiplier('mine', opts).table).mae, 0, 'exact against the signed product')
  const entries = listMultipliers({multDirs: [dirs.a], env})
  t.same(entries.filter((e) => e.source.startsWith(dirs.a)).map((e) => [e.name, e.signed]), [['mine', true], ['mul8s_A', true], ['mul8s_B', false], ['plain', false]])
  fs.writeFileSync(path.join(dirs.a, 'mine.json'), JSON.stringify({signed: 'yes'}))
  t.throws(() => resolveMultiplier('mine', opts), {message: `${path.join(dirs.a, 'mine.json')}: 'signed' must be true or false`})
})
