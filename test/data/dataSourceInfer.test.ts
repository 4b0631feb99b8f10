/**
 * End to end through `infer`: the same CIFAR-10 test images as a .bin batch, as a folder of PNGs
 * (one sub-folder per class, encoded here from the .bin's bytes by sharp: PNG is lossless, and the
 * expected values come from the .bin, not from a decode) and as a preprocessed .npy give the same
 * logits, image by image, and the same accuracy;
 * an .npy without labels gives predictions and no accuracy.
 */
import sharp from 'sharp'
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {runInference, type InferOptions} from '../../src/infer/inference.js'
import {preprocessNchw, onnxPreprocessing} from '../../src/infer/inferModel.js'
import {readOnnxModel} from '../../src/formats/onnx/onnxModel.js'
import {decodeNpyTensor, encodeNpyFloat32} from '../../src/data/npz.js'
import {makeTensor} from '../../src/core/tensor.js'
import {hasShared, repoRoot, shared} from '../helpers/paths.js'
import {axq} from '../commands/cliRunner.js'

// The first 30 records hold all ten classes (the folder's labels are indices among its sub-folders).
const N = 30
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
const model = path.join(repoRoot, 'examples', 'onnx', 'resnet20.onnx')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-datasource-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

/** An int32 .npy (labels). */
function npyInt32(values: Int32Array): Uint8Array {
  const out = encodeNpyFloat32([values.length], new Float32Array(values.buffer.slice(0)))
  const at = Buffer.from(out).indexOf("'<f4'")
  out[at + 2] = 'i'.charCodeAt(0)
  return out
}

t.test('resnet20.onnx: PNG image folder, .bin and .npy give the same logits', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const bin = shared('cifar10', 'test_first1000.bin')
  const raw = fs.readFileSync(bin)
  const labels = new Int32Array(N)
  const hwc = new Float32Array(N * 3072)
  const folder = path.join(tmp, 'cifar-png')
  for (let i = 0; i < N; i++) {
    const record = raw.subarray(i * 3073, (i + 1) * 3073)
    labels[i] = record[0]
    const rgba = new Uint8Array(32 * 32 * 4)
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) {
        rgba[p * 4 + c] = record[1 + c * 1024 + p]
        hwc[i * 3072 + p * 3 + c] = record[1 + c * 1024 + p]
      }
      rgba[p * 4 + 3] = 255
    }
    fs.mkdirSync(path.join(folder, CLASSES[labels[i]]), {recursive: true})
    await sharp(rgba, {raw: {width: 32, height: 32, channels: 4}}).png().toFile(path.join(folder, CLASSES[labels[i]], `${String(i).padStart(4, '0')}.png`))
  }
  // The folder's order: by class, then by file name (= record index).
  const order = Array.from({length: N}, (_, i) => i).sort((a, b) => labels[a] - labels[b] || a - b)

  const base: InferOptions = {graph: model, data: bin, batchSize: N, iterations: 1, mult: 'mul8u_1JFF', tune: false}
  const logitsOf = (file: string) => decodeNpyTensor(fs.readFileSync(file), file)
  const fromBin = await runInference({...base, saveLogits: path.join(tmp, 'bin.npy')})
  const fromFolder = await runInference({...base, data: folder, saveLogits: path.join(tmp, 'folder.npy')})
  t.equal(fromFolder.images, N)
  t.equal(fromFolder.runs[0].correct, fromBin.runs[0].correct, 'same number correct')
  t.equal(fromFolder.accuracy, fromBin.accuracy)
  const a = logitsOf(path.join(tmp, 'bin.npy'))
  const b = logitsOf(path.join(tmp, 'folder.npy'))
  t.same(b.shape, [N, 10])
  const rows = (tensor: typeof a, r: number) => Array.from((tensor.data as Float32Array).subarray(r * 10, r * 10 + 10))
  order.forEach((record, k) => t.same(rows(b, k), rows(a, record), `image ${record} (folder position ${k}): identical logits`))

  // The same images preprocessed into an .npy, labels in another .npy.
  const x = preprocessNchw(makeTensor('float32', [N, 32, 32, 3], hwc), onnxPreprocessing(readOnnxModel(model)))
  fs.writeFileSync(path.join(tmp, 'x.npy'), encodeNpyFloat32(x.shape, x.data as Float32Array))
  fs.writeFileSync(path.join(tmp, 'y.npy'), npyInt32(labels))
  const fromNpy = await runInference({...base, data: path.join(tmp, 'x.npy'), labels: path.join(tmp, 'y.npy'), saveLogits: path.join(tmp, 'npy.npy')})
  t.equal(fromNpy.runs[0].correct, fromBin.runs[0].correct)
  t.same(Array.from(logitsOf(path.join(tmp, 'npy.npy')).data as Float32Array), Array.from(a.data as Float32Array), '.npy: identical logits')

  // No labels: predictions, no accuracy, and the CLI says so.
  const r = await axq('infer', model, '--data', path.join(tmp, 'x.npy'), '--batch-size', String(N), '--iterations', '1', '--json')
  t.equal(r.code, 0, r.stderr)
  const json = JSON.parse(r.stdout) as {labelled: boolean; accuracy: number | null; predictions: number[]; ci95: unknown}
  t.equal(json.labelled, false)
  t.equal(json.accuracy, null)
  t.equal(json.ci95, null)
  const argmax = (r: number) => rows(a, r).indexOf(Math.max(...rows(a, r)))
  t.same(json.predictions, Array.from({length: N}, (_, i) => argmax(i)))
  t.match(r.stderr, /has no labels \(give --labels FILE\.npy\): predictions only, no accuracy/)
  const text = await axq('infer', model, '--data', path.join(tmp, 'x.npy'), '--batch-size', '5', '--iterations', '1')
  t.match(text.stdout, /5 images, no labels: accuracy not measured\. Predicted classes \(class: images\): /)
  const wrong = await axq('infer', model, '--data', folder, '--labels', path.join(tmp, 'y.npy'), '--iterations', '1')
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /axq: --labels is for an \.npy of inputs/)
})
