import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {evoapproxDataDir, evoapproxEntry, evoapproxNames, evoapproxTable} from '../../axmult/evoapprox.js'
import {builtinCost, listMultipliers, multiplierCost} from '../../src/mults/catalog.js'
import {resolveMultiplier} from '../../src/mults/resolve.js'
import {encodeTable} from '../../src/mults/table.js'
import {hasShared, repoRoot, shared} from '../helpers/paths.js'

const needShared = {skip: hasShared ? false : 'no ../shared'}
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-builtin-'))
t.teardown(() => fs.rmSync(root, {recursive: true, force: true}))
const env = {AXQ_HOME: path.join(root, 'home')}

function csvRows(file: string): Map<string, Record<string, string>> {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/)
  const header = head.split(',')
  return new Map(lines.map((l) => {
    const cells = l.split(',')
    return [cells[0], Object.fromEntries(header.map((h, i) => [h, cells[i]]))]
  }))
}

t.test('the library: 36 unsigned and 24 signed names, shipped inside the package', async (t) => {
  const names = evoapproxNames()
  t.equal(names.filter((n) => n.startsWith('mul8u_')).length, 36)
  t.equal(names.filter((n) => n.startsWith('mul8s_')).length, 24)
  t.equal(names.length, 60)
  t.equal(evoapproxDataDir(), path.join(repoRoot, 'axmult', 'evoapprox') + path.sep, 'read from axmult/evoapprox, not ../shared')
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {files: string[]}
  t.ok(pkg.files.includes('axmult'), 'package.json "files" ships axmult/ (with axmult/evoapprox)')
  const bytes = fs.readdirSync(evoapproxDataDir()).reduce((n, f) => n + fs.statSync(path.join(evoapproxDataDir(), f)).size, 0)
  t.ok(bytes < 3e6, `the compact data (${bytes} bytes) stays far below 3 MB`)
  t.equal(evoapproxEntry('mul8u_nope'), undefined)
  t.equal(evoapproxTable('mul8u_nope'), undefined)
})

t.test('every built-in table equals its ../shared .bin bit for bit', needShared, async (t) => {
  for (const [dir, prefix] of [['axmult', 'mul8u_'], ['axmult-signed', 'mul8s_']]) {
    const files = fs.readdirSync(shared(dir)).filter((f) => f.endsWith('.bin'))
    t.equal(files.length, prefix === 'mul8u_' ? 36 : 24)
    for (const f of files) {
      const name = f.slice(0, -4)
      const table = evoapproxTable(name)
      if (!table) {
        t.fail(`${name} is not built in`)
        continue
      }
      t.equal(table instanceof Int16Array, prefix === 'mul8s_', `${name}: ${prefix === 'mul8s_' ? 'Int16Array' : 'Uint16Array'}`)
      t.ok(Buffer.from(encodeTable(table)).equals(fs.readFileSync(shared(dir, f))), `${name}: identical bytes`)
    }
  }
})

t.test('published metrics and 45 nm cost are the CSVs\' rows; identical tables are recorded as such', needShared, async (t) => {
  const rows = new Map([...csvRows(shared('axmult', 'evoapprox-published-metrics.csv')), ...csvRows(shared('axmult-signed', 'evoapprox-signed-metrics.csv'))])
  t.equal(rows.size, 60)
  for (const [name, row] of rows) {
    const e = evoapproxEntry(name)!
    t.same(e.cost, {powerMw: Number(row.power_mW), areaUm2: Number(row.area_um2), delayNs: Number(row.delay_ns)}, `${name}: cost`)
    t.same(builtinCost(name), e.cost)
    for (const column of ['mae_pct', 'mae', 'wce_pct', 'wce', 'wcre_pct', 'ep_pct', 'mre_pct', 'mse']) t.equal(e.published[column], row[column], `${name}.${column}`)
  }
  // axmult-signed/README.md: "Same circuit under two names (identical tables)".
  const pairs = [['1KV6', '1KV8'], ['1KR8', '1KVM'], ['1KR6', '1KVP'], ['1KRC', '1KVQ'], ['1KV9', '1KVB'], ['1KVL', '1KX5'], ['1KTY', '1KXF'], ['1KR3', '1L12'], ['1L2D', '1L2L'], ['1L2H', '1L2J'], ['1L1G', '1L2N']]
  const same = evoapproxNames().filter((n) => evoapproxEntry(n)!.sameTableAs !== null).map((n) => [evoapproxEntry(n)!.sameTableAs!.slice(6), n.slice(6)])
  t.same(same.sort(), pairs.sort())
  for (const [a, b] of pairs) t.equal(evoapproxTable(`mul8s_${a}`), evoapproxTable(`mul8s_${b}`), `${a} and ${b} share one table`)
})

t.test('built-ins resolve by name with no flags, after the user\'s folders', async (t) => {
  const r = resolveMultiplier('mul8u_2P7', {env})
  t.equal(r.source, 'built-in')
  t.equal(r.family, 'mul8u')
  t.equal(r.signed, false)
  // mul8u_2P7 is one of EvoApproxLib's near-exact multipliers: 255·255 is off by at most a few units.
  t.ok(Math.abs(r.table[255 * 256 + 255] - 65025) <= 3)
  const s = resolveMultiplier('mul8s_1KV8', {env})
  t.equal(s.signed, true)
  t.equal(s.table[(-128 & 255) * 256 + (-128 & 255)], 16384, 'exact signed: (−128)·(−128)')
  t.equal(s.table[(-7 & 255) * 256 + 9], -63)
  const user = path.join(root, 'home', 'mults')
  fs.mkdirSync(user, {recursive: true})
  fs.writeFileSync(path.join(user, 'mul8u_2P7.bin'), Buffer.alloc(131072, 1))
  const shadow = resolveMultiplier('mul8u_2P7', {env})
  t.equal(shadow.source, path.join(user, 'mul8u_2P7.bin'), 'the user folder wins')
  t.equal(shadow.table[0], 257)
  t.same(multiplierCost('mul8u_2P7', {env}), {powerMw: null, areaUm2: null, delayNs: null}, 'the cost follows the table that resolves')
  fs.writeFileSync(path.join(user, 'mul8u_2P7.json'), JSON.stringify({cost: {powerMw: 0.2}}))
  t.same(multiplierCost('mul8u_2P7', {env}), {powerMw: 0.2, areaUm2: null, delayNs: null})
  fs.rmSync(user, {recursive: true})
  t.same(multiplierCost('mul8u_2P7', {env}), {powerMw: 0.386, areaUm2: 676.3, delayNs: 1.42}, 'PDK45 figures from its C model header')
  t.same(multiplierCost('mul8s_1KR3', {env}), {powerMw: 0.052, areaUm2: 172.2, delayNs: 0.89})
  t.same(multiplierCost('drum8u_k4', {env}), {powerMw: null, areaUm2: null, delayNs: null}, 'functional families have no cost')
  t.same(multiplierCost('mul8u_nothing', {env}), {powerMw: null, areaUm2: null, delayNs: null})
  t.throws(() => multiplierCost('x y', {env}), {name: 'AxqError'})
})

t.test('listing: the exact one, 36 unsigned, 24 signed and the families, with cost', async (t) => {
  const entries = listMultipliers({env})
  const evo = entries.filter((e) => /^mul8[us]_/.test(e.name))
  t.equal(evo.length, 60)
  t.ok(evo.every((e) => e.origin === 'built-in' && e.powerMw !== null && e.areaUm2 !== null && e.delayNs !== null))
  t.equal(evo.filter((e) => e.signed).length, 24)
  const exact = entries.find((e) => e.name === 'mul8u_1JFF')!
  t.same([exact.mae, exact.powerMw], [0, 0.391])
  for (const family of ['trunc8u', 'bam8u', 'drum8u', 'mitchell8u', 'udm8u', 'trunc8s', 'drum8s', 'mitchell8s']) t.ok(entries.some((e) => e.family === family), family)
  t.ok(entries.filter((e) => /8s/.test(e.family)).every((e) => e.signed))
})
