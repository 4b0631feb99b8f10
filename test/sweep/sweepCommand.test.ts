/**
 * `axq sweep` end to end on ResNet-8: a local run, resuming, the Slurm array (a real single-node
 * Slurm when slurmctld/slurmd/munge are installed, else the script's tasks run by hand) merged
 * identical to the local run, and bad input. Small grid: 2 multipliers × tune on/off, 1000 images.
 */
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {axq, axqLines} from '../commands/cliRunner.js'
import {hasShared, shared} from '../helpers/paths.js'
import type {ResultLine} from '../../src/sweep/resultsFile.js'
import {comparable, readLines, writeSpec} from './sweepFiles.js'
import {runBatch, slurmAvailable, startSlurm} from './slurmCluster.js'

t.test('axq sweep: local, resumed, and as a Slurm array merged identical', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-sweep-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const spec = writeSpec(dir, {
    graph: shared('models', 'resnet_8_quant_ax.pb'),
    data: shared('cifar10', 'test_first1000.bin'),
    batchSize: 1000,
    iterations: 1,
    multDirs: [shared('axmult')],
    mults: ['mul8u_1JFF', 'mul8u_L40'],
    tune: [true, false],
  })
  const local = path.join(dir, 'local.jsonl')
  const run = await axq('sweep', spec, '--out', local, '--json')
  t.equal(run.code, 0, run.stderr)
  const report = JSON.parse(run.stdout) as {grid: number; ran: number; skipped: number; results: ResultLine[]}
  t.same([report.grid, report.ran, report.skipped], [4, 4, 0])
  const lines = readLines(local)
  t.equal(lines.length, 4)
  t.same(lines.map((l) => [l.mult, l.tune]).sort(), [['mul8u_1JFF', false], ['mul8u_1JFF', true], ['mul8u_L40', false], ['mul8u_L40', true]])
  // tf-approximate (TensorFlow 1.14): first 1000 test images, exact multiplier, batch 1000 → 0.834
  for (const l of lines.filter((l) => l.mult === 'mul8u_1JFF')) t.equal(l.accuracy, 0.834, `exact multiplier, tune=${l.tune}`)
  for (const l of lines) {
    t.ok(/^[0-9a-f]{16}$/.test(l.id), 'a 16-digit id')
    t.equal(typeof l.relativePower, 'number')
    t.equal(l.axq, '0.1.0')
    t.ok(l.wallSeconds > 0)
    t.match(l.tables[l.mult], /^[0-9a-f]{64}$/, 'table checksum')
  }
  t.equal(lines.find((l) => l.mult === 'mul8u_L40')!.relativePower!.toFixed(3), '0.483', 'P(L40)/P(exact)')

  // Resuming: nothing to do; then after a kill (two lines and a half written) only the rest runs.
  const again = await axq('sweep', spec, '--out', local, '--summary')
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /mul8u_L40 +yes +0\.\d{3}/)
  t.match(again.stdout, /4 jobs: 0 run, 4 already in/)
  const text = fs.readFileSync(local, 'utf8').split('\n')
  const resumed = path.join(dir, 'resumed.jsonl')
  fs.writeFileSync(resumed, text.slice(0, 2).join('\n') + '\n' + text[2].slice(0, 50))
  const resume = await axq('sweep', spec, '--out', resumed)
  t.equal(resume.code, 0, resume.stderr)
  t.match(resume.stdout, /4 jobs: 2 run, 2 already in/)
  t.match(resume.stderr, /cut off a partial last line/)
  t.same(comparable(readLines(resumed)), comparable(lines), 'resumed = uninterrupted')

  // The Slurm array: 3 tasks, merged.
  const merged = path.join(dir, 'merged.jsonl')
  const emitted = await axq('sweep', spec, '--emit-slurm', '3', '--out', merged)
  t.equal(emitted.code, 0, emitted.stderr)
  const script = path.join(dir, 'sweep.sh')
  fs.writeFileSync(script, emitted.stdout)
  // A real single-node Slurm when the packages are installed (.ci/run installs them) and it starts.
  let cluster
  if (slurmAvailable()) {
    try {
      cluster = await startSlurm()
      t.teardown(cluster.stop)
    } catch (error) {
      t.comment(`no Slurm after all (${(error as Error).message}): running the tasks by hand`)
    }
  }
  if (cluster) {
    await runBatch(cluster, script, 600_000)
    t.pass('ran as an array job of a single-node Slurm')
  } else {
    // No Slurm here: run each array task's script as Slurm would, one after another.
    for (const task of ['1', '2', '3']) {
      const r = spawnSync('bash', [script], {env: {...process.env, SLURM_ARRAY_TASK_ID: task}, encoding: 'utf8'})
      t.equal(r.status, 0, `task ${task}: ${r.stderr}`)
    }
  }
  const shards = [1, 2, 3].map((i) => path.join(dir, `merged.shard-${i}-of-3.jsonl`))
  t.same(shards.map((f) => readLines(f).length), [2, 1, 1], 'round-robin shares')
  const merge = await axq('sweep', 'merge', ...shards, '--out', merged)
  t.equal(merge.code, 0, merge.stderr)
  t.match(merge.stdout, /4 of 4 jobs/)
  t.same(comparable(readLines(merged)), comparable(lines), 'merged shards = local run')

  const partial = await axq('sweep', 'merge', shards[0], shards[1], shards[1], '--out', path.join(dir, 'partial.jsonl'))
  t.equal(partial.code, 1)
  t.match(partial.stdout, /missing: grid positions 2 \(shard 3\)/)
  t.match(partial.stdout, /duplicate: job [0-9a-f]{16} \(mul8u_1JFF no-tune\)/)
  t.equal(axqLines(partial.stderr), 'axq: sweep merge: 1 of 4 jobs missing (' + path.join(dir, 'partial.jsonl') + ' written with the rest)')
})

t.test('axq sweep: bad input is one line and exit 1 or 2', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-sweep-bad-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const good = {graph: shared('models', 'resnet_8_quant_ax.pb'), data: shared('cifar10', 'test_first1000.bin'), multDirs: [shared('axmult')], mults: ['mul8u_L40']}
  const out = path.join(dir, 'r.jsonl')
  const cases: [string[], number, RegExp][] = []
  const malformed = path.join(dir, 'bad.yaml')
  fs.writeFileSync(malformed, 'graph: [unclosed\n')
  cases.push([[malformed], 1, /^axq: .*bad\.yaml \(line \d+\): not valid YAML or JSON/])
  cases.push([[writeSpec(dir, {...good, batchSize: -1})], 1, /^axq: .*sweep\.json: field 'batchSize' must be a positive integer/])
  const spec = writeSpec(fs.mkdtempSync(path.join(dir, 's')), good)
  cases.push([[spec, '--shard', '4/3'], 1, /^axq: --shard 4\/3: I must be from 1 to N/])
  cases.push([[spec, '--shard', 'x'], 1, /^axq: --shard 'x': expected I\/N/])
  cases.push([[spec, '--shard', '1/2', '--emit-slurm', '2'], 2, /^axq: .*--shard/])
  cases.push([[writeSpec(fs.mkdtempSync(path.join(dir, 's')), {...good, mults: ['mul8u_NOPE']})], 1, /^axq: .*sweep\.json: unknown multiplier 'mul8u_NOPE'/])
  cases.push([[writeSpec(fs.mkdtempSync(path.join(dir, 's')), {...good, graph: 'missing.pb'})], 1, /^axq: cannot read .*missing\.pb: no such file/])
  cases.push([[path.join(dir, 'none.yaml')], 1, /^axq: cannot read sweep spec .*none\.yaml: no such file/])
  for (const [args, code, message] of cases) {
    const r = await axq('sweep', ...args, '--out', out)
    t.equal(r.code, code, `${args.join(' ')}: exit ${code}`)
    const lines = axqLines(r.stderr).split('\n')
    t.equal(lines.length, 1, 'one line')
    t.match(lines[0], message)
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  }
  t.notOk(fs.existsSync(out), 'no results file from failed starts')
})
