// axq's QOperator rewrite against onnxruntime's on the ops the example models do not use
// (test/fixtures/onnx/quantize, made by make_ops.py with onnxruntime 1.32's quantize_static):
// AveragePool, Sigmoid, LeakyRelu, Concat, MaxPool, MatMul (per tensor and per channel), Add and
// Mul with constants, Softmax; u8u8, s8s8 per channel, and uint8 activations with int8 weights per
// channel on the reduced range, and the QDQ format u8u8 and s8s8 per channel; same nodes in the same order, same initializers, and the same
// outputs in onnxruntime-node, bit for bit.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'

import {quantizeQOperator} from '../../../../src/formats/onnx/quantize/qoperator.js'
import {readCalibrationCache} from '../../../../src/formats/onnx/quantize/calibrationCache.js'
import {onnx, DataType} from '../../../../src/formats/onnx/quantize/tensorProto.js'
import {quantizeQdq} from '../../../../src/formats/onnx/quantize/qdq.js'
import {describeInitializer, describeNode} from '../../../helpers/onnxGraph.js'
import {readNpz} from '../../../../src/data/npz.js'
import type {Tensor} from '../../../../src/core/tensor.js'
import {differing, ortLogits} from '../../../helpers/onnxruntime.js'
import {fixturesDir} from '../../../helpers/paths.js'

const dir = path.join(fixturesDir, 'onnx', 'quantize')
const load = (file: string) => onnx.ModelProto.decode(fs.readFileSync(path.join(dir, file)))

const x = readNpz(path.join(dir, 'ops_data.npz')).get('x') as Tensor
const ranges = readCalibrationCache(path.join(dir, 'ops.minmax.json'))

const variants = [
  ['ops.u8u8.qop.onnx', {activationType: 'uint8', weightType: 'uint8', perChannel: false, reduceRange: false}],
  ['ops.s8s8.qop.pc.onnx', {activationType: 'int8', weightType: 'int8', perChannel: true, reduceRange: false}],
  ['ops.u8s8.qop.pc.rr.onnx', {activationType: 'uint8', weightType: 'int8', perChannel: true, reduceRange: true}],
  ['ops.u8u8.qdq.onnx', {activationType: 'uint8', weightType: 'uint8', perChannel: false, reduceRange: false}],
  ['ops.s8s8.qdq.pc.onnx', {activationType: 'int8', weightType: 'int8', perChannel: true, reduceRange: false}],
] as const

for (const [file, options] of variants) {
  t.test(`${file}: same graph and outputs as onnxruntime's`, async (t) => {
    const quantize = file.includes('.qdq') ? quantizeQdq : quantizeQOperator
    const ours = quantize(load('ops.onnx'), ranges, {...options, nodesToExclude: new Set()})
    const theirs = load(file)
    t.same(ours.graph!.node!.map(describeNode), theirs.graph!.node!.map(describeNode), 'nodes, in the same order')
    t.same(ours.graph!.initializer!.map(describeInitializer).sort(), theirs.graph!.initializer!.map(describeInitializer).sort(), 'initializers')
    const bytes = onnx.ModelProto.encode(ours).finish()
    const got = await ortLogits(bytes, x)
    t.equal(differing(got, await ortLogits(path.join(dir, file), x)), 0, 'onnxruntime: identical outputs')
  })
}

t.test('an op quantize_static quantizes but axq has no rule for: one error naming every such node', async (t) => {
  // MaxPool 'max' becomes a zero Pad (same output tensor, so the ranges still cover it).
  const model = load('ops.onnx')
  const max = model.graph!.node!.find((n) => n.name === 'max')!
  max.opType = 'Pad'
  max.attribute = []
  max.input!.push('zero_pads')
  model.graph!.initializer!.push(onnx.TensorProto.create({name: 'zero_pads', dims: [8], dataType: DataType.INT64, int64Data: new Array(8).fill(0)}))
  const options = {activationType: 'uint8', weightType: 'uint8', perChannel: false, reduceRange: false, nodesToExclude: new Set<string>()} as const
  t.throws(() => quantizeQOperator(model, ranges, options), {message: "axq quantize has no QOperator rule yet for max (Pad); leave them float with --nodes-to-exclude"})
  t.throws(() => quantizeQdq(model, ranges, options), {message: "axq quantize has no QDQ rule yet for max (Pad); leave them float with --nodes-to-exclude"})
  t.doesNotThrow(() => quantizeQdq(model, ranges, {...options, nodesToExclude: new Set(['max'])}), '--nodes-to-exclude leaves it float')
})
