// The float ResNet-8 graph from ../shared runs end to end through the Session (a few images).
import t from 'tap'
import '../../src/runtime/ops/index.js'
import fs from 'node:fs'
import path from 'node:path'
import {fixturesDir, hasShared, shared} from '../helpers/paths.js'
import {readGraph} from '../../src/graph/graphIO.js'
import {openDataset} from '../../src/data/dataset.js'
import {Session} from '../../src/runtime/session.js'
import {placeholderNames, sinkNames} from '../../src/graph/endpoints.js'
import {firstBitDifference} from './tensors.js'

const LOGITS = 'resnet/tower_0/fully_connected/dense/BiasAdd'

t.test('float ResNet-8 gives [n, 11] logits, identical for any thread count', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const graph = readGraph(shared('models', 'resnet_8.pb'))
  t.same(placeholderNames(graph), ['input'])
  t.same(sinkNames(graph), [LOGITS])
  const data = openDataset(shared('cifar10', 'test_first1000.bin'))
  const {images, labels} = data.batch(0, 8)
  t.same(images.shape, [8, 32, 32, 3])
  const one = new Session(graph, {threads: 1})
  const [logits] = await one.run({input: images}, [LOGITS])
  t.same(logits.shape, [8, 11])
  t.equal(logits.dtype, 'float32')
  const data32 = logits.data as Float32Array
  t.ok(data32.every(Number.isFinite), 'finite logits')
  // TensorFlow 2.x's logits for the same batch (scripts/fixtures/resnet8_float_logits.py). Its
  // kernels sum in other orders, so compare with a tolerance, and the predicted classes exactly.
  const ref = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'runtime', 'resnet8_float_first8.json'), 'utf8')) as {labels: number[]; logits: number[][]}
  t.same(Array.from(labels), ref.labels)
  let worst = 0
  for (let i = 0; i < 8; i++) {
    const row = Array.from(data32.subarray(i * 11, i * 11 + 11))
    for (let j = 0; j < 11; j++) worst = Math.max(worst, Math.abs(row[j] - ref.logits[i][j]))
    t.equal(row.indexOf(Math.max(...row)), ref.logits[i].indexOf(Math.max(...ref.logits[i])), `image ${i}: same class as TensorFlow`)
  }
  t.ok(worst < 1e-4, `logits within 1e-4 of TensorFlow's (max difference ${worst})`)
  const [again] = await new Session(graph, {threads: 3}).run({input: images}, [LOGITS])
  t.equal(firstBitDifference(again.data as Float32Array, data32), -1, 'bit-identical with 3 threads')
  // A second run of the same session reuses cached Consts and gives the same result.
  const [third] = await one.run({input: images}, [LOGITS])
  t.same(Array.from(third.data as Float32Array), Array.from(data32))
  const ops = one.profile().map((p) => p.op)
  for (const op of ['Conv2D', 'FusedBatchNorm', 'Relu', 'Pad', 'AvgPool', 'Mean', 'MatMul', 'BiasAdd']) t.ok(ops.includes(op), `profile lists ${op}`)
  t.equal(one.profile().find((p) => p.op === 'Conv2D')?.calls, 14, '7 convolutions per run, 2 runs')
})
