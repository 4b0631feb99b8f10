/** Bad ONNX input is one clear line on stderr starting `axq: `, exit 1, no stack trace. */
import t from 'tap'
import type {Test} from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import onnxProto from 'onnx-proto'
import {cliPath, fixturesDir} from '../../helpers/paths.js'

const {onnx} = onnxProto

const model = path.join(fixturesDir, 'onnx', 'tiny_cnn.qop.u8u8.onnx')
const floatModel = path.join(fixturesDir, 'onnx', 'tiny_cnn.onnx')
const data = path.join(fixturesDir, 'onnx', 'tiny_cnn_data.npz')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-onnx-bad-'))
t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))

function infer(file: string, ...extra: string[]): {code: number | null; stderr: string} {
  const r = spawnSync(process.execPath, [cliPath, 'infer', file, '--data', data, '--iterations', '1', '--batch-size', '4', ...extra], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  return {code: r.status, stderr: r.stderr}
}

function expectError(t: Test, r: {code: number | null; stderr: string}, pattern: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('axq: ') && !l.startsWith('axq: note'))
  t.equal(r.code, 1, 'exit 1')
  t.equal(lines.length, 1, 'one error line')
  t.match(lines[0] ?? '', pattern)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
}

function variant(name: string, edit: (m: onnxProto.onnx.ModelProto) => void): string {
  const m = onnx.ModelProto.decode(fs.readFileSync(floatModel))
  edit(m)
  const file = path.join(dir, name)
  fs.writeFileSync(file, onnx.ModelProto.encode(m).finish())
  return file
}

t.test('truncated and random files', async (t) => {
  const bytes = fs.readFileSync(model)
  const truncated = path.join(dir, 'truncated.onnx')
  fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
  expectError(t, infer(truncated), /truncated\.onnx: not an ONNX model/)
  const random = path.join(dir, 'random.onnx')
  let s = 12345
  fs.writeFileSync(random, Uint8Array.from({length: 4000}, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24)))
  expectError(t, infer(random), /random\.onnx: not an ONNX model/)
})

t.test('unsupported ops are listed at once with node names; old opsets are refused', async (t) => {
  const unsupported = variant('unsupported.onnx', (m) => {
    m.graph!.node![1].opType = 'Elu'
    m.graph!.node![7].opType = 'LpPool'
  })
  expectError(t, infer(unsupported), /2 node\(s\) with ops axq does not support: relu1 \(Elu\), pool \(LpPool\)/)
  const old = variant('old.onnx', (m) => {
    m.opsetImport![0].version = 11
  })
  expectError(t, infer(old), /opset 11 of the ONNX domain is too old; axq reads opset 13 and newer/)
})

t.test('external data: read from the model folder; missing file named', async (t) => {
  const file = variant('external.onnx', (m) => {
    const w = m.graph!.initializer!.find((i) => i.name === 'c1.w')!
    fs.writeFileSync(path.join(dir, 'weights.bin'), w.rawData!)
    w.externalData = [{key: 'location', value: 'weights.bin'}, {key: 'offset', value: '0'}, {key: 'length', value: String(w.rawData!.length)}]
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL
    w.rawData = new Uint8Array(0)
  })
  const ok = infer(file, '--save-logits', path.join(dir, 'ext.npy'))
  t.equal(ok.code, 0, ok.stderr)
  const plain = infer(floatModel, '--save-logits', path.join(dir, 'plain.npy'))
  t.equal(plain.code, 0)
  t.same(fs.readFileSync(path.join(dir, 'ext.npy')), fs.readFileSync(path.join(dir, 'plain.npy')), 'same logits as with embedded weights')
  fs.rmSync(path.join(dir, 'weights.bin'))
  expectError(t, infer(file), /initializer 'c1\.w': external data file 'weights\.bin' is missing/)
})

t.test('data of the wrong shape', async (t) => {
  const r = spawnSync(process.execPath, [cliPath, 'infer', model, '--data', path.join(fixturesDir, 'data', 'missing.bin'), '--iterations', '1'], {encoding: 'utf8'})
  t.equal(r.status, 1)
  const cifar = path.join(dir, 'batch.bin')
  fs.writeFileSync(cifar, new Uint8Array(3073 * 4))
  const bad = spawnSync(process.execPath, [cliPath, 'infer', model, '--data', cifar, '--iterations', '1', '--batch-size', '4'], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  expectError(t, {code: bad.status, stderr: bad.stderr}, /input 'input' has shape \[-1,3,8,8\], the data gives \[4,3,32,32\]/)
})
