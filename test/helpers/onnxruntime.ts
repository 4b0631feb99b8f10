/**
 * onnxruntime itself (onnxruntime-node, a dev dependency, default optimisation level, one thread)
 * as the reference in tests: logits of a model file or bytes, the example models' CIFAR-10 input,
 * and a bitwise comparison of float32 outputs.
 */
import fs from 'node:fs'
import ort from 'onnxruntime-node'
import {shared} from './paths.js'
import {readOnnxModel} from '../../src/formats/onnx/onnxModel.js'
import {makeTensor, type Tensor} from '../../src/core/tensor.js'
import {preprocessNchw, onnxPreprocessing} from '../../src/infer/inferModel.js'
import {parseCifarBin} from '../../src/data/cifar.js'

/** The first output of a model (file or encoded bytes) run by onnxruntime on x. */
export async function ortLogits(model: string | Uint8Array, x: Tensor): Promise<Float32Array> {
  const options = {intraOpNumThreads: 1}
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options)
  const out = await session.run({[session.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, x.shape)})
  return out[session.outputNames[0]].data as Float32Array
}

/** How many values differ bitwise (Infinity when the lengths differ). */
export function differing(a: Float32Array, b: Float32Array): number {
  let n = a.length === b.length ? 0 : Infinity
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++
  return n
}

/** The first `images` CIFAR-10 test images as the model in `file` expects them (NCHW, its metadata's preprocessing). */
export function cifarInput(file: string, images: number): Tensor {
  const records = parseCifarBin(fs.readFileSync(shared('cifar10', 'test_first1000.bin')), 'test_first1000.bin')
  const raw = new Float32Array(images * 3072)
  // CHW bytes → NHWC 0..255, as the data readers hand images to infer.
  for (let i = 0; i < images; i++) for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) raw[i * 3072 + p * 3 + c] = records.images[i * 3072 + c * 1024 + p]
  return preprocessNchw(makeTensor('float32', [images, 32, 32, 3], raw), onnxPreprocessing(readOnnxModel(file)))
}
