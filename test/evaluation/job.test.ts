import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {cliPath, hasShared, shared} from '../helpers/paths.js'
import {evaluate, jobCommand, layerwisePower, makeJob} from '../../src/evaluation/job.js'
import {evaluateAll} from '../../src/evaluation/pool.js'
import {decodeHits} from '../../src/evaluation/hits.js'
import {multiplierPower, relativePower} from '../../src/mults/power.js'

const needShared = hasShared ? false : 'needs ../shared'
const graph = shared('models', 'resnet_8_quant_ax.pb')
const data = shared('cifar10', 'test_first1000.bin')
const multDir = shared('axmult')

function axq(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

t.test('relative power is the MAC-weighted mean power over the exact one', async (t) => {
  t.equal(relativePower([{macs: 10, powerMw: 1}, {macs: 30, powerMw: 3}], 4), (10 + 90) / (40 * 4))
  t.ok(Number.isNaN(relativePower([], 1)))
})

t.test('multiplier power from the EvoApproxLib CSV beside the tables', {skip: needShared}, async (t) => {
  // evoapprox-published-metrics.csv: power_mW of mul8u_1JFF 0.391, NGR 0.276, L40 0.189
  t.equal(multiplierPower('mul8u_1JFF', {multDirs: [multDir]}).powerMw, 0.391)
  t.equal(multiplierPower('mul8u_NGR', {multDirs: [multDir]}).powerMw, 0.276)
  t.equal(multiplierPower('mul8u_L40', {multDirs: [multDir]}).powerMw, 0.189)
  t.equal(multiplierPower('trunc8u_k2', {multDirs: [multDir]}).powerMw, null, 'built-ins carry no power')
})

t.test('uniform ResNet-8 configurations: P(mult)/P(exact); a mixed one checked by hand', {skip: needShared}, async (t) => {
  const ngr = await layerwisePower(graph, 'mul8u_NGR', [], [multDir])
  t.ok(Math.abs(ngr.relativePower! - 0.276 / 0.391) < 1e-12)
  t.equal(ngr.relativePower!.toFixed(3), '0.706')
  t.ok(Math.abs(ngr.relativePowerComputed! - 0.276 / 0.391) < 1e-12)
  t.equal((await layerwisePower(graph, 'mul8u_L40', [], [multDir])).relativePower!.toFixed(3), '0.483')
  t.equal((await layerwisePower(graph, 'mul8u_1JFF', [], [multDir])).relativePower, 1)
  // layer 0 (442,368 MACs/image, ALWANN count; 442,368 computed) on L40, layer 3 (5,326,848; computed
  // 1,179,648) on NGR, the rest exact; totals 21,178,368 and 12,238,848 (axq inspect)
  const mixed = await layerwisePower(graph, 'mul8u_1JFF', ['0=mul8u_L40', '3=mul8u_NGR'], [multDir])
  const alwann = (442368 * 0.189 + 5326848 * 0.276 + (21178368 - 442368 - 5326848) * 0.391) / (21178368 * 0.391)
  const computed = (442368 * 0.189 + 1179648 * 0.276 + (12238848 - 442368 - 1179648) * 0.391) / (12238848 * 0.391)
  t.ok(Math.abs(mixed.relativePower! - alwann) < 1e-12, `${mixed.relativePower} vs ${alwann}`)
  t.ok(Math.abs(mixed.relativePowerComputed! - computed) < 1e-12)
  t.equal(mixed.relativePower!.toFixed(4), '0.9152')
  t.equal((await layerwisePower(graph, 'trunc8u_k2', [], [multDir])).relativePower, null, 'unknown power: null')
})

t.test('an evaluation job equals axq infer, on one process or a pool', {skip: needShared}, async (t) => {
  const job = makeJob({model: graph, data, batchSize: 50, iterations: 2, mult: 'mul8u_1JFF', layerMults: ['0=mul8u_L40', '5=mul8u_NGR'], tune: true, multDirs: [multDir]})
  t.same(JSON.parse(JSON.stringify(job)), job, 'the job is plain JSON')
  const direct = await evaluate(job, {threads: 1})
  const hits = decodeHits(direct.hits, direct.images)
  t.equal(direct.images, 100)
  t.equal(hits.reduce((s, h) => s + h, 0), direct.correct)
  t.ok(direct.ci95[0] < direct.correct / 100 && direct.correct / 100 < direct.ci95[1])
  t.same(direct.multipliers.map((m) => [m.name, m.powerMw]), [['mul8u_L40', 0.189], ['mul8u_1JFF', 0.391], ['mul8u_NGR', 0.276]])
  const pooled = await evaluateAll([job, {...job, layerMults: []}], {workers: 2})
  t.equal(pooled[0].hits, direct.hits)
  t.equal(pooled[0].accuracy, direct.accuracy)
  t.equal(pooled[1].relativePower, 1)
  // the command line reproduces it
  const args = jobCommand(job).split(' ').slice(2)
  const r = axq('infer', ...args, '--json')
  t.equal(r.code, 0, r.stderr)
  const inferred = JSON.parse(r.stdout)
  t.equal(inferred.accuracy, direct.accuracy)
  t.same(inferred.ci95, direct.ci95)
  t.equal(inferred.relativePower, direct.relativePower)
})

t.test('a job whose files changed is refused', {skip: needShared}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-job-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const copy = path.join(dir, 'data.bin')
  fs.copyFileSync(data, copy)
  const job = makeJob({model: graph, data: copy, batchSize: 10, iterations: 1, mult: 'mul8u_1JFF', tune: false})
  fs.appendFileSync(copy, Buffer.alloc(3073))
  await t.rejects(evaluate(job), /data .*data\.bin has sha256 .*, the job expects/)
})
