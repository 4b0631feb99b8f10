import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {cliPath, hasShared, shared} from '../helpers/paths.js'
import {LayerSearch, type SearchSettings} from '../../src/search/layerSearch.js'

const needShared = hasShared ? false : 'needs ../shared'
const graph = shared('models', 'resnet_8_quant_ax.pb')
const data = shared('cifar10', 'data_batch_5.bin')
const test = shared('cifar10', 'test_first1000.bin')
const multDir = shared('axmult')

function axq(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

// small enough for a test on a loaded machine: 4 genomes, 2 generations, 24-image evaluations
const small: SearchSettings = {
  graph, data, testData: test, tiles: 2, mults: ['mul8u_1JFF', 'mul8u_NGR', 'mul8u_L40', 'mul8u_DM1', 'mul8u_17KS'], multDirs: [multDir],
  tune: true, population: 4, generations: 2, images: 24, earlyImages: 12, earlyGenerations: 1, testImages: 24, seed: 5, workers: 1,
}

t.test('same seed, same front for 1 and 2 worker processes; kill + resume gives the same front', {skip: needShared}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-search-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const one = await new LayerSearch(small).run()
  const two = await new LayerSearch({...small, workers: 2}).run()
  t.ok(one.front.length > 0)
  t.same(two.front, one.front)
  t.equal(two.evaluations, one.evaluations)
  // no configuration is evaluated twice: at most population × (generations + 1) + the exact reference, per image count
  t.ok(one.evaluations <= 4 * 3 + 4 + 1, `${one.evaluations} evaluations`)

  // "killed" right after the checkpoint of generation 1 is written
  const checkpoint = path.join(dir, 'search.ckpt')
  const stop = new Error('killed')
  await t.rejects(
    new LayerSearch({...small, checkpoint}, {onGeneration: (g) => {
      if (g.generation === 1) throw stop
    }}).run(),
    stop,
  )
  t.equal(JSON.parse(fs.readFileSync(checkpoint, 'utf8')).generation, 2)
  const notes: string[] = []
  const resumed = await new LayerSearch({...small, checkpoint}, {onNotice: (m) => notes.push(m)}).run()
  t.match(notes[0], /resuming from .* at generation 2 of 2/)
  t.same(resumed.front, one.front)
  t.equal(resumed.evaluations, one.evaluations)

  // a different search refuses the checkpoint
  await t.rejects(new LayerSearch({...small, seed: 6, checkpoint}).run(), /belongs to a different search/)
})

t.test('axq search --json: every front point is reproduced by axq infer --layer-mult', {skip: needShared}, async (t) => {
  const r = axq('search', graph, '--data', data, '--test-data', test, '--tiles', '2', '--mults', 'mul8u_1JFF,mul8u_NGR,mul8u_L40,mul8u_17KS', '--mult-dir', multDir,
    '--population', '4', '--generations', '1', '--images', '20', '--early-images', '0', '--test-images', '20', '--seed', '3', '--threads', '2', '--json')
  t.equal(r.code, 0, r.stderr)
  const result = JSON.parse(r.stdout)
  t.ok(result.front.length > 0)
  t.type(result.evaluations, 'number')
  t.type(result.seconds, 'number')
  for (const p of result.front.slice(0, 2)) {
    t.equal(p.tiles.length, 2)
    t.equal(p.layerMults.length, 7)
    t.ok(p.ci95[0] <= p.accuracy && p.accuracy <= p.ci95[1])
    t.type(p.testAccuracy, 'number')
    const args = p.layerMults.flatMap((l: string) => ['--layer-mult', l])
    const inf = axq('infer', graph, '--data', data, '--batch-size', '20', '--iterations', '1', ...args, '--tune', '--mult-dir', multDir, '--json')
    t.equal(inf.code, 0, inf.stderr)
    const inferred = JSON.parse(inf.stdout)
    t.equal(inferred.accuracy, p.accuracy, p.layerMults.join(' '))
    t.equal(inferred.relativePower, p.relativePower)
  }
})

t.test('bad input: one line, exit 1 or 2', {skip: needShared}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-search-bad-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const garbage = path.join(dir, 'garbage.ckpt')
  fs.writeFileSync(garbage, '{not json')
  const base = ['--data', data, '--mult-dir', multDir, '--population', '2', '--generations', '0', '--images', '4']
  const cases: [string, string[], RegExp, number[]][] = [
    ['--tiles 0', ['search', graph, ...base, '--tiles', '0'], /--tiles must be between 1 and the number of approximate layers \(7\)/, [2]],
    ['--tiles 8', ['search', graph, ...base, '--tiles', '8'], /--tiles must be between 1 and .* got 8/, [2]],
    ['unknown multiplier', ['search', graph, ...base, '--tiles', '2', '--mults', 'mul8u_NGR,mul8u_XYZ'], /unknown multiplier 'mul8u_XYZ'/, [1]],
    ['no power known', ['search', graph, ...base, '--tiles', '2', '--mults', 'mul8u_NGR,trunc8u_k2'], /no power is known for multiplier 'trunc8u_k2'/, [1]],
    ['no approximate layer', ['search', shared('models', 'resnet_8.pb'), ...base, '--tiles', '1'], /has no approximate layer \(AxConv2D, /, [1]],
    ['unreadable checkpoint', ['search', graph, ...base, '--tiles', '2', '--mults', 'mul8u_NGR', '--checkpoint', garbage], /cannot read checkpoint .*garbage\.ckpt: not valid JSON/, [1]],
    ['sensitivity, unknown multiplier', ['sensitivity', graph, '--data', data, '--mult-dir', multDir, '--mults', 'mul8u_XYZ'], /unknown multiplier 'mul8u_XYZ'/, [1]],
  ]
  for (const [what, args, message, codes] of cases) {
    const r = axq(...args)
    t.ok(codes.includes(r.code!), `${what}: exit ${r.code}`)
    const lines = r.stderr.trim().split('\n')
    t.equal(lines.length, 1, `${what}: one line: ${r.stderr}`)
    t.match(lines[0], /^axq: /)
    t.match(lines[0], message, what)
    t.equal(r.stdout.trim(), '', `${what}: nothing on stdout`)
  }
})
