/**
 * QLinearSigmoid, QLinearLeakyRelu and QLinearSoftmax (com.microsoft) against onnxruntime itself:
 * the ops fixtures quantize_static wrote (QOperator u8u8, s8s8 per channel, u8s8 reduce-range),
 * every code of these nodes and the final output; then single-op models built here with all 256
 * input codes, extreme scales and zero points, uint8 and int8, and Softmax over each axis with the
 * opset 12 (flattened) and opset 13 (one axis) semantics; every code must be onnxruntime's.
 */
import t, {type Test} from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import ort from 'onnxruntime-node'
import {onnx, DataType} from '../../../src/formats/onnx/quantize/tensorProto.js'
import {decodeOnnxModel} from '../../../src/formats/onnx/onnxModel.js'
import {OnnxSession} from '../../../src/formats/onnx/onnxSession.js'
import {makeTensor, numElements, type Tensor} from '../../../src/core/tensor.js'
import {differing, ortLogits} from '../../helpers/onnxruntime.js'
import {cliPath, fixturesDir} from '../../helpers/paths.js'
import {decodeNpyTensor, encodeNpyFloat32, readNpz} from '../../../src/data/npz.js'
import {prng} from '../../../src/bench/convInputs.js'

const dir = path.join(fixturesDir, 'onnx', 'quantize')
const ACTIVATIONS = new Set(['QLinearSigmoid', 'QLinearLeakyRelu', 'QLinearSoftmax'])

type Codes = Uint8Array | Int8Array

/** Runs model bytes in onnxruntime and in axq, returning both sides' named outputs. */
async function runBoth(bytes: Uint8Array, feeds: Record<string, Tensor>, outputs: string[]): Promise<{ours: Tensor[]; theirs: ort.Tensor[]}> {
  const session = await ort.InferenceSession.create(bytes, {intraOpNumThreads: 1})
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dtype === 'float32' ? new ort.Tensor('float32', v.data as Float32Array, v.shape) : v.dtype === 'int8' ? new ort.Tensor('int8', v.data as Int8Array, v.shape) : new ort.Tensor('uint8', v.data as Uint8Array, v.shape)]))
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

// Single-op models: input 'x' holds codes directly, so every one of the 256 codes can be fed.

interface OpSpec {
  op: 'QLinearSigmoid' | 'QLinearLeakyRelu' | 'QLinearSoftmax'
  /** x_scale, x_zero_point, y_scale, y_zero_point; a zero point of null is left out. */
  params: [number, number | null, number, number | null]
  attrs?: Record<string, number>
}

function scalar(name: string, type: number, value: number) {
  const raw = type === DataType.FLOAT ? new Uint8Array(Float32Array.of(value).buffer) : Uint8Array.of(value & 255)
  return onnx.TensorProto.create({name, dataType: type, dims: [], rawData: raw})
}

/** One model whose nodes all read x (codes of `type`, shape `shape`); output k is node k's. */
function singleOpModel(type: number, shape: number[], specs: OpSpec[]): Uint8Array {
  const initializer = specs.flatMap(({params: [sx, zx, sy, zy]}, k) => [
    scalar(`sx${k}`, DataType.FLOAT, sx), ...(zx === null ? [] : [scalar(`zx${k}`, type, zx)]),
    scalar(`sy${k}`, DataType.FLOAT, sy), ...(zy === null ? [] : [scalar(`zy${k}`, type, zy)]),
  ])
  const node = specs.map(({op, params, attrs = {}}, k) => onnx.NodeProto.create({
    name: `n${k}`, opType: op, domain: 'com.microsoft', output: [`y${k}`],
    // An absent zero point is an empty name (QLinearSoftmax requires y_zero_point).
    input: ['x', `sx${k}`, params[1] === null ? '' : `zx${k}`, `sy${k}`, params[3] === null ? '' : `zy${k}`],
    attribute: Object.entries(attrs).map(([name, v]) => name === 'alpha'
      ? onnx.AttributeProto.create({name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v})
      : onnx.AttributeProto.create({name, type: onnx.AttributeProto.AttributeType.INT, i: v})),
  }))
  const tensorType = (dims?: number[]) => ({tensorType: {elemType: type, ...(dims ? {shape: {dim: dims.map((d) => ({dimValue: d}))}} : {})}})
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'axq-test',
    opsetImport: [{domain: '', version: 17}, {domain: 'com.microsoft', version: 1}],
    graph: {
      name: 'single', node, initializer,
      input: [onnx.ValueInfoProto.create({name: 'x', type: tensorType(shape)})],
      output: specs.map((_, k) => onnx.ValueInfoProto.create({name: `y${k}`, type: tensorType()})),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

/** Codes of `shape`: every one of the 256 codes at least once (a shuffled ramp), then random. */
function codes(signed: boolean, shape: number[], seed: number): Tensor {
  const n = numElements(shape)
  const rng = prng(seed)
  const bytes = Uint8Array.from({length: n}, (_, i) => (i < 256 ? i : Math.floor(rng() * 256)))
  for (let i = Math.min(n, 256) - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[bytes[i], bytes[j]] = [bytes[j], bytes[i]]
  }
  return signed ? makeTensor('int8', shape, new Int8Array(bytes.buffer)) : makeTensor('uint8', shape, bytes)
}

async function expectSameCodes(t: Test, type: number, x: Tensor, specs: OpSpec[]): Promise<void> {
  const outputs = specs.map((_, k) => `y${k}`)
  const {ours, theirs} = await runBoth(singleOpModel(type, x.shape, specs), {x}, outputs)
  for (const [k, spec] of specs.entries()) {
    const label = `${spec.op} ${JSON.stringify(spec.params)} ${JSON.stringify(spec.attrs ?? {})}`
    t.same(ours[k].shape, [...theirs[k].dims], `${label}: shape`)
    const a = ours[k].data as Codes
    const b = theirs[k].data as Codes
    let differ = 0
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++
    t.equal(differ, 0, `${label}: codes equal onnxruntime's`)
  }
}

/** Scales and zero points from ordinary to extreme, for either code type. */
function lookupParams(signed: boolean): OpSpec['params'][] {
  const [lo, hi, mid] = signed ? [-128, 127, 0] : [0, 255, 128]
  return [
    [0.05, mid, 1 / 256, lo], [0.0372, mid + 17, 0.0117, mid - 9], [0.1, null, 0.02, null],
    [1e-6, lo, 1e-7, hi], [100, hi, 1e6, lo], [3e38, mid, 1e-30, mid], [1e-30, hi, 3e38, lo],
    [0.5, lo, 0.5, hi], [2.5, hi, 1e-3, mid],
  ]
}

for (const signed of [false, true]) {
  const type = signed ? DataType.INT8 : DataType.UINT8
  t.test(`QLinearSigmoid and QLinearLeakyRelu (${signed ? 'int8' : 'uint8'}): all 256 codes, extreme scales and zero points`, async (t) => {
    const specs: OpSpec[] = []
    for (const params of lookupParams(signed)) {
      specs.push({op: 'QLinearSigmoid', params})
      specs.push({op: 'QLinearLeakyRelu', params})
      specs.push({op: 'QLinearLeakyRelu', params, attrs: {alpha: 0.1}})
      specs.push({op: 'QLinearLeakyRelu', params, attrs: {alpha: -2.75}})
    }
    await expectSameCodes(t, type, codes(signed, [2, 4, 40], 7), specs)
  })

  t.test(`QLinearSoftmax (${signed ? 'int8' : 'uint8'}): opset 12 and 13 over every axis, scales from tiny to huge`, async (t) => {
    const [lo, mid] = signed ? [-128, 0] : [0, 128]
    const specs: OpSpec[] = []
    for (const opset of [12, 13]) {
      for (const axis of [undefined, 0, 1, 2, -1, -3]) {
        const attrs: Record<string, number> = axis === undefined ? {opset} : {opset, axis}
        specs.push({op: 'QLinearSoftmax', params: [0.1, mid, 1 / 256, lo], attrs})
        specs.push({op: 'QLinearSoftmax', params: [0.0213, null, 1 / 255, lo], attrs})
      }
      for (const params of [[1e-4, mid, 1 / 256, lo], [10, lo, 1 / 256, lo], [1000, mid, 0.5, mid], [0.05, mid, 1e-10, lo], [0.05, mid, 3e-10, mid], [0.05, mid, 1e3, lo], [0.3, mid, 0.013, mid + 100]] as OpSpec['params'][]) {
        specs.push({op: 'QLinearSoftmax', params, attrs: {opset, axis: -1}})
        specs.push({op: 'QLinearSoftmax', params, attrs: {opset, axis: 1}})
      }
    }
    await expectSameCodes(t, type, codes(signed, [4, 8, 16], 11), specs)
  })

  t.test(`QLinearSoftmax (${signed ? 'int8' : 'uint8'}): rows of one repeated code and a 256-code row`, async (t) => {
    const ramp = codes(signed, [3, 256], 13)
    ;(ramp.data as Codes).fill(signed ? -128 : 0, 256, 512)
    ;(ramp.data as Codes).fill(signed ? 127 : 255, 512, 768)
    const [lo, mid] = signed ? [-128, 0] : [0, 128]
    await expectSameCodes(t, type, ramp, [
      {op: 'QLinearSoftmax', params: [0.1, mid, 1 / 256, lo], attrs: {opset: 13}},
      {op: 'QLinearSoftmax', params: [0.02, mid, 1 / 256, lo], attrs: {opset: 11, axis: 0}},
      {op: 'QLinearSoftmax', params: [0.5, null, 1 / 256, lo], attrs: {opset: 13, axis: 0}},
    ])
    // One and two values per row: the largest exp times 1/y_scale overflows float32 when D = 1.
    for (const shape of [[6, 1], [3, 2]]) {
      await expectSameCodes(t, type, codes(signed, shape, 17), [
        {op: 'QLinearSoftmax', params: [0.1, mid, 1 / 256, lo], attrs: {opset: 13}},
        {op: 'QLinearSoftmax', params: [0.1, mid, 1 / 255, mid], attrs: {opset: 12, axis: 1}},
      ])
    }
  })
}

t.test('QLinearSoftmax without its opset attribute: one error naming the node', async (t) => {
  const bytes = singleOpModel(DataType.UINT8, [2, 5], [{op: 'QLinearSoftmax', params: [0.1, 0, 1 / 256, 0], attrs: {axis: 1}}])
  const session = new OnnxSession(decodeOnnxModel(bytes, 'nopset.onnx'))
  await t.rejects(session.run({x: makeTensor('uint8', [2, 5], new Uint8Array(10))}, ['y0']), {message: /node 'n0' \(QLinearSoftmax\).*'opset' is missing/})
})

t.test('an axis out of range, a per-channel scale, float codes: one error naming the node', async (t) => {
  const x = makeTensor('uint8', [2, 5], new Uint8Array(10))
  const run = (bytes: Uint8Array, feed = x) => new OnnxSession(decodeOnnxModel(bytes, 'bad.onnx')).run({x: feed}, ['y0'])
  const axis = singleOpModel(DataType.UINT8, [2, 5], [{op: 'QLinearSoftmax', params: [0.1, 0, 1 / 256, 0], attrs: {opset: 13, axis: 2}}])
  await t.rejects(run(axis), {message: /node 'n0' \(QLinearSoftmax\): axis 2 is out of range for rank 2/})
  for (const op of ['QLinearSigmoid', 'QLinearLeakyRelu', 'QLinearSoftmax'] as const) {
    const model = onnx.ModelProto.decode(singleOpModel(DataType.UINT8, [2, 5], [{op, params: [0.1, 0, 1 / 256, 0], attrs: op === 'QLinearSoftmax' ? {opset: 13} : {}}]))
    model.graph!.initializer![0] = onnx.TensorProto.create({name: 'sx0', dataType: DataType.FLOAT, dims: [2], floatData: [0.1, 0.2]})
    await t.rejects(run(onnx.ModelProto.encode(model).finish()), {message: new RegExp(`node 'n0' \\(${op}\\): input 1 \\(X_scale\\) must hold one value, got shape \\[2\\]`)})
    const floats = singleOpModel(DataType.FLOAT, [2, 5], [{op, params: [0.1, 0, 1 / 256, 0], attrs: op === 'QLinearSoftmax' ? {opset: 13} : {}}])
    await t.rejects(run(floats, makeTensor('float32', [2, 5], new Float32Array(10))), {message: new RegExp(`node 'n0' \\(${op}\\): X must be uint8 or int8, got float32`)})
  }
})

/** An .npy of int64 values (labels). */
function npyInt64(values: number[]): Uint8Array {
  let header = `{'descr': '<i8', 'fortran_order': False, 'shape': (${values.length},), }`
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n'
  const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0]), Buffer.from(Uint16Array.of(header.length).buffer), Buffer.from(header, 'latin1')])
  return Buffer.concat([head, Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer)])
}

/** A stored (uncompressed) zip of the named members, as np.savez writes an .npz. */
function storedZip(members: Record<string, Uint8Array>): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const [name, data] of Object.entries(members)) {
    const n = Buffer.from(name)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(n.length, 26)
    const dir = Buffer.alloc(46)
    dir.writeUInt32LE(0x02014b50, 0)
    dir.writeUInt32LE(data.length, 20)
    dir.writeUInt32LE(data.length, 24)
    dir.writeUInt16LE(n.length, 28)
    dir.writeUInt32LE(offset, 42)
    locals.push(local, n, Buffer.from(data))
    central.push(dir, n)
    offset += 30 + n.length + data.length
  }
  const size = central.reduce((a, b) => a + b.length, 0)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(members).length, 8)
  end.writeUInt16LE(Object.keys(members).length, 10)
  end.writeUInt32LE(size, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, ...central, end])
}

t.test('axq quantize --format qoperator then axq infer: the Sigmoid, LeakyRelu and Softmax model runs, logits equal onnxruntime\'s', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-qact-'))
  t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))
  const x = readNpz(path.join(dir, 'ops_data.npz')).get('x') as Tensor
  const data = path.join(tmp, 'ops.npz')
  fs.writeFileSync(data, storedZip({'x.npy': encodeNpyFloat32(x.shape, x.data as Float32Array), 'y.npy': npyInt64([0, 1, 2, 3])}))
  for (const types of ['u8u8', 's8s8']) {
    const model = path.join(tmp, `ops.${types}.qop.onnx`)
    const q = spawnSync(process.execPath, [cliPath, 'quantize', path.join(dir, 'ops.onnx'), model, '--format', 'qoperator', '--calibration-cache', path.join(dir, 'ops.minmax.json'), '--types', types, '--per-channel'], {encoding: 'utf8'})
    t.equal(q.status, 0, `quantize ${types}: ${q.stderr}`)
    const ops = onnx.ModelProto.decode(fs.readFileSync(model)).graph!.node!.map((n) => n.opType)
    t.ok(['QLinearSigmoid', 'QLinearLeakyRelu', 'QLinearSoftmax'].every((op) => ops.includes(op)), `${types}: the model has the three ops`)
    const logits = path.join(tmp, `logits.${types}.npy`)
    const r = spawnSync(process.execPath, [cliPath, 'infer', model, '--data', data, '--batch-size', '4', '--iterations', '1', '--save-logits', logits], {encoding: 'utf8'})
    t.equal(r.status, 0, `infer ${types}: ${r.stderr}`)
    const ours = decodeNpyTensor(fs.readFileSync(logits), logits)
    t.equal(differing(ours.data as Float32Array, await ortLogits(model, x)), 0, `${types}: the logits equal onnxruntime's bit for bit`)
  }
})
