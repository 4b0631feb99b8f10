/**
 * axq against onnxruntime itself (onnxruntime-node, a dev dependency, default optimisation level):
 * bit-exact logits on the committed fixture models (QOperator and QDQ, u8u8 and s8s8) and on the
 * example ResNet-20 (examples/onnx, from h-models' PyTorch training) on real CIFAR-10 images.
 */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import ort from 'onnxruntime-node'
import {fixturesDir, repoRoot, hasShared, shared} from '../../helpers/paths.js'
import {readOnnxModel} from '../../../src/formats/onnx/onnxModel.js'
import {OnnxSession} from '../../../src/formats/onnx/onnxSession.js'
import {makeTensor, type Tensor} from '../../../src/core/tensor.js'
import {preprocessNchw, onnxPreprocessing} from '../../../src/infer/inferModel.js'
import {readNpz} from '../../../src/data/npz.js'
import {parseCifarBin} from '../../../src/data/cifar.js'

const fixture = (name: string) => path.join(fixturesDir, 'onnx', name)

async function ortLogits(file: string, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, {intraOpNumThreads: 1})
  const out = await session.run({[session.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, x.shape)})
  return out[session.outputNames[0]].data as Float32Array
}

async function axqLogits(file: string, x: Tensor, threads = 2): Promise<Float32Array> {
  const model = readOnnxModel(file)
  const [y] = await new OnnxSession(model, {threads}).run({[model.inputs[0].name]: x}, [model.outputs[0].name])
  return y.data as Float32Array
}

function differing(a: Float32Array, b: Float32Array): number {
  let n = a.length === b.length ? 0 : Infinity
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++
  return n
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

function cifarInput(file: string): Tensor {
  const records = parseCifarBin(fs.readFileSync(shared('cifar10', 'test_first1000.bin')), 'test_first1000.bin')
  const raw = new Float32Array(IMAGES * 3072)
  // CHW bytes → NHWC 0..255, as the data readers hand images to infer.
  for (let i = 0; i < IMAGES; i++) for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) raw[i * 3072 + p * 3 + c] = records.images[i * 3072 + c * 1024 + p]
  return preprocessNchw(makeTensor('float32', [IMAGES, 32, 32, 3], raw), onnxPreprocessing(readOnnxModel(file)))
}

const models = [
  ...['u8u8.qop', 'u8u8.qop.pc', 's8s8.qop', 's8s8.qop.pc', 'u8u8.qdq', 'u8u8.qdq.pc'].map((v) => `resnet20.${v}`),
  // Depthwise 3×3 layers (stride 1 and 2) on the native product-row kernel.
  ...['u8u8.qop', 's8s8.qop.pc'].map((v) => `mobilenetv2.${v}`),
]
for (const name of models) {
  t.test(`${name}: ${IMAGES} CIFAR-10 images identical to onnxruntime`, {skip}, async (t) => {
    const file = path.join(examples, `${name}.onnx`)
    const x = cifarInput(file)
    t.equal(differing(await axqLogits(file, x), await ortLogits(file, x)), 0)
  })
}
