/**
 * QLinearSigmoid, QLinearLeakyRelu and QLinearSoftmax (com.microsoft) against onnxruntime itself:
 * the ops fixtures quantize_static wrote (QOperator u8u8, s8s8 per channel, u8s8 reduce-range),
 * every code of these nodes and the final output; then single-op models built here with all 256
 * input codes, extreme scales and zero points, uint8 and int8, and Softmax over each axis with the
 * opset 12 (flattened) and opset 13 (one axis) semantics; every code must be onnxruntime's.
 */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import ort from 'onnxruntime-node'
import {onnx, DataType} from '../../../src/formats/onnx/quantize/tensorProto.js'
import {decodeOnnxModel} from '../../../src/formats/onnx/onnxModel.js'
import {OnnxSession} from '../../../src/formats/onnx/onnxSession.js'
import {makeTensor, type Tensor} from '../../../src/core/tensor.js'
import {readNpz} from '../../../src/data/npz.js'
import {differing} from '../../helpers/onnxruntime.js'
import {fixturesDir} from '../../helpers/paths.js'

const dir = path.join(fixturesDir, 'onnx', 'quantize')
const ACTIVATIONS = new Set(['QLinearSigmoid', 'QLinearLeakyRelu', 'QLinearSoftmax'])

type Codes = Uint8Array | Int8Array

/** Runs model bytes in onnxruntime and in axq, returning both sides' named outputs. */
async function runBoth(bytes: Uint8Array, feeds: Record<string, Tensor>, outputs: string[]): Promise<{ours: Tensor[]; theirs: ort.Tensor[]}> {
  const session = await ort.InferenceSession.create(bytes, {intraOpNumThreads: 1})
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data as Float32Array, v.shape)]))
  const want = await session.run(ortFeeds, outputs)
  const ours = await new OnnxSession(decodeOnnxModel(bytes, 'test.onnx'), {threads: 2}).run(feeds, outputs)
  return {ours, theirs: outputs.map((o) => want[o])}
}

for (const file of ['ops.u8u8.qop.onnx', 'ops.s8s8.qop.pc.onnx', 'ops.u8s8.qop.pc.rr.onnx']) {
  t.test(`${file}: the QLinear activations and the output equal onnxruntime's`, async (t) => {
    const model = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, file)))
    const graph = model.graph!
    const codeType = file.startsWith('ops.s8') ? DataType.INT8 : DataType.UINT8
    const nodes = graph.node!.filter((n) => ACTIVATIONS.has(n.opType!))
    t.same(nodes.map((n) => n.opType).sort(), ['QLinearLeakyRelu', 'QLinearSigmoid', 'QLinearSoftmax'], 'the fixture has the three ops')
    // Their outputs become graph outputs too, so both sides hand them over.
    for (const n of nodes) graph.output!.push(onnx.ValueInfoProto.create({name: n.output![0], type: {tensorType: {elemType: codeType}}}))
    const bytes = onnx.ModelProto.encode(model).finish()
    const x = readNpz(path.join(dir, 'ops_data.npz')).get('x') as Tensor
    const names = graph.output!.map((o) => o.name!)
    const {ours, theirs} = await runBoth(bytes, {x}, names)
    for (const [i, name] of names.entries()) {
      t.same(ours[i].shape, [...theirs[i].dims], `${name} shape`)
      if (i === 0) t.equal(differing(ours[i].data as Float32Array, theirs[i].data as Float32Array), 0, `${name}: identical float32 output`)
      else t.same([...(ours[i].data as Codes)], [...(theirs[i].data as Codes)], `${name} codes`)
    }
  })
}
