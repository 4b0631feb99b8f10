import {execFile} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import t from 'tap'
import {cliPath, hasShared, shared} from '../helpers/paths.js'

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
  t.same(Object.keys(rows[0]), ['name', 'source', 'mae', 'maePct', 'wce', 'wcePct', 'wcrePct', 'epPct', 'mrePct', 'mse', 'meanError', 'powerMw', 'areaUm2', 'delayNs'])
  t.equal(rows[0].name, 'mul8u_199Z', 'lowest power first')
  const builtins = rows.filter((x) => x.source === 'built-in')
  t.ok(builtins.length > 10)
  t.ok(builtins.every((x) => x.powerMw === null && x.areaUm2 === null && x.delayNs === null))
  t.equal(rows.find((x) => x.name === 'mul8u_1JFF')!.source, shared('axmult', 'mul8u_1JFF.bin'), 'the folder shadows the built-in')
  t.ok(fs.readdirSync(path.join(home, 'cache', 'metrics-v1')).length >= 36, 'metrics cached on disk')
})

t.test('list-mults table, filters and errors', async (t) => {
  const r = await axq('list-mults', 'drum*', '--sort', 'mae', '--desc')
  t.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  t.match(lines[0], /^name\s+MAE%\s+MAE\s+WCE%/)
  t.same(lines.slice(1).map((l) => l.split(/\s+/)[0]), ['drum8u_k3', 'drum8u_k4', 'drum8u_k5', 'drum8u_k6'])
  t.notMatch(r.stdout, /\u001b\[/, 'no colour when not a terminal')
  const bad = await axq('list-mults', '--sort', 'speed')
  t.equal(bad.code, 1)
  t.equal(axqLines(bad.stderr), "axq: --sort: unknown key 'speed' (one of name, power, area, delay, mae, wce, wcre, ep, mre, mse, bias)\n")
  const badNum = await axq('list-mults', '--max-mae-pct', 'lots')
  t.equal(axqLines(badNum.stderr), "axq: --max-mae-pct: expected a number, got 'lots'\n")
})
