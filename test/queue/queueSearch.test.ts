/** `axq search --queue`: the evaluations run on an `axq worker` through Redis, and the front is the local one. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {axq} from '../commands/cliRunner.js'
import {hasShared, shared} from '../helpers/paths.js'
import {redisAvailable, startRedis} from './redisServer.js'
import {startWorker, until} from './workerProcess.js'

const skip = !hasShared ? 'needs ../shared' : !redisAvailable() && !process.env.CI ? 'needs redis-server (apt-get install redis-server)' : false

t.test('search through the queue gives the same front as a local search with the same seed', {skip}, async (t) => {
  const redis = await startRedis()
  t.teardown(redis.stop)
  const worker = startWorker(redis.url, 'w1')
  t.teardown(() => {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL')
  })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-queue-search-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const args = [
    'search', shared('models', 'resnet_8_quant_ax.pb'), '--data', shared('cifar10', 'test_first1000.bin'), '--tiles', '2',
    '--mults', 'mul8u_L40,mul8u_NGR,mul8u_1JFF', '--mult-dir', shared('axmult'), '--population', '4', '--generations', '1',
    '--images', '50', '--early-images', '50', '--early-generations', '0', '--seed', '7', '--json',
  ]
  const local = await axq(...args)
  t.equal(local.code, 0, local.stderr)
  await until(() => worker.log.some((l) => l.includes('waiting for jobs')), 60_000, 'the worker')
  const queued = await axq(...args, '--queue', redis.url)
  t.equal(queued.code, 0, queued.stderr)
  const a = JSON.parse(local.stdout) as {front: unknown[]; evaluations: number}
  const b = JSON.parse(queued.stdout) as {front: unknown[]; evaluations: number}
  t.ok(a.front.length > 0)
  t.same(b.front, a.front, 'the same front')
  t.equal(b.evaluations, a.evaluations, 'the same evaluations')
  t.ok(worker.log.filter((l) => / accuracy /.test(l)).length >= a.evaluations, 'the worker ran them')
})
