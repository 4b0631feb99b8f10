// MinMax calibration against onnxruntime's: on the images examples/onnx/quantize.py calibrated with
// (the first 200 of cifar10/data_batch_5.bin), axq's ranges must equal, bit for bit and tensor
// for tensor, the ranges onnxruntime's calibrator wrote (examples/onnx/calibration/*.minmax.json).
import t from 'tap'
import path from 'node:path'

import {calibrate, tensorsToCalibrate} from '../../../../src/formats/onnx/quantize/calibrate.js'
import {readCalibrationCache} from '../../../../src/formats/onnx/quantize/calibrationCache.js'
import {readOnnxModel} from '../../../../src/formats/onnx/onnxModel.js'
import {fixturesDir, hasShared, repoRoot, shared} from '../../../helpers/paths.js'

const examples = path.join(repoRoot, 'examples', 'onnx')
const skip = hasShared ? false : 'needs ../shared'

for (const name of ['resnet20', 'mobilenetv2']) {
  t.test(`${name}: ranges equal onnxruntime's calibration cache`, {skip}, async (t) => {
    const want = readCalibrationCache(path.join(examples, 'calibration', `${name}.minmax.json`))
    const got = await calibrate({model: path.join(examples, `${name}.onnx`), data: shared('cifar10', 'data_batch_5.bin'), images: 200, batchSize: 50, threads: 2})
    t.equal(got.images, 200)
    t.same([...got.ranges.keys()].sort(), [...want.keys()].sort(), 'the same tensors')
    const differing = [...want].filter(([k, r]) => !Object.is(got.ranges.get(k)?.lowest, r.lowest) || !Object.is(got.ranges.get(k)?.highest, r.highest))
    t.same(differing.map(([k]) => k), [], 'every lowest and highest identical')
  })
}

t.test('the batch size does not change the ranges', {skip}, async (t) => {
  const request = {model: path.join(examples, 'mobilenetv2.onnx'), data: shared('cifar10', 'data_batch_5.bin'), images: 24, threads: 2}
  const a = await calibrate({...request, batchSize: 24})
  const b = await calibrate({...request, batchSize: 5, threads: 1})
  t.same([...b.ranges], [...a.ranges])
})

t.test('tensors to calibrate: quantizable nodes\' float inputs and outputs, Constant outputs, no initializers', async (t) => {
  const names = tensorsToCalibrate(readOnnxModel(path.join(examples, 'mobilenetv2.onnx')))
  t.ok(names.includes('input') && names.includes('logits'))
  t.ok(names.includes('/stem/stem.2/Constant_output_0'), "Clip's bound from a Constant node")
  t.notOk(names.some((n) => n.endsWith('.weight') || n.endsWith('.bias')), 'no initializer')
})

t.test('calibration data of the wrong shape: one error naming the file and the shape', async (t) => {
  const data = path.join(fixturesDir, 'onnx', 'tiny_cnn_data.npz')
  await t.rejects(calibrate({model: path.join(examples, 'resnet20.onnx'), data}), {message: /tiny_cnn_data\.npz: calibration images give the model input shape \[16,3,8,8\]; .*resnet20\.onnx input 'input' takes \[N,3,32,32\]/})
  await t.rejects(calibrate({model: path.join(examples, 'resnet20.onnx'), data, images: 17}), {message: /holds 16 images; --calibration-images asks for 17/})
})
