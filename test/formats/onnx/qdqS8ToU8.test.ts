/**
 * Why onnxruntime leaves some Convs and Adds of s8s8 QDQ models float, and axq does not (README,
 * "Bit-exact with onnxruntime"). The rule, from onnxruntime's optimiser on x86 at the default level:
 * 1. QDQS8ToU8Transformer turns a QuantizeLinear → DequantizeLinear pair from int8 into uint8 only
 *    when the Q's output has exactly one consumer, that DQ (qdq_s8_to_u8.cc: CheckOutputEdges(q, 1));
 *    a Q read by two DQs (a residual fan-out) stays int8.
 * 2. The QDQ selectors then fuse a Conv only when its input DQ and output Q have the same type and
 *    that type is uint8 (int8 activations are not allowed for QLinearConv on x86:
 *    ConvNodeGroupSelector, int8_allowed_), and an Add only when both input DQs and the output Q
 *    have the same type (BinaryNodeGroupSelector).
 * The test predicts the unfused nodes from the model's graph alone with this rule and checks that
 * they are exactly the Conv and Add nodes in the graph onnxruntime-node saves
 * (optimizedModelFilePath, default optimisation level).
 */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'
import {repoRoot} from '../../helpers/paths.js'

const {onnx} = onnxProto
type NodeProto = onnxProto.onnx.INodeProto
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-qdq-opt-'))
t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
const examples = path.join(repoRoot, 'examples', 'onnx')

/** The Conv and Add nodes the rule says onnxruntime leaves float, each with the reason. */
function predictUnfused(model: onnxProto.onnx.IModelProto): Map<string, string> {
  const nodes = model.graph!.node!
  const consumers = new Map<string, NodeProto[]>()
  const producer = new Map<string, NodeProto>()
  for (const n of nodes) {
    for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n])
    for (const o of n.output ?? []) producer.set(o, n)
  }
  const initializerType = new Map((model.graph!.initializer ?? []).map((i) => [i.name!, i.dataType]))
  // Steps 1 and 2: the type a Q's codes end up with — uint8 when one node reads them (through DQs).
  const qType = (q: NodeProto): 'uint8' | 'int8' => {
    if (initializerType.get(q.input![2]) === onnx.TensorProto.DataType.UINT8) return 'uint8'
    const readers = consumers.get(q.output![0]) ?? []
    const nodesReading = readers.reduce((sum, dq) => sum + (consumers.get(dq.output![0]) ?? []).length, 0)
    return readers.every((r) => r.opType === 'DequantizeLinear') && nodesReading === 1 ? 'uint8' : 'int8'
  }
  const inputType = (tensor: string): 'uint8' | 'int8' | undefined => {
    const dq = producer.get(tensor)
    const q = dq?.opType === 'DequantizeLinear' ? producer.get(dq.input![0]) : undefined
    return q?.opType === 'QuantizeLinear' ? qType(q) : undefined
  }
  const outputType = (n: NodeProto): 'uint8' | 'int8' | undefined => {
    const readers = consumers.get(n.output![0]) ?? []
    return readers.length === 1 && readers[0].opType === 'QuantizeLinear' ? qType(readers[0]) : undefined
  }
  const unfused = new Map<string, string>()
  for (const n of nodes) {
    if (n.opType === 'Conv') {
      const x = inputType(n.input![0])
      const y = outputType(n)
      if (x !== y || x !== 'uint8') unfused.set(n.name!, `input ${x}, output ${y}`)
    } else if (n.opType === 'Add') {
      const types = [inputType(n.input![0]), inputType(n.input![1]), outputType(n)]
      if (new Set(types).size !== 1) unfused.set(n.name!, `inputs ${types[0]}, ${types[1]}, output ${types[2]}`)
    }
  }
  return unfused
}

async function ortUnfused(file: string): Promise<string[]> {
  const saved = path.join(dir, `${path.basename(file)}.optimized.onnx`)
  await ort.InferenceSession.create(file, {optimizedModelFilePath: saved, intraOpNumThreads: 1, logSeverityLevel: 3})
  const optimized = onnx.ModelProto.decode(fs.readFileSync(saved))
  return optimized.graph!.node!.filter((n) => n.opType === 'Conv' || n.opType === 'Add').map((n) => n.name!).sort()
}

const cases: [string, number, number][] = [
  // model, Convs and Adds predicted float (u8u8: none, as every Q→DQ pair is uint8 already)
  ['resnet20.s8s8.qdq.onnx', 12, 9],
  ['resnet20.s8s8.qdq.pc.onnx', 12, 9],
  ['mobilenetv2.s8s8.qdq.onnx', 8, 4],
  ['mobilenetv2.s8s8.qdq.pc.onnx', 8, 4],
  ['resnet20.u8u8.qdq.onnx', 0, 0],
]
for (const [name, convs, adds] of cases) {
  t.test(`${name}: onnxruntime leaves exactly the Convs and Adds the S8→U8 rule predicts float`, async (t) => {
    const file = path.join(examples, name)
    const model = onnx.ModelProto.decode(fs.readFileSync(file))
    const predicted = predictUnfused(model)
    const byOp = (op: string) => model.graph!.node!.filter((n) => n.opType === op && predicted.has(n.name!)).length
    t.same([byOp('Conv'), byOp('Add')], [convs, adds], 'the counts the README gives')
    t.same(await ortUnfused(file), [...predicted.keys()].sort(), [...predicted].map(([n, why]) => `${n}: ${why}`).join('; ') || 'none')
  })
}
