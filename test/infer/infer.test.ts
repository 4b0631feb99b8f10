import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {cliPath, hasShared, shared} from '../helpers/paths.js'
import {argmaxRows, countCorrect, configureApproximateLayers, runInference} from '../../src/infer/inference.js'
import {requiredInputNodes, sinkNodes} from '../../src/graph/endpoints.js'
import {makeTensor} from '../../src/core/tensor.js'
import {readGraph, writeGraph} from '../../src/graph/graphIO.js'
import {readAttr} from '../../src/graph/attrs.js'

const needShared = hasShared ? false : 'needs ../shared'
const quantGraph = shared('models', 'resnet_8_quant_ax.pb')
const floatGraph = shared('models', 'resnet_8.pb')
const first1000 = shared('cifar10', 'test_first1000.bin')

function axq(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

t.test('argmax takes the first maximum, like tf.argmax', async (t) => {
  const logits = makeTensor('float32', [3, 3], Float32Array.from([1, 5, 5, -1, -2, -3, 0, 0, 7]))
  t.same([...argmaxRows(logits)], [1, 0, 2])
  t.equal(countCorrect(Int32Array.from([1, 0, 2]), Int32Array.from([1, 1, 2])), 2)
})

t.test('configureApproximateLayers sets AxMult/AxTune on AxConv2D nodes only', {skip: needShared}, async (t) => {
  const graph = readGraph(quantGraph)
  const layers = configureApproximateLayers(graph, 'mul8u_L40', true)
  t.equal(layers.length, 7)
  for (const node of graph.node.filter((n) => n.op === 'AxConv2D')) {
    t.equal(readAttr.string(node.attr.AxMult), 'mul8u_L40')
    t.equal(readAttr.bool(node.attr.AxTune), true)
  }
  t.same(requiredInputNodes(graph).map((n) => n.name), ['input'])
  t.same(sinkNodes(graph).map((n) => n.name), ['resnet/tower_0/fully_connected/dense/BiasAdd'])
})

t.test('ResNet-8, exact multiplier with tuning, first 1000 official test images', {skip: needShared}, async (t) => {
  const r = axq('infer', quantGraph, '--data', first1000, '--batch-size', '1000', '--iterations', '1', '--mult', 'mul8u_1JFF', '--tune')
  t.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  t.equal(lines.filter((l) => / = mul8u_1JFF \(tune = True\) \[built-in\]$/.test(l)).length, 7, 'one line per AxConv2D node')
  // TensorFlow 1.14 printed `Mean accuracy (run 0): 0.83400` for exactly this batch.
  t.match(lines.find((l) => l.startsWith('Mean accuracy (run 0)')), /^Mean accuracy \(run 0\): 0\.83400 in [\d.]+ sec$/)
  t.equal(lines[lines.length - 1], 'results;mult=mul8u_1JFF;tune=True;accuracy=0.834')
})

t.test('float ResNet-8 on the same 1000 images scores 0.835', {skip: needShared}, async (t) => {
  const r = axq('infer', floatGraph, '--data', first1000, '--iterations', '1', '--json')
  t.equal(r.code, 0, r.stderr)
  const result = JSON.parse(r.stdout)
  t.equal(result.accuracy, 0.835)
  t.same(result.layers, [])
  t.same(Object.keys(result).slice(0, 11), ['graph', 'data', 'mult', 'tune', 'batchSize', 'iterations', 'images', 'accuracy', 'seconds', 'runs', 'layers'])
})

t.test('batches wrap around at the end of the file and do not depend on the thread count', {skip: needShared}, async (t) => {
  const common = {graph: quantGraph, data: first1000, batchSize: 400, iterations: 3, mult: 'mul8u_L40', tune: true, multDirs: [shared('axmult')]}
  const one = await runInference({...common, threads: 1})
  const two = await runInference({...common, threads: 2})
  t.same(one.runs.map((r) => r.correct), two.runs.map((r) => r.correct))
  t.equal(one.images, 1200)
  // Run 2 covers records 800..999 then 0..199.
  const wrapped = await runInference({...common, batchSize: 200, iterations: 6, threads: 2})
  t.equal(wrapped.runs[5].correct, wrapped.runs[0].correct, 'the sixth batch of 200 is the first again')
})

t.test('per-layer multipliers, resolved multipliers and notices', {skip: needShared}, async (t) => {
  const notices: string[] = []
  const r = await runInference(
    {graph: quantGraph, data: first1000, batchSize: 600, iterations: 2, mult: 'mul8u_L40', tune: true, multDirs: [shared('axmult')],
      layerMults: ['0=mul8u_1JFF', 'resnet/tower_0/stage_2/residual_v1/conv2d_1/Conv2D/eightbit=mul8u_NGR']},
    {onNotice: (m) => notices.push(m)},
  )
  t.same(r.layers.map((l) => l.mult), ['mul8u_1JFF', 'mul8u_L40', 'mul8u_L40', 'mul8u_L40', 'mul8u_L40', 'mul8u_L40', 'mul8u_NGR'])
  t.same(r.multipliers.map((m) => m.name), ['mul8u_1JFF', 'mul8u_L40', 'mul8u_NGR'])
  t.equal(r.multipliers[0].source, shared('axmult', 'mul8u_1JFF.bin'))
  t.match(r.multipliers[0].sha256, /^[0-9a-f]{64}$/)
  t.match(notices.join('\n'), /holds 1000 records; 1200 requested/)
  // All layers exact except the last one: not the same as L40 everywhere.
  const uniform = await runInference({graph: quantGraph, data: first1000, batchSize: 600, iterations: 2, mult: 'mul8u_L40', tune: true, multDirs: [shared('axmult')]})
  t.not(r.runs[0].correct, uniform.runs[0].correct)
  const floatNotices: string[] = []
  await runInference({graph: floatGraph, data: first1000, batchSize: 10, iterations: 1, mult: 'mul8u_1JFF', tune: false}, {onNotice: (m) => floatNotices.push(m)})
  t.match(floatNotices.join('\n'), /has no AxConv2D node/)
})

t.test('every EvoApproxLib table from ../shared/axmult runs', {skip: needShared}, async (t) => {
  const names = fs.readdirSync(shared('axmult')).filter((f) => f.endsWith('.bin')).map((f) => f.slice(0, -4))
  t.equal(names.length, 36)
  for (const mult of names) {
    const r = await runInference({graph: quantGraph, data: first1000, batchSize: 50, iterations: 1, mult, tune: false, multDirs: [shared('axmult')]})
    t.ok(r.accuracy >= 0 && r.accuracy <= 1, `${mult}: accuracy ${r.accuracy}`)
  }
})

t.test('bad input ends with one line naming the file, node or flag, exit code 1', {skip: needShared}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-infer-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const check = (r: ReturnType<typeof axq>, pattern: RegExp, what: string, code = 1) => {
    t.equal(r.code, code, `${what}: exit code`)
    t.equal(r.stdout.trim(), '', `${what}: nothing on stdout`)
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`)
    t.match(r.stderr, pattern, what)
    t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`)
  }
  check(axq('infer', quantGraph, '--data', first1000, '--mult', 'mul8u_L4O', '--mult-dir', shared('axmult')), /unknown multiplier 'mul8u_L4O'.*mul8u_L40/, 'unknown multiplier')
  fs.writeFileSync(path.join(dir, 'short.bin'), Buffer.alloc(1000))
  check(axq('infer', quantGraph, '--data', first1000, '--mult', 'short', '--mult-dir', dir), /short\.bin.*131072 bytes/, 'table of the wrong size')
  check(axq('infer', quantGraph, '--data-dir', path.join(dir, 'nope')), /nope/, 'missing data folder')
  const random = path.join(dir, 'random.pb')
  fs.writeFileSync(random, Buffer.from(Array.from({length: 500}, (_, i) => (i * 7919 + 13) % 251)))
  check(axq('infer', random, '--data', first1000), /random\.pb/, 'random bytes as a graph')
  const truncated = path.join(dir, 'truncated.pb')
  fs.writeFileSync(truncated, fs.readFileSync(quantGraph).subarray(0, 5000))
  check(axq('infer', truncated, '--data', first1000), /truncated\.pb/, 'truncated graph')
  const graph = readGraph(quantGraph)
  const node = graph.node.find((n) => n.op === 'QuantizedRelu')!
  node.op = 'QuantizedFrobnicate'
  const unknownOp = path.join(dir, 'unknown-op.pb')
  writeGraph(unknownOp, graph)
  check(axq('infer', unknownOp, '--data', first1000, '--batch-size', '10', '--iterations', '1'), new RegExp(`${node.name.replace(/[/]/g, '.')}.*QuantizedFrobnicate`), 'unknown op')
  check(axq('infer', quantGraph, '--data', first1000, '--output', 'no/such/node'), /--output.*no\/such\/node/, 'unknown output node')
  const corrupt = path.join(dir, 'eval.tfrecords')
  fs.writeFileSync(corrupt, Buffer.alloc(64, 1))
  check(axq('infer', quantGraph, '--data', corrupt, '--batch-size', '10', '--iterations', '1'), /eval\.tfrecords/, 'corrupt TFRecord')
  check(axq('infer', quantGraph), /--data/, 'no data flag', 2)
  check(axq('infer', quantGraph, '--data', first1000, '--layer-mult', '9=mul8u_L40'), /--layer-mult '9=mul8u_L40'.*no AxConv2D layer/, 'layer index out of range')
})
