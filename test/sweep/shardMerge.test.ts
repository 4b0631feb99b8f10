import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {mergeShards} from '../../src/sweep/merge.js'
import {readResults, ResultsWriter, type ResultLine} from '../../src/sweep/resultsFile.js'
import {inShard, parseShard} from '../../src/sweep/shard.js'
import {shardFile, slurmScript} from '../../src/sweep/slurmScript.js'

t.test('--shard I/N: parsed, and out-of-range or malformed values rejected by name', async (t) => {
  t.same(parseShard('2/3'), {index: 2, count: 3})
  t.same(parseShard(' 1 / 1 '), {index: 1, count: 1})
  for (const bad of ['4/3', '0/3', '1/0', '3', 'a/b', '1/2/3', '-1/3']) {
    t.throws(() => parseShard(bad), /^--shard .*(I must be from 1 to N|expected I\/N)/, bad)
  }
})

t.test('shards partition the grid, round-robin', async (t) => {
  const jobs = Array.from({length: 10}, (_, index) => ({index}))
  const shards = [1, 2, 3].map((index) => inShard(jobs, {index, count: 3}).map((j) => j.index))
  t.same(shards, [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]])
})

function line(index: number, accuracy: number, extra: Partial<ResultLine> = {}): ResultLine {
  return {
    id: `job${index}`, sweep: 'S', index, of: 5, graph: 'g', data: 'd', mult: `m${index}`, tune: false, layerMults: [],
    accuracy, tables: {}, wallSeconds: 1, axq: '0', worker: 'w', job: {}, result: {}, ...extra,
  }
}

function writeLines(file: string, lines: ResultLine[]): void {
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''))
}

t.test('merge: grid order, missing jobs with their shard, duplicates and conflicts', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-merge-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const a = path.join(dir, 'a.jsonl')
  const b = path.join(dir, 'b.jsonl')
  writeLines(a, [line(2, 0.5, {shard: '1/2'}), line(0, 0.25, {shard: '1/2'})])
  writeLines(b, [line(3, 0.75, {shard: '2/2'}), line(2, 0.5, {shard: '2/2'}), line(0, 0.3, {shard: '2/2'})])
  const report = mergeShards([a, b])
  t.same(report.lines.map((l) => l.index), [0, 2, 3])
  t.equal(report.lines[0].accuracy, 0.25, 'the first copy is kept')
  t.same(report.missing, [{index: 1, shard: 2}, {index: 4, shard: 1}])
  t.same(report.duplicates.map((d) => [d.id, d.conflict, d.files.length]), [['job2', false, 2], ['job0', true, 2]])
  writeLines(b, [line(1, 0.1, {sweep: 'OTHER'})])
  t.throws(() => mergeShards([a, b]), /b\.jsonl holds results of another sweep than .*a\.jsonl/)
  fs.writeFileSync(b, '{"id": 1}\n')
  t.throws(() => mergeShards([a, b]), /b\.jsonl:1: not an axq sweep result \(no sweep, index, of, mult, tune, accuracy\)/)
  t.throws(() => mergeShards([a, path.join(dir, 'none.jsonl')]), /cannot read results file .*none\.jsonl: no such file/)
})

t.test('results file: a partial last line (a killed writer) is ignored and cut before appending', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-results-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const file = path.join(dir, 'r.jsonl')
  fs.writeFileSync(file, JSON.stringify(line(0, 0.5)) + '\n' + JSON.stringify(line(1, 0.5)).slice(0, 40))
  const read = readResults(file)
  t.equal(read.lines.length, 1)
  t.ok(read.partial)
  const writer = new ResultsWriter(file, read.wholeBytes)
  writer.append(line(1, 0.75))
  writer.close()
  const again = readResults(file)
  t.same(again.lines.map((l) => [l.index, l.accuracy]), [[0, 0.5], [1, 0.75]])
  t.notOk(again.partial)
  t.same(readResults(path.join(dir, 'none.jsonl')).lines, [], 'no file yet: nothing done')
})

t.test('the Slurm script: an array of N tasks, task I running shard I/N into its own file', async (t) => {
  const script = slurmScript({spec: '/e/sweep.yaml', shards: 3, out: '/e/out/results.jsonl', axq: '/usr/bin/node /opt/axq/bin/run.js', sbatchOptions: ['--time=01:00:00']})
  t.match(script, /^#!\/bin\/bash\n/)
  t.match(script, /\n#SBATCH --array=1-3\n/)
  t.match(script, /\n#SBATCH --time=01:00:00\n/)
  t.match(script, /\n\/usr\/bin\/node \/opt\/axq\/bin\/run\.js sweep \/e\/sweep\.yaml --shard "\$\{SLURM_ARRAY_TASK_ID\}\/3" --out "\/e\/out\/results\.shard-\$\{SLURM_ARRAY_TASK_ID\}-of-3\.jsonl"\n/)
  t.match(script, /sweep merge \/e\/out\/results\.shard-\*-of-3\.jsonl --out \/e\/out\/results\.jsonl/)
  t.equal(shardFile('r.jsonl', 2, 3), 'r.shard-2-of-3.jsonl')
  t.equal(shardFile('results', 1, 2), 'results.shard-1-of-2.jsonl')
})
