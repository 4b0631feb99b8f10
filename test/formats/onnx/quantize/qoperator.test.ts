// QOperator rules the example models do not reach, on small hand-built graphs: MatMul →
// QLinearMatMul (per tensor, and per channel on the last axis), Mul with a constant → QLinearMul
// reading an activation-typed initializer, Relu folded, a float op behind a DequantizeLinear,
// --nodes-to-exclude, ops without a rule (one error naming them all); the results load and run in
// onnxruntime. The expected graphs are written out by hand from onnxruntime's rules.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import {spawnSync} from 'node:child_process'

import {quantizeQOperator} from '../../../../src/formats/onnx/quantize/qoperator.js'
import type {QuantizeOptions} from '../../../../src/formats/onnx/quantize/rewrite.js'
import type {TensorRange} from '../../../../src/formats/onnx/quantize/params.js'
import {DataType, dimsOf, floatValues, intValues, onnx, type AttributeProto, type ModelProto, type NodeProto} from '../../../../src/formats/onnx/quantize/tensorProto.js'
import {makeTensor} from '../../../../src/core/tensor.js'
import {ortLogits} from '../../../helpers/onnxruntime.js'
import {cliPath, repoRoot} from '../../../helpers/paths.js'

const T = onnx.AttributeProto.AttributeType

function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {tensorType: {elemType: DataType.FLOAT, shape: {dim: dims.map((d) => (typeof d === 'number' ? {dimValue: d} : {dimParam: d}))}}},
  })
}

function floatInit(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({name, dataType: DataType.FLOAT, dims, floatData: values})
}

function node(opType: string, name: string, input: string[], output: string[], attribute: AttributeProto[] = []): NodeProto {
  return onnx.NodeProto.create({opType, name, input, output, attribute})
}

/** x [N,4] → MatMul W [4,3] → m → Relu → r → Mul c [3] → p → HardSigmoid → y */
function model(extra: NodeProto[] = [], output = 'y'): ModelProto {
  return onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{domain: '', version: 13}],
    graph: {
      name: 'g',
      node: [
        node('MatMul', 'mm', ['x', 'W'], ['m']),
        node('Relu', 'relu', ['m'], ['r']),
        node('Mul', 'mul', ['r', 'c'], ['p']),
        node('HardSigmoid', 'hs', ['p'], ['y']),
        ...extra,
      ],
      initializer: [
        floatInit('W', [4, 3], [0.5, -1, 0.25, 1, 0.5, -0.5, -0.25, 2, 1, 0.75, -0.125, 0.5]),
        floatInit('c', [3], [0.5, 1.5, -1]),
      ],
      input: [valueInfo('x', ['N', 4])],
      output: [valueInfo(output, ['N', 3])],
    },
  })
}

const ranges = new Map<string, TensorRange>([
  ['x', {lowest: -1, highest: 1}],
  ['m', {lowest: -3, highest: 5.1}],
  ['r', {lowest: 0, highest: 5.1}],
  ['p', {lowest: -5.1, highest: 7.65}],
  ['y', {lowest: 0, highest: 1}],
])

const u8: QuantizeOptions = {activationType: 'uint8', weightType: 'uint8', perChannel: false, reduceRange: false, nodesToExclude: new Set()}

const describe = (n: NodeProto) => `${n.opType}${n.domain ? '@' + n.domain : ''} ${n.name} (${(n.input ?? []).join(', ')}) -> (${(n.output ?? []).join(', ')})`

t.test('MatMul, Relu, Mul with a constant, a float op after them', async (t) => {
  const q = quantizeQOperator(model(), ranges, u8)
  t.same(q.graph!.node!.map(describe), [
    'QuantizeLinear x_QuantizeLinear (x, x_scale, x_zero_point) -> (x_quantized)',
    // m takes the range of r (Relu is m's only reader), and the Relu disappears
    'QLinearMatMul mm_quant (x_quantized, x_scale, x_zero_point, W_quantized, W_scale, W_zero_point, m_scale, m_zero_point) -> (m_quantized)',
    // the constant is quantized with the activation type, per tensor
    'QLinearMul@com.microsoft mul_quant (m_quantized, m_scale, m_zero_point, c_quantized, c_scale, c_zero_point, p_scale, p_zero_point) -> (p_quantized)',
    'DequantizeLinear p_DequantizeLinear (p_quantized, p_scale, p_zero_point) -> (p)',
    'HardSigmoid hs (p) -> (y)',
  ])
  const init = new Map(q.graph!.initializer!.map((i) => [i.name!, i]))
  t.same([...init.keys()].sort(), ['W_quantized', 'W_scale', 'W_zero_point', 'c_quantized', 'c_scale', 'c_zero_point', 'm_scale', 'm_zero_point', 'p_scale', 'p_zero_point', 'x_scale', 'x_zero_point'])
  // x: [-1, 1] on uint8: scale 2/255, zero point round(127.5) = 128 (half to even)
  t.equal(floatValues(init.get('x_scale')!)[0], Math.fround(2 / 255))
  t.same([...intValues(init.get('x_zero_point')!)], [128])
  // m with r's range [0, 5.1]: scale 0.02, zero point 0
  t.equal(floatValues(init.get('m_scale')!)[0], Math.fround(5.1 / 255))
  t.same([...intValues(init.get('m_zero_point')!)], [0])
  // W per tensor, uint8 asymmetric on [-1, 2]: scale 3/255, zero point round(85) = 85
  t.equal(floatValues(init.get('W_scale')!)[0], Math.fround(3 / 255))
  t.same([...intValues(init.get('W_zero_point')!)], [85])
  t.equal(init.get('W_quantized')!.dataType, DataType.UINT8)
  // 0.5 / (3/255) = 42.5 → 42 (half to even) + 85 = 127; -1 → -85 + 85 = 0; 2 → 170 + 85 = 255
  t.same([...intValues(init.get('W_quantized')!)].slice(0, 2), [127, 0])
  t.equal(intValues(init.get('W_quantized')!)[7], 255)
  t.same(q.opsetImport!.map((o) => `${o.domain}:${o.version}`), [':13', 'com.microsoft:1'])

  // onnxruntime loads and runs it; the result is the float model's within the quantization steps
  const x = makeTensor('float32', [2, 4], Float32Array.of(0.5, -0.25, 1, 0.125, -1, 0.75, 0.3, -0.6))
  const got = await ortLogits(onnx.ModelProto.encode(q).finish(), x)
  const want = await ortLogits(onnx.ModelProto.encode(model()).finish(), x)
  t.equal(got.length, 6)
  for (let i = 0; i < 6; i++) t.ok(Math.abs(got[i] - want[i]) < 0.05, `output ${i}: ${got[i]} vs float ${want[i]}`)
})

t.test('per channel: MatMul weights along the last axis, the weight type', async (t) => {
  const q = quantizeQOperator(model(), ranges, {...u8, activationType: 'int8', weightType: 'int8', perChannel: true})
  const init = new Map(q.graph!.initializer!.map((i) => [i.name!, i]))
  t.same(dimsOf(init.get('W_scale')!), [3])
  // int8 symmetric per column: column 0 = [0.5, 1, -0.25, 0.75] → 1/127
  t.equal(floatValues(init.get('W_scale')!)[0], Math.fround(2 / 254))
  t.same([...intValues(init.get('W_zero_point')!)], [0, 0, 0])
  t.equal(init.get('W_quantized')!.dataType, DataType.INT8)
  // the constant of Mul stays per tensor
  t.same(dimsOf(init.get('c_scale')!), [])
  const x = makeTensor('float32', [1, 4], Float32Array.of(0.5, -0.25, 1, 0.125))
  t.equal((await ortLogits(onnx.ModelProto.encode(q).finish(), x)).length, 3, 'runs in onnxruntime')
})

t.test('a quantized graph output is dequantized under its own name', async (t) => {
  const m = model()
  m.graph!.node = m.graph!.node!.slice(0, 3)
  m.graph!.output = [valueInfo('p', ['N', 3])]
  const q = quantizeQOperator(m, ranges, u8)
  t.same(q.graph!.node!.map(describe).at(-1), 'DequantizeLinear p_DequantizeLinear (p_quantized, p_scale, p_zero_point) -> (p)')
})

t.test('--nodes-to-exclude keeps a node float between DequantizeLinear and QuantizeLinear', async (t) => {
  const q = quantizeQOperator(model(), ranges, {...u8, nodesToExclude: new Set(['relu'])})
  t.same(q.graph!.node!.map(describe), [
    'QuantizeLinear x_QuantizeLinear (x, x_scale, x_zero_point) -> (x_quantized)',
    // m keeps its own range: the excluded Relu does not narrow it
    'QLinearMatMul mm_quant (x_quantized, x_scale, x_zero_point, W_quantized, W_scale, W_zero_point, m_scale, m_zero_point) -> (m_quantized)',
    'DequantizeLinear m_DequantizeLinear (m_quantized, m_scale, m_zero_point) -> (m)',
    'Relu relu (m) -> (r)',
    'QuantizeLinear r_QuantizeLinear (r, r_scale, r_zero_point) -> (r_quantized)',
    'QLinearMul@com.microsoft mul_quant (r_quantized, r_scale, r_zero_point, c_quantized, c_scale, c_zero_point, p_scale, p_zero_point) -> (p_quantized)',
    'DequantizeLinear p_DequantizeLinear (p_quantized, p_scale, p_zero_point) -> (p)',
    'HardSigmoid hs (p) -> (y)',
  ])
  const init = new Map(q.graph!.initializer!.map((i) => [i.name!, i]))
  t.equal(floatValues(init.get('m_scale')!)[0], Math.fround(8.1 / 255))
})

t.test('ops without a QOperator rule: one error naming them all, unless excluded', async (t) => {
  const extra = [node('ArgMax', 'am', ['p'], ['idx'], [{name: 'axis', type: T.INT, i: 1}]), node('Split', 'split', ['p'], ['s'], [{name: 'axis', type: T.INT, i: 1}])]
  const withRanges = new Map([...ranges, ['s', {lowest: -5, highest: 8}]])
  t.throws(() => quantizeQOperator(model(extra), withRanges, u8), /no QOperator rule yet for am \(ArgMax\), split \(Split\); leave them float with --nodes-to-exclude/)
  const q = quantizeQOperator(model(extra), withRanges, {...u8, nodesToExclude: new Set(['am', 'split'])})
  t.ok(q.graph!.node!.some((n) => n.opType === 'Split'), 'excluded nodes stay float')
})

t.test('a missing range for a tensor a quantized node reads is an error naming it', async (t) => {
  const partial = new Map([...ranges].filter(([k]) => k !== 'x'))
  t.throws(() => quantizeQOperator(model(), partial, u8), /no calibration range for tensor 'x', which node 'mm' \(MatMul\) reads/)
})

t.test('CLI: --format qoperator, and --types with --activation-type is a usage error', async (t) => {
  const dir = t.testdir({})
  const examples = path.join(repoRoot, 'examples', 'onnx')
  const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, 'quantize', path.join(examples, 'mobilenetv2.onnx'), ...args], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  const out = path.join(dir, 'm.onnx')
  const cache = ['--calibration-cache', path.join(examples, 'calibration', 'mobilenetv2.minmax.json')]
  const ok = run(out, ...cache, '--format', 'qoperator', '--types', 'u8u8', '--json')
  t.equal(ok.status, 0, ok.stderr)
  const summary = JSON.parse(ok.stdout)
  t.match(summary, {format: 'qoperator', activationType: 'uint8', weightType: 'uint8'})
  const written = onnx.ModelProto.decode(fs.readFileSync(out))
  const reference = onnx.ModelProto.decode(fs.readFileSync(path.join(examples, 'mobilenetv2.u8u8.qop.onnx')))
  const ops = (m: ModelProto) => m.graph!.node!.map((n) => n.opType).join(' ')
  t.equal(ops(written), ops(reference), "onnxruntime's op sequence")
  const bad = run(path.join(dir, 'n.onnx'), ...cache, '--types', 's8s8', '--activation-type', 'uint8')
  t.equal(bad.status, 2)
  t.match(bad.stderr, /^axq: .*--activation-type.*--types/m)
  t.notOk(fs.existsSync(path.join(dir, 'n.onnx')), 'nothing written')
})
