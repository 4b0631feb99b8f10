import {execFile} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import t from 'tap'
import {cliPath, fixturesDir, hasShared, shared} from '../helpers/paths.js'

const run = promisify(execFile)
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-list-'))
t.teardown(() => fs.rmSync(home, {recursive: true, force: true}))
const env = {...process.env, AXQ_HOME: home, AXQ_MULT_PATH: '', NO_COLOR: '1'}

async function axq(...args: string[]): Promise<{stdout: string; stderr: string; code: number}> {
  try {
    const r = await run(process.execPath, [cliPath, ...args], {env})
    return {...r, code: 0}
  } catch (error) {
    const e = error as {stdout: string; stderr: string; code: number}
    return {stdout: e.stdout, stderr: e.stderr, code: e.code}
  }
}

/** The CLI's own error lines (node warnings about other commands under construction are ignored). */
function axqLines(stderr: string): string {
  return stderr.split('\n').filter((l) => l.startsWith('axq:')).map((l) => l + '\n').join('')
}

t.test('list-mults --json with the 36 EvoApproxLib tables: cost from the CSV', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  const r = await axq('list-mults', '--mult-dir', shared('axmult'), '--json', '--sort', 'power')
  t.equal(r.code, 0, r.stderr)
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[]
  const csv = fs.readFileSync(shared('axmult', 'evoapprox-published-metrics.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','))
  const evo = rows.filter((row) => String(row.source).startsWith(shared('axmult')))
  t.equal(evo.length, 36)
  for (const cells of csv) {
    const row = rows.find((x) => x.name === cells[0])!
    t.same([row.powerMw, row.areaUm2, row.delayNs], [Number(cells[9]), Number(cells[10]), Number(cells[11])], cells[0])
  }
  t.same(Object.keys(rows[0]), ['name', 'signed', 'family', 'source', 'mae', 'maePct', 'wce', 'wcePct', 'wcrePct', 'epPct', 'mrePct', 'mse', 'meanError', 'powerMw', 'areaUm2', 'delayNs'])
  t.equal(rows[0].name, 'mul8u_199Z', 'lowest power first')
  const builtins = rows.filter((x) => x.source === 'built-in')
  const families = builtins.filter((x) => !String(x.name).startsWith('mul8'))
  t.ok(families.length > 10)
  t.ok(families.every((x) => x.powerMw === null && x.areaUm2 === null && x.delayNs === null), 'the functional families have no cost')
  const signed = builtins.filter((x) => String(x.name).startsWith('mul8s_'))
  t.equal(signed.length, 24, 'the built-in signed EvoApproxLib tables, with their published cost')
  t.ok(signed.every((x) => x.signed === true && typeof x.powerMw === 'number' && x.family === 'mul8s'))
  t.equal(rows.find((x) => x.name === 'mul8u_1JFF')!.source, shared('axmult', 'mul8u_1JFF.bin'), 'the folder shadows the built-in')
  t.ok(fs.readdirSync(path.join(home, 'cache', 'metrics-v1')).length >= 36, 'metrics cached on disk')
})

t.test('list-mults table, filters and errors', async (t) => {
  const r = await axq('list-mults', 'drum8u*', '--sort', 'mae', '--desc')
  t.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  t.match(lines[0], /^name\s+kind\s+MAE%\s+MAE\s+WCE%/)
  t.same(lines.slice(1).map((l) => l.split(/\s+/)[0]), ['drum8u_k3', 'drum8u_k4', 'drum8u_k5', 'drum8u_k6'])
  t.ok(lines.slice(1).every((l) => l.split(/\s+/)[1] === 'unsigned'))
  const signed = await axq('list-mults', '--signedness', 'signed', '--sort', 'power')
  const signedLines = signed.stdout.trim().split('\n').slice(1)
  t.equal(signedLines.filter((l) => l.startsWith('mul8s_')).length, 24)
  t.ok(signedLines.every((l) => l.split(/\s+/)[1] === 'signed'))
  t.match(signedLines[0], /^mul8s_1KR3\s+signed\s+3\.08\s+2016\s+12\.30\s+6300\s+98\.05\s+135\.77\s+7282910\s+15\.75\s+0\.052\s+172\.2\s+0\.89\s+built-in$/, 'lowest power first; cost as published')
  const all = await axq('list-mults')
  const names = all.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])
  t.equal(names.filter((n) => n.startsWith('mul8u_')).length, 36, 'no folder needed: 36 unsigned')
  t.ok(names.includes('mul8u_1JFF') && names.includes('mitchell8s') && names.includes('trunc8u_k4'))
  t.notMatch(r.stdout, /\u001b\[/, 'no colour when not a terminal')
  const bad = await axq('list-mults', '--sort', 'speed')
  t.equal(bad.code, 1)
  t.equal(axqLines(bad.stderr), "axq: --sort: unknown key 'speed' (one of name, power, area, delay, mae, wce, wcre, ep, mre, mse, bias)\n")
  const badNum = await axq('list-mults', '--max-mae-pct', 'lots')
  t.equal(axqLines(badNum.stderr), "axq: --max-mae-pct: expected a number, got 'lots'\n")
})

t.test('list-mults --model keeps the tables that fit the layers and says why the others are left out', async (t) => {
  const onnx = (name: string) => path.join(fixturesDir, 'onnx', name)
  const all = JSON.parse((await axq('list-mults', '--json')).stdout) as {name: string; signed: boolean; mae: number; wce: number}[]
  const exact = (r: {mae: number; wce: number}) => r.mae === 0 && r.wce === 0
  // tiny_cnn: conv1, dwconv, pwconv and the Gemm fc are the four quantized layers.
  for (const [file, signed] of [['tiny_cnn.qop.u8u8.onnx', false], ['tiny_cnn.qop.s8s8.onnx', true], ['tiny_cnn.qdq.s8s8.onnx', true]] as const) {
    const r = await axq('list-mults', '--model', onnx(file), '--json')
    t.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {layers: Record<string, number>; multipliers: {name: string; signed: boolean}[]; leftOut: {reason: string; names: string[]}[]}
    t.same(out.layers, signed ? {unsigned: 0, signed: 4, mixed: 0} : {unsigned: 4, signed: 0, mixed: 0}, file)
    t.same(out.multipliers.map((m) => m.name).sort(), all.filter((m) => m.signed === signed || exact(m)).map((m) => m.name).sort(), `${file}: the ${signed ? 'signed' : 'unsigned'} and the exact tables`)
    t.equal(out.leftOut.length, 1)
    t.same(out.leftOut[0].names.sort(), all.filter((m) => m.signed !== signed && !exact(m)).map((m) => m.name).sort())
    t.match(out.leftOut[0].reason, signed ? /unsigned tables need uint8×uint8 layers; .* has 4 int8×int8 layers \(quantize with .*QUInt8/ : /signed tables need int8×int8 layers; .* has 4 uint8×uint8 layers \(quantize with .*QInt8/)
  }
  const text = await axq('list-mults', '--model', onnx('tiny_cnn.qop.u8u8.onnx'), 'mul8s_1L2H')
  t.match(text.stdout, /\(no multiplier matches\)[\s\S]*left out 1: signed tables need int8×int8 layers/)
  const float = JSON.parse((await axq('list-mults', '--model', onnx('tiny_cnn.onnx'), '--json')).stdout) as {multipliers: {mae: number; wce: number}[]; leftOut: {reason: string}[]}
  t.ok(float.multipliers.length > 0 && float.multipliers.every(exact), 'a float model: exact tables only')
  t.match(float.leftOut[0].reason, /has no layer that takes an approximate table/)
  const bad = await axq('list-mults', '--model', path.join(home, 'missing.onnx'))
  t.equal(bad.code, 1)
  t.match(axqLines(bad.stderr), /^axq: .*missing\.onnx/)
})
