import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {builtinMember, tabulate} from '../../axmult/index.js'
import {exportFormat, exportMultiplier} from '../../src/mults/exportMultiplier.js'
import {chooseFunction, headerMetrics, twoArgumentFunctions} from '../../src/mults/formats/cModel.js'
import {decodeNpy, encodeNpy} from '../../src/mults/formats/npy.js'
import {formatTextTable, parseTextTable} from '../../src/mults/formats/textTable.js'
import {importMultiplier} from '../../src/mults/importMultiplier.js'
import {resolveMultiplier} from '../../src/mults/resolve.js'
import {encodeTable, exactTable} from '../../src/mults/table.js'
import {fixturesDir, hasShared, shared} from '../helpers/paths.js'

const fixture = (name: string) => path.join(fixturesDir, 'mults', name)
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-import-'))
t.teardown(() => fs.rmSync(root, {recursive: true, force: true}))
const env = {AXQ_HOME: path.join(root, 'home')}
const trunc4 = tabulate('trunc8u_k4', builtinMember('trunc8u_k4')!.product)

t.test('C model: exact multiplier written gate by gate, into the user folder, round trip to .bin', async (t) => {
  const r = await importMultiplier(fixture('mul8u_exactc.c'), {env})
  t.equal(r.name, 'mul8u_exactc')
  t.equal(r.binFile, path.join(root, 'home', 'mults', 'mul8u_exactc.bin'))
  t.same(r.disagreements, [])
  t.same(r.cost, {powerMw: 0.391, areaUm2: 709.6, delayNs: 1.43})
  const bin = fs.readFileSync(r.binFile)
  t.same(bin, Buffer.from(encodeTable(exactTable())))
  const sidecar = JSON.parse(fs.readFileSync(r.jsonFile, 'utf8'))
  t.equal(sidecar.provenance.kind, 'c-model')
  t.equal(sidecar.provenance.function, 'mul8u_exactc')
  t.equal(sidecar.metrics.mae, 0)
  t.equal(sidecar.header['PDK45_PWR'], 0.391)
  const resolved = resolveMultiplier('mul8u_exactc', {env})
  t.same(Buffer.from(exportMultiplier(resolved, 'bin') as Uint8Array), bin, 'export → the same bytes')
  t.same(fs.readdirSync(path.dirname(r.binFile)).sort(), ['mul8u_exactc.bin', 'mul8u_exactc.json'], 'no temporary files left')
})

t.test('C model: truncated multiplier, static helper skipped, main renamed, header disagreement reported', async (t) => {
  const to = path.join(root, 'trunc')
  const r = await importMultiplier(fixture('trunc4.c'), {to, env})
  t.equal(r.name, 'mul8u_trunc4')
  t.same(fs.readFileSync(r.binFile), Buffer.from(encodeTable(trunc4)))
  t.same(r.disagreements, [{metric: 'MAE', header: '13', computed: 12.25}])
  t.same(r.cost, {powerMw: 0.3, areaUm2: null, delayNs: null})
  t.throws(() => resolveMultiplier('mul8u_trunc4', {env}), /unknown multiplier/, '--to folder is not on the search path')
  t.equal(resolveMultiplier('mul8u_trunc4', {multDirs: [to], env}).table[15 * 256 + 15], 176)
  // name clash, then --force
  await t.rejects(importMultiplier(fixture('trunc4.c'), {to, env}), {message: `multiplier 'mul8u_trunc4' already exists in ${to} (use --force to replace it, or --name to import under another name)`})
  const again = await importMultiplier(fixture('trunc4.c'), {to, env, force: true})
  t.equal(again.replaced, true)
  const renamed = await importMultiplier(fixture('trunc4.c'), {to, env, name: 'my_trunc'})
  t.equal(renamed.name, 'my_trunc')
})

t.test('C model errors', async (t) => {
  await t.rejects(importMultiplier(fixture('no_function.c'), {env}), {message: `${fixture('no_function.c')}: no function with two arguments (A, B) found; a C model needs e.g. 'uint16_t mul8u_X(uint8_t A, uint8_t B) { ... }'`})
  const broken = path.join(root, 'broken.c')
  fs.writeFileSync(broken, 'unsigned mul(unsigned a, unsigned b) { return a * b + ; }\n')
  await t.rejects(importMultiplier(broken, {env}), /broken\.c: does not compile: .*error/)
  const big = path.join(root, 'big.c')
  fs.writeFileSync(big, 'unsigned long big(unsigned a, unsigned b) { return a * b * 2; }\n')
  await t.rejects(importMultiplier(big, {env}), /big\.c: evaluating big failed: big\(129, 254\) = 65532|big\(\d+, \d+\) = \d+ is outside 0\.\.65535/)
  await t.rejects(importMultiplier(path.join(root, 'x.xyz'), {env}), /unknown multiplier format '\.xyz'/)
  const fns = twoArgumentFunctions('int helper(int a, int b) { return a; }\nuint16_t f(uint8_t A, uint8_t B) { if (A) { return 1; } return 0; }\nint g(int a, int b) { return 0; }')
  t.same(fns.map((f) => f.name), ['helper', 'f', 'g'])
  t.throws(() => chooseFunction(fns, 'x.c'), /several two-argument functions \(helper, f, g\); choose one with --function/)
  t.equal(chooseFunction(fns, 'x.c', 'g').name, 'g')
  t.equal(chooseFunction(fns, 'f.c').name, 'f', 'named like the file')
  t.same(headerMetrics('// MAE% = 0.00095 %\n// MSE = 15608.397e3 \n// PDK45_AREA = 674.9 um2\n* WCE = 6.0\n'), {'MAE%': '0.00095', MSE: '15608.397e3', PDK45_AREA: '674.9', WCE: '6.0'})
})

t.test('.bin import: size checked, cost from a CSV beside it', async (t) => {
  const dir = path.join(root, 'bins')
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'mine.bin'), encodeTable(trunc4))
  fs.writeFileSync(path.join(dir, 'costs.csv'), 'name,power_mW,area_um2,delay_ns\nmine,0.5,300,1.0\n')
  const r = await importMultiplier(path.join(dir, 'mine.bin'), {env})
  t.same(r.cost, {powerMw: 0.5, areaUm2: 300, delayNs: 1})
  t.equal(r.metrics.mae, 12.25)
  fs.writeFileSync(path.join(dir, 'short.bin'), new Uint8Array(131070))
  await t.rejects(importMultiplier(path.join(dir, 'short.bin'), {env}), {message: `${path.join(dir, 'short.bin')}: a multiplier table must be 131072 bytes (65536 little-endian uint16), this file has 131070`})
})

function npy(descr: string, shape: string, data: Uint8Array, opts: {fortran?: boolean; major?: number} = {}): Uint8Array {
  const major = opts.major ?? 1
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`
  const pre = major === 1 ? 10 : 12
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n'
  const out = new Uint8Array(pre + header.length + data.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0])
  const view = new DataView(out.buffer)
  if (major === 1) view.setUint16(8, header.length, true)
  else view.setUint32(8, header.length, true)
  out.set(new TextEncoder().encode(header), pre)
  out.set(data, pre + header.length)
  return out
}

t.test('.npy: integer dtypes, byte orders, Fortran order, version 2; clear errors', async (t) => {
  const exact = exactTable()
  t.same(decodeNpy(encodeNpy(trunc4), 'x.npy'), trunc4, 'own export round trip')
  const i4 = new Int32Array(exact)
  t.same(decodeNpy(npy('<i4', '(256, 256)', new Uint8Array(i4.buffer)), 'i4.npy'), exact)
  const be = new Uint8Array(65536 * 2)
  exact.forEach((v, i) => new DataView(be.buffer).setUint16(i * 2, v, false))
  t.same(decodeNpy(npy('>u2', '(256, 256)', be), 'be.npy'), exact)
  // Fortran order: element k is T[k % 256][k / 256]; store trunc4 transposed
  const colMajor = new BigUint64Array(65536)
  for (let a = 0; a < 256; a++) for (let w = 0; w < 256; w++) colMajor[w * 256 + a] = BigInt(trunc4[a * 256 + w])
  t.same(decodeNpy(npy('<u8', '(256, 256)', new Uint8Array(colMajor.buffer), {fortran: true, major: 2}), 'f.npy'), trunc4)
  t.throws(() => decodeNpy(npy('<f4', '(256, 256)', new Uint8Array(65536 * 4)), 'f4.npy'), {message: "f4.npy: dtype '<f4' is not an integer type (need int8..int64 or uint8..uint64)"})
  t.throws(() => decodeNpy(npy('<u2', '(128, 256)', new Uint8Array(65536)), 's.npy'), {message: 's.npy: a product table must have shape (256, 256), this array has (128, 256)'})
  const neg = new Int16Array(65536)
  neg[300] = -1
  t.throws(() => decodeNpy(npy('<i2', '(256, 256)', new Uint8Array(neg.buffer)), 'n.npy'), {message: 'n.npy: T[1][44] = -1 is outside 0..65535'})
  t.throws(() => decodeNpy(new Uint8Array(20), 'z.npy'), /not a NumPy \.npy file/)
  t.throws(() => decodeNpy(npy('<u2', '(256, 256)', new Uint8Array(100)), 't.npy'), /expected 131072 data bytes/)
})

t.test('text tables and the csv export', async (t) => {
  const csv = formatTextTable(trunc4)
  t.same(parseTextTable(csv, 'x.csv'), trunc4)
  t.same(parseTextTable('# comment\n' + formatTextTable(trunc4, ' '), 'x.txt'), trunc4)
  t.throws(() => parseTextTable(csv.split('\n').slice(1).join('\n'), 'short.csv'), {message: 'short.csv: a text product table needs 256 rows of 256 integers, this file has 255 rows'})
  t.throws(() => parseTextTable(csv.replace(/^0,/, 'x,'), 'bad.csv'), {message: "bad.csv:1: T[0][0] = 'x' is not an integer in 0..65535"})
  const file = path.join(root, 'table.csv')
  fs.writeFileSync(file, exportMultiplier(resolveMultiplier('drum8u_k4', {env}), 'csv'))
  const r = await importMultiplier(file, {env})
  t.equal(r.name, 'table')
  t.same(resolveMultiplier('table', {env}).table, resolveMultiplier('drum8u_k4', {env}).table)
  const json = JSON.parse(exportMultiplier(resolveMultiplier('drum8u_k4', {env}), 'json') as string)
  t.equal(json.table.length, 256)
  t.equal(json.table[200][9], 200 * 9 === 1800 ? resolveMultiplier('drum8u_k4', {env}).table[200 * 256 + 9] : -1)
  t.throws(() => exportFormat('xml'), /--format: unknown format 'xml'/)
})

t.test('bin export of the exact multiplier is byte-identical to the reference table', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  const reference = fs.readFileSync(shared('axmult', 'mul8u_1JFF.bin'))
  const builtin = resolveMultiplier('mul8u_1JFF', {env: {AXQ_HOME: path.join(root, 'empty')}})
  t.equal(builtin.source, 'built-in')
  t.same(Buffer.from(exportMultiplier(builtin, 'bin') as Uint8Array), reference)
  const imported = await importMultiplier(fixture('mul8u_exactc.c'), {to: path.join(root, 'cmp'), env})
  t.same(fs.readFileSync(imported.binFile), reference, 'the C model too')
})

t.test('axq mults import / export on the command line', async (t) => {
  const {execFile} = await import('node:child_process')
  const {promisify} = await import('node:util')
  const {cliPath} = await import('../helpers/paths.js')
  const run = (...args: string[]) => promisify(execFile)(process.execPath, [cliPath, ...args], {env: {...process.env, AXQ_HOME: path.join(root, 'cli-home')}})
  const to = path.join(root, 'cli')
  const {stdout} = await run('mults', 'import', fixture('trunc4.c'), '--to', to, '--json')
  const json = JSON.parse(stdout)
  t.equal(json.imported[0].name, 'mul8u_trunc4')
  t.same(json.imported[0].disagreements, [{metric: 'MAE', header: '13', computed: 12.25}])
  const clash = await run('mults', 'import', fixture('trunc4.c'), '--to', to).catch((e) => e)
  t.equal(clash.code, 1)
  t.match(clash.stderr, new RegExp(`axq: multiplier 'mul8u_trunc4' already exists in ${to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(use --force`))
  const npyFile = path.join(root, 'trunc4.npy')
  await run('mults', 'export', 'mul8u_trunc4', '--mult-dir', to, '--format', 'npy', '--out', npyFile)
  t.same(decodeNpy(fs.readFileSync(npyFile), npyFile), trunc4)
  const csv = await run('mults', 'export', 'trunc8u_k4', '--format', 'csv')
  t.same(parseTextTable(csv.stdout, 'stdout'), trunc4)
})

t.test('axq mults import of several files is all or nothing', async (t) => {
  const {execFile} = await import('node:child_process')
  const {promisify} = await import('node:util')
  const {cliPath} = await import('../helpers/paths.js')
  const to = path.join(root, 'batch')
  const good = path.join(root, 'mul8u_good.bin')
  const bad = path.join(root, 'mul8u_bad.bin')
  fs.writeFileSync(good, encodeTable(exactTable()))
  fs.writeFileSync(bad, new Uint8Array(1000))
  const failed = await promisify(execFile)(process.execPath, [cliPath, 'mults', 'import', good, bad, '--to', to], {env: {...process.env, AXQ_HOME: path.join(root, 'cli-home')}}).catch((e) => e)
  t.equal(failed.code, 1)
  t.match(failed.stderr, /^axq: .*mul8u_bad\.bin/)
  t.notOk(fs.existsSync(path.join(to, 'mul8u_good.bin')), 'the good file was not imported either')
  t.notOk(fs.existsSync(path.join(to, 'mul8u_good.json')))
  const ok = await promisify(execFile)(process.execPath, [cliPath, 'mults', 'import', good, trunc4File(), '--to', to, '--json'], {env: {...process.env, AXQ_HOME: path.join(root, 'cli-home')}})
  t.same(JSON.parse(ok.stdout).imported.map((r: {name: string}) => r.name), ['mul8u_good', 'mul8u_t4'])
  t.same(fs.readdirSync(to).sort(), ['mul8u_good.bin', 'mul8u_good.json', 'mul8u_t4.bin', 'mul8u_t4.json'], 'all four files, no temporaries')
})

function trunc4File(): string {
  const file = path.join(root, 'mul8u_t4.bin')
  fs.writeFileSync(file, encodeTable(trunc4))
  return file
}

t.test('signed C model declared with unsigned types (two\'s-complement bits) imports as a signed table', async (t) => {
  const r = await importMultiplier(fixture('mul8s_bits.c'), {env})
  t.equal(r.name, 'mul8s_bits')
  t.equal(r.signed, true)
  t.same(r.disagreements, [], 'MAE% 0.0015 and MAE 1.0 from the header agree')
  t.same(r.cost, {powerMw: 0.3, areaUm2: 600, delayNs: 1.3})
  // Expected independently: a·w rounded down to a multiple of 4 (two's-complement bits 0, 1 cleared).
  const bin = fs.readFileSync(r.binFile)
  let mismatches = 0
  for (let a = -128; a < 128; a++) for (let w = -128; w < 128; w++) if (bin.readInt16LE(2 * ((a & 255) * 256 + (w & 255))) !== Math.floor((a * w) / 4) * 4) mismatches++
  t.equal(mismatches, 0)
  t.equal(JSON.parse(fs.readFileSync(r.jsonFile, 'utf8')).signed, true, 'the sidecar records the signedness')
  const resolved = resolveMultiplier('mul8s_bits', {env})
  t.equal(resolved.signed, true)
  t.equal(resolved.table[(-3 & 255) * 256 + 5], -16)
  t.equal(r.metrics.mae, 1)
  // Exported and re-imported under a name without the mul8s_ prefix: the sidecar beside the .bin says signed.
  const json = JSON.parse(exportMultiplier(resolved, 'json') as string)
  t.equal(json.signed, true)
  t.equal(json.table[(-3 & 255)][5], -16)
  const npy = exportMultiplier(resolved, 'npy') as Uint8Array
  t.same(decodeNpy(npy, 'x.npy', true), resolved.table)
  t.throws(() => decodeNpy(npy, 'x.npy'), /outside 0\.\.65535 \(a signed table\? import it with --signed\)/)
})

t.test('signed C model with int8_t parameters is detected as signed; --no-signed and wrong models are rejected', async (t) => {
  const r = await importMultiplier(fixture('sm_int8.c'), {env})
  t.equal(r.signed, true)
  const bin = fs.readFileSync(r.binFile)
  t.equal(bin.readInt16LE(2 * ((-7 & 255) * 256 + 3)), -20, '−21 → magnitude 20')
  t.equal(bin.readInt16LE(2 * ((-128 & 255) * 256 + (-128 & 255))), 16384)
  // An unsigned model forced to be read as signed fails the sign check.
  await t.rejects(importMultiplier(fixture('mul8u_exactc.c'), {env, signed: true, name: 'forced'}), /does not behave as a signed 8-bit multiplier: only \d+ of the \d+ products of magnitude ≥ 4096 have the right sign/)
  t.notOk(fs.existsSync(path.join(root, 'home', 'mults', 'forced.bin')), 'nothing written')
  // The unsigned-declared signed model read as unsigned: its table is the bit patterns (−1·1 → 65532).
  const u = await importMultiplier(fixture('mul8s_bits.c'), {env, signed: false, name: 'bits_unsigned'})
  t.equal(u.signed, false)
  t.equal(fs.readFileSync(u.binFile).readUInt16LE(2 * (255 * 256 + 1)), 65532)
})
