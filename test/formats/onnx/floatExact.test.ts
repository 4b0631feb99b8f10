/**
 * Float ONNX models against onnxruntime itself (onnxruntime-node, optimisation 'disabled', as
 * onnxruntime's calibrator runs them): every intermediate tensor of the example ResNet-20 and
 * MobileNetV2 must be bit for bit onnxruntime's, on real CIFAR-10 images in a batch (where
 * onnxruntime's summation order does not depend on its thread count).
 */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
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

/** Values that differ (±0 count as equal) and the largest difference in ulps, as a message. */
function differing(label: string, want: Float32Array, got: Float32Array): [number, string] {
  let bad = 0
  let worst = 0
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(want[i], got[i]) && !(want[i] === 0 && got[i] === 0)) {
      bad++
      worst = Math.max(worst, ulps(want[i], got[i]))
    }
  }
  return [bad, `${label}: ${bad} of ${want.length} values differ, up to ${worst} ulps`]
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
      const [bad, message] = differing(`${names[k]} (${opOf.get(names[k])})`, want[names[k]].data as Float32Array, got[k].data as Float32Array)
      t.equal(bad, 0, message)
    }
  })
}

// Single-node models with random data, shaped to reach every branch of onnxruntime's summation
// plan (cpp/onnx_float_plan.h): K blocks of 128 and more, one SGEMM over the plane (1×1 kernels,
// more filters than positions), the M = 1 kernel (depthwise), 1×1 planes (the transposed M = 1
// kernel with 4/2/1-row reductions), groups, strides, dilations, asymmetric pads; Gemm/MatMul
// with K beyond one packed block of 256, transB, bias broadcast and beta.
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32 - 0.5
  }
}

function floatInit(name: string, dims: number[], data: Float32Array): onnxProto.onnx.ITensorProto {
  return {name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(0))}
}

function singleNodeModel(node: onnxProto.onnx.INodeProto, input: {name: string; dims: number[]}, inits: onnxProto.onnx.ITensorProto[]): Uint8Array {
  const vi = (name: string, dims?: number[]) => ({name, type: {tensorType: {elemType: onnx.TensorProto.DataType.FLOAT, shape: dims ? {dim: dims.map((d) => ({dimValue: d}))} : undefined}}})
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{domain: '', version: 17}],
    graph: {name: 'g', node: [node], input: [vi(input.name, input.dims)], output: [vi('y')], initializer: inits},
  }).finish()
}

/** How many of axq's values differ from onnxruntime's, as a message. */
async function compare(label: string, bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<[number, string]> {
  const file = path.join(tmp, `${label.replace(/\W+/g, '_')}.onnx`)
  fs.writeFileSync(file, bytes)
  const session = await ort.InferenceSession.create(bytes, {graphOptimizationLevel: 'disabled', intraOpNumThreads: 2})
  const want = (await session.run({x: new ort.Tensor('float32', x, dims)})).y.data as Float32Array
  const model = readOnnxModel(file)
  const [got] = await new OnnxSession(model, {threads: 3}).run({x: makeTensor('float32', dims, x)}, ['y'])
  return differing(label, want, got.data as Float32Array)
}

const tmp = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'axq-float-exact-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

interface ConvCase {N: number; C: number; H: number; M: number; group: number; k: number; stride: number; dilation: number; pads: number[]; bias: boolean}
const convCases: ConvCase[] = [
  {N: 2, C: 40, H: 9, M: 24, group: 1, k: 3, stride: 1, dilation: 1, pads: [1, 1, 1, 1], bias: true}, // K 360 > plane 81
  {N: 2, C: 20, H: 20, M: 8, group: 1, k: 3, stride: 1, dilation: 1, pads: [1, 1, 1, 1], bias: true}, // K 180 < plane 400
  {N: 3, C: 200, H: 6, M: 16, group: 1, k: 1, stride: 1, dilation: 1, pads: [0, 0, 0, 0], bias: true}, // 1×1, K 200
  {N: 2, C: 24, H: 4, M: 40, group: 1, k: 3, stride: 1, dilation: 1, pads: [1, 1, 1, 1], bias: false}, // filters > plane
  {N: 2, C: 12, H: 11, M: 12, group: 12, k: 3, stride: 2, dilation: 1, pads: [1, 1, 1, 1], bias: true}, // depthwise, M = 1 kernel
  {N: 2, C: 8, H: 12, M: 16, group: 8, k: 5, stride: 1, dilation: 2, pads: [2, 1, 3, 0], bias: true}, // depthwise ×2, K 25
  {N: 2, C: 16, H: 10, M: 12, group: 4, k: 3, stride: 2, dilation: 1, pads: [0, 1, 1, 0], bias: true}, // grouped
  {N: 2, C: 300, H: 1, M: 7, group: 1, k: 1, stride: 1, dilation: 1, pads: [0, 0, 0, 0], bias: true}, // 1×1 plane: 4+2+1 rows
  {N: 2, C: 64, H: 3, M: 6, group: 1, k: 3, stride: 1, dilation: 1, pads: [0, 0, 0, 0], bias: true}, // 1×1 plane from 3×3, K 576
  {N: 1, C: 48, H: 16, M: 32, group: 1, k: 3, stride: 1, dilation: 1, pads: [1, 1, 1, 1], bias: true}, // one image
]

t.test('random convolutions: identical to onnxruntime', async (t) => {
  for (const [i, c] of convCases.entries()) {
    const r = rng(100 + i)
    const cg = c.C / c.group
    const w = Float32Array.from({length: c.M * cg * c.k * c.k}, r)
    const b = Float32Array.from({length: c.M}, r)
    const dims = [c.N, c.C, c.H, c.H]
    const x = Float32Array.from({length: c.N * c.C * c.H * c.H}, () => r() * 4)
    const node = {
      opType: 'Conv', name: 'conv', input: ['x', 'w', ...(c.bias ? ['b'] : [])], output: ['y'],
      attribute: [
        {name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [c.k, c.k]},
        {name: 'strides', type: onnx.AttributeProto.AttributeType.INTS, ints: [c.stride, c.stride]},
        {name: 'dilations', type: onnx.AttributeProto.AttributeType.INTS, ints: [c.dilation, c.dilation]},
        {name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: c.pads},
        {name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: c.group},
      ],
    }
    const inits = [floatInit('w', [c.M, cg, c.k, c.k], w), ...(c.bias ? [floatInit('b', [c.M], b)] : [])]
    {
      const [bad, message] = await compare(`conv ${JSON.stringify(c)}`, singleNodeModel(node, {name: 'x', dims}, inits), x, dims)
      t.equal(bad, 0, message)
    }
  }
})

t.test('random Gemm and MatMul: identical to onnxruntime', async (t) => {
  const cases = [
    {M: 5, K: 700, N: 20, transB: 1, bias: [20], beta: 1},
    {M: 33, K: 300, N: 50, transB: 0, bias: [1], beta: 0.5},
    {M: 1, K: 1280, N: 10, transB: 1, bias: [1, 10], beta: 1},
    {M: 7, K: 64, N: 3, transB: 0, bias: [7, 3], beta: 1},
  ]
  for (const [i, c] of cases.entries()) {
    const r = rng(200 + i)
    const x = Float32Array.from({length: c.M * c.K}, () => r() * 3)
    const w = Float32Array.from({length: c.K * c.N}, r)
    const b = Float32Array.from({length: c.bias.reduce((p, d) => p * d, 1)}, r)
    const node = {
      opType: 'Gemm', name: 'gemm', input: ['x', 'w', 'b'], output: ['y'],
      attribute: [{name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: c.transB}, {name: 'beta', type: onnx.AttributeProto.AttributeType.FLOAT, f: c.beta}],
    }
    const inits = [floatInit('w', c.transB ? [c.N, c.K] : [c.K, c.N], w), floatInit('b', c.bias, b)]
    {
      const [bad, message] = await compare(`gemm ${JSON.stringify(c)}`, singleNodeModel(node, {name: 'x', dims: [c.M, c.K]}, inits), x, [c.M, c.K])
      t.equal(bad, 0, message)
    }
    const mm = {opType: 'MatMul', name: 'mm', input: ['x', 'w'], output: ['y']}
    {
      const [bad, message] = await compare(`matmul ${JSON.stringify(c)}`, singleNodeModel(mm, {name: 'x', dims: [c.M, c.K]}, [floatInit('w', [c.K, c.N], w)]), x, [c.M, c.K])
      t.equal(bad, 0, message)
    }
  }
})

t.test('random AveragePool: identical to onnxruntime', async (t) => {
  const cases = [
    {H: 9, k: 3, stride: 1, pads: [1, 1, 1, 1], countPad: 0},
    {H: 12, k: 3, stride: 2, pads: [1, 0, 1, 1], countPad: 1},
    {H: 11, k: 2, stride: 2, pads: [0, 0, 0, 0], countPad: 0},
    {H: 16, k: 5, stride: 3, pads: [2, 2, 2, 2], countPad: 0}, // stride 3: the row-by-row kernel
    {H: 8, k: 8, stride: 1, pads: [0, 0, 0, 0], countPad: 0},
    {H: 40, k: 33, stride: 1, pads: [0, 0, 0, 0], countPad: 1}, // kernel > 32: the row-by-row kernel
  ]
  for (const [i, c] of cases.entries()) {
    const r = rng(300 + i)
    const dims = [2, 3, c.H, c.H]
    const x = Float32Array.from({length: 2 * 3 * c.H * c.H}, () => r() * 10)
    const node = {
      opType: 'AveragePool', name: 'pool', input: ['x'], output: ['y'],
      attribute: [
        {name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [c.k, c.k]},
        {name: 'strides', type: onnx.AttributeProto.AttributeType.INTS, ints: [c.stride, c.stride]},
        {name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: c.pads},
        {name: 'count_include_pad', type: onnx.AttributeProto.AttributeType.INT, i: c.countPad},
      ],
    }
    const [bad, message] = await compare(`avgpool ${JSON.stringify(c)}`, singleNodeModel(node, {name: 'x', dims}, []), x, dims)
    t.equal(bad, 0, message)
  }
})

t.test('elementwise ops identical to onnxruntime (Softmax: reported)', async (t) => {
  const r = rng(400)
  const dims = [2, 3, 7, 9]
  const x = Float32Array.from({length: 2 * 3 * 7 * 9}, () => r() * 16)
  // Softmax (after the logits; its range is [0, 1] by rule in quantization) keeps a plain order.
  const exact = ['Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'BatchNormalization', 'Add', 'Mul', 'Sub', 'Div']
  for (const op of ['Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Softmax', 'BatchNormalization', 'Add', 'Mul', 'Sub', 'Div']) {
    const binary = ['Add', 'Mul', 'Sub', 'Div'].includes(op)
    const bn = ['scale', 'bias', 'mean', 'var']
    const node = {opType: op, name: 'n', input: binary ? ['x', 'c'] : op === 'BatchNormalization' ? ['x', ...bn] : ['x'], output: ['y']}
    const inits = binary ? [floatInit('c', [3, 1, 1], new Float32Array([0.3, -1.7, 2.9]))] : []
    if (op === 'BatchNormalization') bn.forEach((n, k) => inits.push(floatInit(n, [3], Float32Array.from([0.7, 1.3, 2.1], (v) => (k === 3 ? v * v : v - k)))))
    const [bad, message] = await compare(op, singleNodeModel(node, {name: 'x', dims}, inits), x, dims)
    if (exact.includes(op)) t.equal(bad, 0, message)
    else t.comment(message)
  }
})

t.test('BatchNormalization over 16 channels identical to onnxruntime', async (t) => {
  const r = rng(500)
  const dims = [2, 16, 5, 5]
  const x = Float32Array.from({length: 2 * 16 * 25}, () => r() * 8)
  const params = ['scale', 'bias', 'mean', 'var'].map((name, k) => floatInit(name, [16], Float32Array.from({length: 16}, () => (k === 3 ? 0.01 + r() * r() * 4 : r() * 3))))
  const node = {opType: 'BatchNormalization', name: 'bn', input: ['x', 'scale', 'bias', 'mean', 'var'], output: ['y'], attribute: [{name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1e-3}]}
  const [bad, message] = await compare('bn16', singleNodeModel(node, {name: 'x', dims}, params), x, dims)
  t.equal(bad, 0, message)
})
