/**
 * axq against onnxruntime itself (onnxruntime-node, a dev dependency, default optimisation level):
 * bit-exact logits on the committed fixture models (QOperator and QDQ, u8u8 and s8s8) and on the
 * example ResNet-20 (examples/onnx, from h-models' PyTorch training) on real CIFAR-10 images.
 */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import {fixturesDir, repoRoot, hasShared} from '../../helpers/paths.js'
import {cifarInput, differing, ortLogits} from '../../helpers/onnxruntime.js'
import {readOnnxModel} from '../../../src/formats/onnx/onnxModel.js'
import {OnnxSession} from '../../../src/formats/onnx/onnxSession.js'
import type {Tensor} from '../../../src/core/tensor.js'
import {readNpz} from '../../../src/data/npz.js'

const fixture = (name: string) => path.join(fixturesDir, 'onnx', name)

async function axqLogits(file: string, x: Tensor, threads = 2): Promise<Float32Array> {
  const model = readOnnxModel(file)
  const [y] = await new OnnxSession(model, {threads}).run({[model.inputs[0].name]: x}, [model.outputs[0].name])
  return y.data as Float32Array
}

const tiny = readNpz(fixture('tiny_cnn_data.npz')).get('x') as Tensor

for (const name of ['qop.u8u8', 'qop.s8s8', 'qdq.u8u8', 'qdq.s8s8']) {
  t.test(`tiny_cnn.${name}: identical to onnxruntime`, async (t) => {
    const file = fixture(`tiny_cnn.${name}.onnx`)
    const want = await ortLogits(file, tiny)
    t.equal(differing(await axqLogits(file, tiny, 1), want), 0)
    t.equal(differing(await axqLogits(file, tiny, 3), want), 0, 'any thread count')
  })
}

t.test('tiny_cnn float: within float32 rounding of onnxruntime', async (t) => {
  const file = fixture('tiny_cnn.onnx')
  const want = await ortLogits(file, tiny)
  const got = await axqLogits(file, tiny)
  let max = 0
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i] - got[i]))
  t.ok(max < 1e-5, `max difference ${max}`)
})

// The example ResNet-20 on the first 200 CIFAR-10 test images.
const examples = path.join(repoRoot, 'examples', 'onnx')
const haveExamples = fs.existsSync(path.join(examples, 'resnet20.u8u8.qop.onnx'))
const skip = !hasShared ? 'needs ../shared' : !haveExamples ? 'needs examples/onnx (h-models)' : false
const IMAGES = 200

const models = [
  ...['u8u8.qop', 'u8u8.qop.pc', 's8s8.qop', 's8s8.qop.pc', 'u8u8.qdq', 'u8u8.qdq.pc'].map((v) => `resnet20.${v}`),
  // Depthwise 3×3 layers (stride 1 and 2) on the native product-row kernel.
  ...['u8u8.qop', 's8s8.qop.pc'].map((v) => `mobilenetv2.${v}`),
]
for (const name of models) {
  t.test(`${name}: ${IMAGES} CIFAR-10 images identical to onnxruntime`, {skip}, async (t) => {
    const file = path.join(examples, `${name}.onnx`)
    const x = cifarInput(file, IMAGES)
    t.equal(differing(await axqLogits(file, x), await ortLogits(file, x)), 0)
  })
}
