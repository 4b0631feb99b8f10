/**
 * The Redis job queue against a real redis-server on 127.0.0.1 (a free port, started and stopped
 * here; .ci/run installs the program): two `axq worker` processes, one killed mid-job, and the
 * sweep still has every job once, identical to a local run; a worker that sees a different model
 * file refuses the job; a job over its time limit fails after its retries; an unreachable server
 * is one line.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {axq, axqLines} from '../commands/cliRunner.js'
import {hasShared, shared} from '../helpers/paths.js'
import {makeJob} from '../../src/evaluation/job.js'
import {QueueRunner} from '../../src/queue/queueRunner.js'
import {comparable, readLines, writeSpec} from '../sweep/sweepFiles.js'
import {freePort, redisAvailable, startRedis} from './redisServer.js'
import {startWorker, until} from './workerProcess.js'

// Without redis-server the queue tests skip, except in CI, where .ci/run installs it: there they fail.
const skip = !hasShared ? 'needs ../shared' : !redisAvailable() && !process.env.CI ? 'needs redis-server (apt-get install redis-server)' : false

t.test('a sweep through Redis with two workers, one killed mid-job: every job once, same results as locally', {skip}, async (t) => {
  const redis = await startRedis()
  t.teardown(redis.stop)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-queue-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const spec = writeSpec(dir, {
    graph: shared('models', 'resnet_8_quant_ax.pb'),
    data: shared('cifar10', 'test_first1000.bin'),
    batchSize: 500,
    multDirs: [shared('axmult')],
    mults: ['mul8u_1JFF', 'mul8u_L40', 'mul8u_NGR'],
    tune: [true, false],
  })
  const local = path.join(dir, 'local.jsonl')
  const localRun = await axq('sweep', spec, '--out', local)
  t.equal(localRun.code, 0, localRun.stderr)

  const w1 = startWorker(redis.url, 'w1')
  const w2 = startWorker(redis.url, 'w2')
  t.teardown(() => {
    for (const w of [w1, w2]) if (w.child.exitCode === null) w.child.kill('SIGKILL')
  })
  await until(() => [w1, w2].every((w) => w.log.some((l) => l.includes('waiting for jobs'))), 60_000, 'the workers')
  const queued = path.join(dir, 'queued.jsonl')
  const sweep = axq('sweep', spec, '--out', queued, '--queue', redis.url, '--json')
  await until(() => w1.log.some((l) => l.endsWith('started')), 120_000, 'w1 to start a job')
  const killedJob = /^job ([0-9a-f]{16}) /.exec(w1.log.find((l) => l.endsWith('started'))!)![1]
  w1.child.kill('SIGKILL')
  await w1.exited
  const run = await sweep
  t.equal(run.code, 0, run.stderr)
  const lines = readLines(queued)
  t.equal(lines.length, 6, 'six lines')
  t.equal(new Set(lines.map((l) => l.id)).size, 6, 'each job once')
  t.same(comparable(lines), comparable(readLines(local)), 'the same results as the local run')
  const finishedByW1 = w1.log.some((l) => l.startsWith(`job ${killedJob} (`) && l.includes('accuracy'))
  if (!finishedByW1) {
    t.equal(lines.find((l) => l.id === killedJob)!.worker, 'w2', 'the killed job was rerun by the other worker')
    t.match(run.stderr, new RegExp(`job ${killedJob} .* stalled`), 'the sweep says so')
  } else t.comment('w1 had finished its job before the kill landed')

  // A worker that sees a different model file (here: the job's checksum is not this file's) refuses.
  const job = makeJob({model: shared('models', 'resnet_8_quant_ax.pb'), data: shared('cifar10', 'test_first1000.bin'), batchSize: 1000, iterations: 1, mult: 'mul8u_L40', tune: false, multDirs: [shared('axmult')]})
  const foreign = {...job, model: {...job.model, sha256: 'f'.repeat(64)}}
  const runner = new QueueRunner({url: redis.url})
  t.teardown(() => runner.close())
  await t.rejects(runner.run([{id: 'foreign-model', label: 'mul8u_L40 no-tune', job: foreign}], () => {}), {
    message: new RegExp(`^job foreign-model \\(mul8u_L40 no-tune\\) failed: worker w2 refuses it: model .*resnet_8_quant_ax\\.pb has sha256 ${job.model.sha256}, the job expects f{64}$`),
  })
  // The worker's stderr may reach us after the failure reached the queue.
  const refusal = (l: string) => l.startsWith('axq: job foreign-model (mul8u_L40 no-tune) refused: model ')
  await until(() => w2.log.some(refusal), 10_000, 'the refusal in the worker log').catch(() => undefined)
  t.ok(w2.log.some(refusal), 'the worker logs the refusal')

  // A job over its time limit (1000 images in 50 ms) is retried, then fails.
  const timed = new QueueRunner({url: redis.url, timeoutSeconds: 0.05, attempts: 2})
  t.teardown(() => timed.close())
  await t.rejects(timed.run([{id: 'too-slow', label: 'mul8u_L40 no-tune', job}], () => {}), {message: /^job too-slow \(mul8u_L40 no-tune\) failed: worker w2: timed out after 0\.05 s$/})
  const attempts = () => w2.log.filter((l) => l.startsWith('job too-slow ') && l.endsWith('started')).length
  await until(() => attempts() >= 2, 10_000, 'two attempts in the worker log').catch(() => undefined)
  t.equal(attempts(), 2, 'two attempts')

  w2.child.kill('SIGTERM')
  t.equal(await w2.exited, 0, 'SIGTERM stops a worker cleanly')
})

t.test('unreachable Redis and bad queue URLs: one line, exit 1 or 2', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-queue-bad-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const spec = writeSpec(dir, {graph: shared('models', 'resnet_8_quant_ax.pb'), data: shared('cifar10', 'test_first1000.bin'), multDirs: [shared('axmult')], mults: 'mul8u_L40'})
  const url = `redis://127.0.0.1:${await freePort()}`
  const cases: [string[], number, RegExp][] = [
    [['sweep', spec, '--out', path.join(dir, 'r.jsonl'), '--queue', url], 1, /^axq: --queue redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis \(connection refused\); is redis-server running there\?$/],
    [['worker', '--queue', url], 1, /^axq: --queue redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis \(connection refused\)/],
    [['worker', '--queue', 'http://127.0.0.1:6379'], 2, /^axq: --queue 'http:\/\/127\.0\.0\.1:6379': expected a redis:\/\/ or rediss:\/\/ URL$/],
    [['worker', '--queue', 'redis://127.0.0.1:6379/x'], 2, /^axq: --queue .*: the path must be a database number/],
  ]
  for (const [args, code, message] of cases) {
    const r = await axq(...args)
    t.equal(r.code, code, args.join(' '))
    t.match(axqLines(r.stderr), message)
    t.equal(axqLines(r.stderr).split('\n').length, 1, 'one line')
  }
})
