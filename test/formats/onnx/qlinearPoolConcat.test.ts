/**
 * QLinearAveragePool and QLinearConcat (com.microsoft) against onnxruntime itself: small QOperator
 * models built here with onnx-proto (uint8 and int8; pads, strides, ceil_mode, count_include_pad,
 * the whole-image window onnxruntime computes as a global average; concat inputs with their own
 * scales and one with the output's, which is copied) must give the same codes.
 */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'
import {readOnnxModel} from '../../../src/formats/onnx/onnxModel.js'
import {OnnxSession} from '../../../src/formats/onnx/onnxSession.js'
import {makeTensor} from '../../../src/core/tensor.js'
import {prng} from '../../../src/bench/convInputs.js'

const {onnx} = onnxProto
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-qpool-'))
t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))

const FLOAT = 1
const UINT8 = 2
const INT8 = 3

function scalar(name: string, type: number, value: number) {
  const raw = type === FLOAT ? new Uint8Array(Float32Array.of(value).buffer) : Uint8Array.of(value & 255)
  return onnx.TensorProto.create({name, dataType: type, dims: [], rawData: raw})
}

type AttrValue = number | number[]

function node(op: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}, domain = 'com.microsoft') {
  const attribute = Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v) ? onnx.AttributeProto.create({name, type: onnx.AttributeProto.AttributeType.INTS, ints: v}) : onnx.AttributeProto.create({name, type: onnx.AttributeProto.AttributeType.INT, i: v}),
  )
  return onnx.NodeProto.create({name: output, opType: op, input: inputs, output: [output], attribute, domain})
}

function valueInfo(name: string, type: number, dims: number[]) {
  return onnx.ValueInfoProto.create({name, type: {tensorType: {elemType: type, shape: {dim: dims.map((d) => ({dimValue: d}))}}}})
}

/** x [2,4,7,7] and z [2,3,7,7] float → quantized → pools and concats → every result as codes. */
function buildModel(signed: boolean): {file: string; outputs: string[]} {
  const q = signed ? INT8 : UINT8
  const zp = (u: number, s: number) => (signed ? s : u)
  const params = [
    scalar('sa', FLOAT, 0.031), scalar('za', q, zp(121, -7)),
    scalar('sb', FLOAT, 0.0234), scalar('zb', q, zp(90, 12)),
    scalar('sp', FLOAT, 0.017), scalar('zp', q, zp(133, 3)),
    scalar('sc', FLOAT, 0.029), scalar('zc', q, zp(118, -2)),
    scalar('sg', FLOAT, 0.011), scalar('zg', q, zp(128, 0)),
  ]
  const pool = (inp: string, out: string, attrs: Record<string, AttrValue>, sIn = 'sa', zIn = 'za', sOut = 'sp', zOut = 'zp') =>
    node('QLinearAveragePool', [inp, sIn, zIn, sOut, zOut], out, attrs)
  const nodes = [
    node('QuantizeLinear', ['x', 'sa', 'za'], 'a', {}, ''),
    node('QuantizeLinear', ['z', 'sb', 'zb'], 'b', {}, ''),
    pool('a', 'p_pad_excl', {kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1]}),
    pool('a', 'p_pad_incl', {kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], count_include_pad: 1}, 'sa', 'za', 'sc', 'zc'),
    pool('a', 'p_stride_ceil', {kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1}),
    pool('a', 'p_asym', {kernel_shape: [3, 2], pads: [0, 1, 2, 0], strides: [2, 1]}),
    pool('a', 'p_global', {kernel_shape: [7, 7]}, 'sa', 'za', 'sg', 'zg'),
    // Inputs with their own scales, and p_pad_incl already at the output's (a copy).
    node('QLinearConcat', ['sc', 'zc', 'a', 'sa', 'za', 'b', 'sb', 'zb', 'p_pad_excl', 'sp', 'zp', 'p_pad_incl', 'sc', 'zc'], 'cat', {axis: 1}),
    node('QLinearConcat', ['sa', 'za', 'a', 'sa', 'za', 'a', 'sa', 'za'], 'cat_h', {axis: -2}),
  ]
  const outputs = ['p_pad_excl', 'p_pad_incl', 'p_stride_ceil', 'p_asym', 'p_global', 'cat', 'cat_h']
  const shapes: Record<string, number[]> = {
    p_pad_excl: [2, 4, 7, 7], p_pad_incl: [2, 4, 7, 7], p_stride_ceil: [2, 4, 4, 4], p_asym: [2, 4, 4, 7], p_global: [2, 4, 1, 1], cat: [2, 15, 7, 7], cat_h: [2, 4, 14, 7],
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'axq-test',
    opsetImport: [{domain: '', version: 17}, {domain: 'com.microsoft', version: 1}],
    graph: {
      name: 'qpool',
      node: nodes,
      initializer: params,
      input: [valueInfo('x', FLOAT, [2, 4, 7, 7]), valueInfo('z', FLOAT, [2, 3, 7, 7])],
      output: outputs.map((o) => valueInfo(o, q, shapes[o])),
    },
  })
  const file = path.join(dir, `qpool.${signed ? 's8' : 'u8'}.onnx`)
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish())
  return {file, outputs}
}

for (const signed of [false, true]) {
  t.test(`QLinearAveragePool and QLinearConcat (${signed ? 'int8' : 'uint8'}) equal onnxruntime's codes`, async (t) => {
    const {file, outputs} = buildModel(signed)
    const rng = prng(signed ? 5 : 3)
    // Values across the whole code range (and beyond, to saturate), some exactly on code ties.
    const x = Float32Array.from({length: 2 * 4 * 49}, (_, i) => (i % 11 === 0 ? (Math.round(rng() * 40) - 20) * 0.0155 : (rng() - 0.5) * 9))
    const z = Float32Array.from({length: 2 * 3 * 49}, () => (rng() - 0.5) * 7)
    const session = await ort.InferenceSession.create(file, {intraOpNumThreads: 1})
    const want = await session.run({x: new ort.Tensor('float32', x, [2, 4, 7, 7]), z: new ort.Tensor('float32', z, [2, 3, 7, 7])})
    const model = readOnnxModel(file)
    const got = await new OnnxSession(model, {threads: 2}).run({x: makeTensor('float32', [2, 4, 7, 7], x), z: makeTensor('float32', [2, 3, 7, 7], z)}, outputs)
    for (const [i, name] of outputs.entries()) {
      t.same(got[i].shape, [...want[name].dims], `${name} shape`)
      t.same([...(got[i].data as Uint8Array | Int8Array)], [...(want[name].data as Uint8Array | Int8Array)], `${name} codes`)
    }
  })
}
