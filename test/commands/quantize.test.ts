// axq quantize on the command line: output equal to onnxruntime's QDQ model (same graph, checked in
// detail by test/formats/onnx/quantize/qdq.test.ts), --json, and one-line errors with exit codes.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {repoRoot} from '../helpers/paths.js'
import {axq, axqLines} from './cliRunner.js'
import {onnx} from '../../src/formats/onnx/quantize/tensorProto.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-quantize-cmd-'))
t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
const examples = path.join(repoRoot, 'examples', 'onnx')
const model = path.join(examples, 'resnet20.onnx')
const cache = path.join(examples, 'calibration', 'resnet20.minmax.json')
const initializerNames = (file: string) => onnx.ModelProto.decode(fs.readFileSync(file)).graph!.initializer!.map((i) => i.name).sort()

t.test('writes the model onnxruntime writes, --json summary', async (t) => {
  const out = path.join(dir, 'r20.onnx')
  const r = await axq('quantize', model, out, '--calibration-cache', cache, '--types', 'u8u8', '--per-channel', '--json')
  t.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  t.match(s, {format: 'qdq', activationType: 'uint8', weightType: 'uint8', perChannel: true, nodes: {before: 52}})
  t.same(initializerNames(out), initializerNames(path.join(examples, 'resnet20.u8u8.qdq.pc.onnx')))
})

t.test('errors: one line, exit 1 for bad files, 2 for usage', async (t) => {
  const out = path.join(dir, 'x.onnx')
  const missing = await axq('quantize', model, out, '--calibration-cache', path.join(dir, 'none.json'))
  t.equal(missing.code, 1)
  t.match(axqLines(missing.stderr), /^axq: cannot read calibration cache .*none\.json: no such file$/)
  const notOnnx = path.join(dir, 'not.onnx')
  fs.writeFileSync(notOnnx, 'hello, this is no model\n')
  const bad = await axq('quantize', notOnnx, out, '--calibration-cache', cache)
  t.equal(bad.code, 1)
  t.match(axqLines(bad.stderr), /^axq: .*not\.onnx: not an ONNX model/)
  const node = await axq('quantize', model, out, '--calibration-cache', cache, '--nodes-to-exclude', 'nope')
  t.equal(node.code, 2)
  t.match(axqLines(node.stderr), /^axq: --nodes-to-exclude: .* has no node 'nope'$/)
  const both = await axq('quantize', model, out, '--calibration-cache', cache, '--types', 'u8u8', '--activation-type', 'int8')
  t.equal(both.code, 2)
  t.match(axqLines(both.stderr), /^axq: .*--types.*--activation-type|^axq: .*--activation-type.*--types/)
  const format = await axq('quantize', model, out, '--calibration-cache', cache, '--format', 'qlinear')
  t.equal(format.code, 2)
  t.match(axqLines(format.stderr), /^axq: .*--format/)
  t.notOk(fs.existsSync(out), 'nothing written on error')
  const same = await axq('quantize', model, model, '--calibration-cache', cache)
  t.equal(same.code, 2)
})

t.test('--nodes-to-exclude leaves a node float', async (t) => {
  const out = path.join(dir, 'ex.onnx')
  const r = await axq('quantize', model, out, '--calibration-cache', cache, '--nodes-to-exclude', '/fc/Gemm')
  t.equal(r.code, 0, r.stderr)
  const names = initializerNames(out)
  t.ok(names.includes('fc.weight') && !names.includes('fc.weight_quantized'), 'the Gemm keeps its float weight')
})
