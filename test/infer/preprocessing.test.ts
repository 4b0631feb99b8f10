/** Where preprocessing comes from: preset, flags, the ONNX model's metadata_props. */
import t from 'tap'
import {onnxPreprocessing} from '../../src/infer/inferModel.js'
import {preprocessingFromFlags} from '../../src/cli/dataFlags.js'
import {normalizeImages} from '../../src/data/imagePreprocessing.js'
import {makeTensor} from '../../src/core/tensor.js'
import type {OnnxModel} from '../../src/formats/onnx/onnxModel.js'

const modelWith = (metadata: Record<string, string>): OnnxModel => ({file: 'm.onnx', metadata}) as unknown as OnnxModel

t.test('metadata_props: scale (number or 1/N), mean, std, layout, resize, crop', async (t) => {
  const p = onnxPreprocessing(modelWith({
    'axq.preprocess.scale': '1/255', 'axq.preprocess.mean': '0.5', 'axq.preprocess.std': '0.25,0.5,1',
    'axq.input.layout': 'nhwc', 'axq.preprocess.resize': '256', 'axq.preprocess.crop': '224',
  }))
  t.same(p, {scale: 1 / 255, divisor: 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1], layout: 'NHWC', resize: 256, crop: [224, 224]})
  t.same(onnxPreprocessing(modelWith({})), {scale: 1, mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW'})
  // Flags win over metadata.
  const flagged = onnxPreprocessing(modelWith({'axq.preprocess.scale': '1/255', 'axq.preprocess.crop': '30,28'}), preprocessingFromFlags({scale: '0.5', crop: '20'}))
  t.same([flagged.scale, flagged.divisor, flagged.crop], [0.5, undefined, [20, 20]])
  t.throws(() => onnxPreprocessing(modelWith({'axq.input.layout': 'CHW'})), {message: "m.onnx metadata axq.input.layout: expected NCHW or NHWC, got 'CHW'"})
})

t.test('--preprocess imagenet, overridden flag by flag', async (t) => {
  t.same(preprocessingFromFlags({preprocess: 'imagenet'}), {resize: 256, crop: [224, 224], scale: 1 / 255, divisor: 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW'})
  const p = preprocessingFromFlags({preprocess: 'ImageNet', resize: 288, crop: '256', scale: '0.5', layout: 'NHWC'})
  t.same([p.resize, p.crop, p.scale, p.divisor, p.layout], [288, [256, 256], 0.5, undefined, 'NHWC'])
  t.throws(() => preprocessingFromFlags({mean: '1,,2'}), {message: "--mean: expected comma-separated numbers, got '1,,2'"})
  t.throws(() => preprocessingFromFlags({crop: '0'}), {message: /--crop: expected N or H,W/})
})

t.test('1/N divides (as torchvision\'s ToTensor), a number multiplies', async (t) => {
  const pixels = makeTensor('uint8', [1, 1, 256, 1], Uint8Array.from({length: 256}, (_, i) => i))
  const divided = normalizeImages(pixels, {scale: 1 / 255, divisor: 255, mean: [0], std: [1]}).data as Float32Array
  const multiplied = normalizeImages(pixels, {scale: 1 / 255, mean: [0], std: [1]}).data as Float32Array
  for (let v = 0; v < 256; v++) {
    t.equal(divided[v], Math.fround(v / 255))
    t.equal(multiplied[v], Math.fround(v * Math.fround(1 / 255)))
  }
  t.ok(divided.some((v, i) => v !== multiplied[i]), 'they differ in the last bit for some pixels')
})
