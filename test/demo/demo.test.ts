// End to end: the demo pipeline on the shipped model and data set (small counts).
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {cliPath} from '../helpers/paths.js'
import {DEMO_MODEL, DEMO_MULTIPLIERS, runDemo, type DemoResult} from '../../src/demo/demoPipeline.js'
import {formatDemoTable} from '../../src/demo/demoTable.js'
import {accuracyFigure, pointLabels} from '../../src/demo/accuracyPlot.js'
import {readGraph} from '../../src/graph/graphIO.js'

function tmpDir(t: {teardown(fn: () => void): void}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-demo-test-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  return dir
}

const accuracies = (r: DemoResult) => r.rows.map((row) => ({mult: row.mult, tune: row.tune, correct: row.correct, images: row.images}))

t.test('the shipped model has the ResNet-8 op vocabulary and is small', async (t) => {
  t.ok(fs.statSync(DEMO_MODEL.file).size < 1024 * 1024, 'well under 1 MB')
  const graph = readGraph(DEMO_MODEL.file)
  const ops = new Set(graph.node.map((n) => n.op))
  for (const op of ['Placeholder', 'RealDiv', 'Sub', 'Conv2D', 'FusedBatchNorm', 'Relu', 'Add', 'Pad', 'AvgPool', 'Mean', 'MatMul', 'BiasAdd']) {
    t.ok(ops.has(op), op)
  }
  t.ok(graph.node.some((n) => n.name === DEMO_MODEL.output))
  for (const n of graph.node.filter((n) => n.op === 'FusedBatchNorm')) t.equal(n.attr.is_training?.b, true, `${n.name} in training mode`)
})

t.test('runDemo: table rows, determinism across threads, files only in the work dir', async (t) => {
  const work1 = path.join(tmpDir(t), 'w1')
  const work2 = path.join(tmpDir(t), 'w2')
  const mults = ['mul8u_1JFF', 'trunc8u_k8']
  const a = await runDemo({workDir: work1, count: 40, mults, threads: 1})
  const b = await runDemo({workDir: work2, count: 40, mults, threads: 2})
  t.same(a.rows.map((r) => [r.mult, r.tune]), [['float', null], ['mul8u_1JFF', false], ['trunc8u_k8', false], ['trunc8u_k8', true]])
  t.same(accuracies(a), accuracies(b), 'same accuracies for 1 and 2 threads')
  // TensorFlow 2.21 gets 36/40 for the float graph on these 40 images in one batch
  // (examples/check_shapes_resnet.py); the quantized counts pin axq's own results so far
  // (retraining the model or changing a kernel's arithmetic changes them deliberately).
  t.equal(a.rows[0].correct, 36, 'float: as TensorFlow')
  t.equal(a.rows[1].correct, 35, 'exact multiplier')
  t.ok(a.rows[2].correct < 20 && a.rows[3].correct < 20, 'trunc8u_k8 ruins it (MAE 0.68%)')
  t.equal(a.rows[1].maePct, 0)
  t.ok(Math.abs(a.rows[2].maePct! - 0.684) < 0.0005, 'trunc8u_k8 MAE% as list-mults reports it')
  for (const r of a.rows) {
    t.equal(r.images, 40)
    t.ok(Number.isInteger(r.correct) && r.correct >= 0 && r.correct <= 40)
    t.equal(r.accuracy, r.correct / 40)
    t.ok(r.imagesPerSecond > 0)
  }
  t.same(fs.readdirSync(work1).sort(), ['data', 'shapes_resnet_quant_ax.pb'])
  t.same(fs.readdirSync(path.join(work1, 'data')).sort(), ['batches.meta.txt', 'eval.tfrecords', 'synth-test.json', 'test_batch.bin'])
  const quantized = readGraph(a.quantizedModel)
  t.equal(quantized.node.filter((n) => n.op === 'AxConv2D').length, 7, 'every convolution became AxConv2D')

  // a second run reuses the data set already in the work dir, and gives the same numbers
  const before = fs.statSync(path.join(work1, 'data', 'eval.tfrecords')).mtimeMs
  const again = await runDemo({workDir: work1, count: 40, mults})
  t.equal(fs.statSync(path.join(work1, 'data', 'eval.tfrecords')).mtimeMs, before, 'data reused')
  t.same(accuracies(again), accuracies(a))

  const table = formatDemoTable(a).split('\n')
  t.match(table[0], /^multiplier\s+MAE%\s+tuned\s+accuracy\s+images\/s$/)
  t.match(table[2], /^float\s+-\s+-\s+\d\.\d{3}\s+\d+$/)
  t.match(table[5], /^trunc8u_k8\s+0\.6840\s+yes\s+\d\.\d{3}\s+\d+$/)
  const svg = await accuracyFigure(a).toSvg()
  t.match(svg, /^<svg /)
  t.match(svg, /trunc8u_k8/)
})

t.test('runDemo: clear errors before any work', async (t) => {
  const work = path.join(tmpDir(t), 'w')
  await t.rejects(runDemo({workDir: work, count: 40, mults: ['no_such_mult']}), {message: /unknown multiplier 'no_such_mult'/})
  await t.rejects(runDemo({workDir: work, count: 5}), {message: '--count must be an integer of at least 10, got 5'})
  await t.rejects(runDemo({workDir: work, count: 1500}), {message: '--count above 1000 must be a multiple of 1000 (batches of 1000), got 1500'})
  t.notOk(fs.existsSync(path.join(work, 'data')), 'nothing generated')
})

t.test('axq demo: JSON, plot, and errors', async (t) => {
  const dir = tmpDir(t)
  const work = path.join(dir, 'work')
  const plot = path.join(dir, 'accuracy.svg')
  const run = spawnSync(process.execPath, [cliPath, 'demo', '--work-dir', work, '--count', '20', '--mult', 'mul8u_1JFF', '--json', '--plot', plot], {encoding: 'utf8'})
  t.equal(run.status, 0, run.stderr)
  t.equal(run.stderr, '', '--json on a non-terminal: nothing on stderr')
  const result = JSON.parse(run.stdout)
  t.equal(result.workDir, work)
  t.same(result.rows.map((r: {mult: string}) => r.mult), ['float', 'mul8u_1JFF'])
  t.equal(result.count, 20)
  t.match(fs.readFileSync(plot, 'utf8'), /^<svg /)
  const bad = spawnSync(process.execPath, [cliPath, 'demo', '--work-dir', work, '--plot', path.join(dir, 'x.gif')], {encoding: 'utf8'})
  t.equal(bad.status, 1)
  t.match(bad.stderr, /x\.gif: a figure is written as \.png or \.svg/)
})

t.test('the default multipliers are all built in', async (t) => {
  t.ok(DEMO_MULTIPLIERS.length >= 5)
  t.equal(DEMO_MULTIPLIERS[0], 'mul8u_1JFF')
})

t.test('plot labels: close points share one label', async (t) => {
  const row = (mult: string, maePct: number, accuracy: number) => ({mult, maePct, tune: false, accuracy, correct: 0, images: 1, seconds: 1, imagesPerSecond: 1})
  const rows = [row('a', 0, 0.92), row('b', 0.02, 0.92), row('c', 0.2, 0.88), row('d', 0.9, 0.1)]
  t.same(pointLabels(rows, [0, 1], [0, 1]), ['a, b', '', 'c', 'd'])
  t.same(pointLabels(rows, [0, 0.1], [0, 1]), ['a', 'b', 'c', 'd'], 'far apart on a narrower axis')
})
