// axq's quantization arithmetic against onnxruntime's quantize_static: every weight, bias and
// activation scale/zero point of the example models (examples/onnx, quantized by onnxruntime in
// all eight type/format/per-channel combinations) is recomputed from the float model and the
// calibration ranges onnxruntime measured (examples/onnx/calibration) and must be equal.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'

import {activationParams, quantizeBias, quantizeValues, quantizeWeight, quantRange, scaleZeroPoint, type QuantType} from '../../../../src/formats/onnx/quantize/params.js'
import {formatCalibrationCache, parseCalibrationCache, readCalibrationCache} from '../../../../src/formats/onnx/quantize/calibrationCache.js'
import {adjustRanges} from '../../../../src/formats/onnx/quantize/ranges.js'
import {DataType, dimsOf, floatValues, intValues, onnx, type TensorProto} from '../../../../src/formats/onnx/quantize/tensorProto.js'
import {repoRoot} from '../../../helpers/paths.js'

const examples = path.join(repoRoot, 'examples', 'onnx')

interface Entry {
  file: string
  model: string
  format: string
  activation_type: string
  weight_type: string
  per_channel: boolean
}

function load(file: string) {
  return onnx.ModelProto.decode(fs.readFileSync(path.join(examples, file)))
}

/** Index of the first difference, -1 when equal (tap's deep compare is slow on 36,000 values). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

function typeOf(t: TensorProto): QuantType {
  return t.dataType === DataType.INT8 ? 'int8' : 'uint8'
}

t.test('hand-computed cases', async (t) => {
  t.same(quantRange('uint8'), [0, 255])
  t.same(quantRange('int8', {symmetric: true}), [-127, 127])
  t.same(quantRange('int8', {reduceRange: true}), [-64, 64])
  t.same(quantRange('uint8', {reduceRange: true}), [0, 127])
  // range [-1, 3] on uint8: scale 4/255, zero point round(0 + 1 / (4/255)) = round(63.75) = 64
  t.same(scaleZeroPoint(-1, 3, 0, 255), {scale: Math.fround(4 / 255), zeroPoint: 64})
  // 0 is always in the range: [2, 5] becomes [0, 5]
  t.same(scaleZeroPoint(2, 5, 0, 255), {scale: Math.fround(5 / 255), zeroPoint: 0})
  // int8 asymmetric [-1, 1]: scale 2/255, zero point round(-128 + 127.5) = round(-0.5) = -0 (half to even)
  t.equal(scaleZeroPoint(-1, 1, -128, 127).zeroPoint, 0)
  // symmetric uint8: zero point round(127.5) = 128 (half to even)
  t.equal(scaleZeroPoint(-1, 2, 0, 255, true).zeroPoint, 128)
  // an all-zero range: scale 1, zero point 0
  t.same(scaleZeroPoint(0, 0, 0, 255), {scale: 1, zeroPoint: 0})
  // values: round half to even after a float32 division, clipped
  t.same([...quantizeValues([0.5, 1.5, 2.5, -0.5, 1000, -1000], {scale: 1, zeroPoint: 0}, 'int8')], [0, 2, 2, -0, 127, -128])
  t.same([...quantizeValues([0.25, 0.75], {scale: 0.5, zeroPoint: 10}, 'uint8')], [10, 12])
  // per channel along axis 1 of a [2, 2] weight: channel 0 = [1, -2], channel 1 = [4, 0.5]
  const w = quantizeWeight(Float32Array.of(1, 4, -2, 0.5), [2, 2], 'int8', {symmetric: true, axis: 1})
  t.same([...w.scales], [Math.fround(4 / 254), Math.fround(8 / 254)])
  t.same([...w.data], [64, 127, -127, 16])
  // bias: scale = input scale × weight scale in float32, round(bias / scale) in float64
  const b = quantizeBias(Float32Array.of(0.3, -0.3), 0.1, Float32Array.of(0.01))
  t.same([...b.scales], [Math.fround(Math.fround(0.1) * Math.fround(0.01))])
  t.same([...b.data], [Math.round(0.3 / b.scales[0]), -Math.round(0.3 / b.scales[0])])
})

t.test('calibration cache: parse, errors, round trip', async (t) => {
  const file = path.join(examples, 'calibration', 'resnet20.minmax.json')
  const ranges = readCalibrationCache(file)
  t.ok(ranges.size > 20)
  t.same(parseCalibrationCache(JSON.parse(formatCalibrationCache(ranges)), 'x'), ranges)
  t.throws(() => parseCalibrationCache({}, 'c.json'), /c\.json: not an onnxruntime calibration cache/)
  t.throws(() => parseCalibrationCache({data: {a: {lowest: {data: ['x']}, highest: {data: [1]}}}}, 'c.json'), /tensor 'a': 'lowest' is not one finite number/)
  t.throws(() => parseCalibrationCache({data: {}, calibration_method: {value: 'CalibrationMethod.Entropy'}}, 'c.json'), /MinMax ranges only/)
  t.throws(() => readCalibrationCache(path.join(examples, 'nope.json')), /cannot read calibration cache .*nope\.json: no such file/)
})

const manifest = JSON.parse(fs.readFileSync(path.join(examples, 'models.json'), 'utf8')) as {models: Entry[]}

for (const entry of manifest.models.filter((e) => e.format !== 'float')) {
  t.test(`${entry.file}: scales, zero points, integer weights and biases equal onnxruntime's`, async (t) => {
    const float = load(`${entry.model}.onnx`)
    const quant = load(entry.file)
    const fInit = new Map(float.graph!.initializer!.map((i) => [i.name!, i]))
    const qInit = new Map(quant.graph!.initializer!.map((i) => [i.name!, i]))
    const scalar = (name: string) => floatValues(qInit.get(name)!)
    const activation = entry.activation_type as QuantType

    // activations: every tensor with a range and a scale in onnxruntime's model
    const ranges = adjustRanges(float.graph!.node!, readCalibrationCache(path.join(examples, 'calibration', `${entry.model}.minmax.json`)))
    let activations = 0
    for (const [tensor, range] of ranges) {
      const s = qInit.get(`${tensor}_scale`)
      if (s === undefined || fInit.has(tensor)) continue
      const ours = activationParams(range, activation)
      t.equal(ours.scale, floatValues(s)[0], `${tensor} scale`)
      t.equal(ours.zeroPoint, intValues(qInit.get(`${tensor}_zero_point`)!)[0], `${tensor} zero point`)
      activations++
    }
    t.ok(activations >= 20, `${activations} activations compared`)

    // weights: float initializer W -> W_quantized, W_scale, W_zero_point
    let weights = 0
    for (const node of float.graph!.node!) {
      if (node.opType !== 'Conv' && node.opType !== 'Gemm') continue
      const name = node.input![1]
      const qw = qInit.get(`${name}_quantized`)!
      const type = typeOf(qw)
      // onnxruntime: QOperator per-channel convolutions always take int8 weights; QDQ per-channel
      // weights are always symmetric (uint8: zero point 128)
      const expected: QuantType = entry.format === 'QOperator' && entry.per_channel && node.opType === 'Conv' ? 'int8' : (entry.weight_type as QuantType)
      t.equal(type, expected, `${name} type`)
      const w = quantizeWeight(floatValues(fInit.get(name)!), dimsOf(fInit.get(name)!), type, {symmetric: type === 'int8' || (entry.per_channel && entry.format === 'QDQ'), axis: entry.per_channel ? 0 : undefined})
      t.same([...w.scales], [...scalar(`${name}_scale`)], `${name} scales`)
      t.same(w.zeroPoints, [...intValues(qInit.get(`${name}_zero_point`)!)], `${name} zero points`)
      t.equal(firstDifference(w.data, intValues(qw)), -1, `${name} values`)
      weights++

      // bias: int32 with scale input scale × weight scale
      const bias = node.input![2]
      if (bias === undefined) continue
      const qb = intValues(qInit.get(`${bias}_quantized`)!)
      // QOperator: the input scale as onnxruntime's QLinearConv/QGemm reads it; QDQ: ours, from the range
      const inputScale = entry.format === 'QOperator'
        ? scalar(quant.graph!.node!.find((n) => n.input!.includes(`${bias}_quantized`))!.input![1])[0]
        : activationScaleOf(node.input![0])
      const b = quantizeBias(floatValues(fInit.get(bias)!), inputScale, w.scales)
      t.equal(firstDifference(b.data, qb), -1, `${bias} values`)
      if (entry.format === 'QDQ') t.same([...b.scales], [...scalar(`${bias}_quantized_scale`)], `${bias} scales`)
    }
    t.ok(weights >= 2, `${weights} weights compared`)

    // the scale of the activation a QDQ Conv/Gemm reads (the range of the tensor, or of the tensor it
    // shares parameters with through Flatten)
    function activationScaleOf(tensor: string): number {
      const producer = float.graph!.node!.find((n) => n.output!.includes(tensor))
      const source = producer?.opType === 'Flatten' ? producer.input![0] : tensor
      return activationParams(ranges.get(source)!, activation).scale
    }
  })
}
