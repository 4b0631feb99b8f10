/**
 * Float ONNX models against onnxruntime itself (onnxruntime-node, optimisation 'disabled', as
 * onnxruntime's calibrator runs them): every intermediate tensor of the example ResNet-20 and
 * MobileNetV2 must be bit for bit onnxruntime's, on real CIFAR-10 images in a batch (where
 * onnxruntime's summation order does not depend on its thread count).
 */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'
import {repoRoot, hasShared, shared} from '../../helpers/paths.js'
import {readOnnxModel} from '../../../src/formats/onnx/onnxModel.js'
import {OnnxSession} from '../../../src/formats/onnx/onnxSession.js'
import {makeTensor, type Tensor} from '../../../src/core/tensor.js'
import {preprocessNchw, onnxPreprocessing} from '../../../src/infer/inferModel.js'
import {parseCifarBin} from '../../../src/data/cifar.js'

const {onnx} = onnxProto
const examples = path.join(repoRoot, 'examples', 'onnx')
const skip = hasShared ? false : 'needs ../shared'

/** The model with every float node output added to the graph outputs. */
function exposeAll(file: string): {bytes: Uint8Array; names: string[]} {
  const m = onnx.ModelProto.decode(fs.readFileSync(file))
  const graph = m.graph as onnxProto.onnx.GraphProto
  const have = new Set(graph.output.map((o) => o.name))
  const names: string[] = []
  for (const node of graph.node) {
    if (node.opType === 'Constant') continue
    for (const out of node.output ?? []) {
      if (!out || have.has(out)) continue
      graph.output.push(onnx.ValueInfoProto.create({name: out, type: {tensorType: {elemType: onnx.TensorProto.DataType.FLOAT}}}))
      names.push(out)
    }
  }
  names.push(...graph.output.filter((o) => have.has(o.name ?? '')).map((o) => o.name ?? ''))
  return {bytes: onnx.ModelProto.encode(m).finish(), names}
}

export function cifarImages(file: string, first: number, count: number): Tensor {
  const records = parseCifarBin(fs.readFileSync(shared('cifar10', 'test_first1000.bin')), 'test_first1000.bin')
  const raw = new Float32Array(count * 3072)
  for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) raw[i * 3072 + p * 3 + c] = records.images[(first + i) * 3072 + c * 1024 + p]
  return preprocessNchw(makeTensor('float32', [count, 32, 32, 3], raw), onnxPreprocessing(readOnnxModel(file)))
}

function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b])
  const i = new Int32Array(f.buffer)
  const key = (v: number) => (v < 0 ? -(v & 0x7fffffff) : v)
  return Math.abs(key(i[0]) - key(i[1]))
}

for (const name of ['resnet20', 'mobilenetv2']) {
  t.test(`${name}.onnx: every tensor identical to onnxruntime (optimisation disabled)`, {skip}, async (t) => {
    const file = path.join(examples, `${name}.onnx`)
    const {bytes, names} = exposeAll(file)
    const x = cifarImages(file, 0, 8)
    const session = await ort.InferenceSession.create(bytes, {graphOptimizationLevel: 'disabled', intraOpNumThreads: 2})
    const want = await session.run({[session.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, x.shape)})
    const model = readOnnxModel(file)
    const got = await new OnnxSession(model, {threads: 2}).run({[model.inputs[0].name]: x}, names)
    const opOf = new Map(model.nodes.flatMap((n) => n.outputs.map((o) => [o, n.op] as const)))
    for (let k = 0; k < names.length; k++) {
      const w = want[names[k]].data as Float32Array
      const g = got[k].data as Float32Array
      let bad = 0
      let worst = 0
      for (let i = 0; i < w.length; i++) {
        if (!Object.is(w[i], g[i]) && !(w[i] === 0 && g[i] === 0)) {
          bad++
          worst = Math.max(worst, ulps(w[i], g[i]))
        }
      }
      t.equal(bad, 0, `${names[k]} (${opOf.get(names[k])}): ${bad} of ${w.length} values differ, up to ${worst} ulps`)
    }
  })
}
