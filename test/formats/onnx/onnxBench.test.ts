/**
 * `axq bench --graph MODEL.onnx`: per-layer figures of the approximate and the exact run. MACs
 * per image are counted by hand from scripts/fixtures/onnx/make_models.py's tiny_cnn (8×8 input,
 * 3→8 3×3 conv, 8-channel 3×3 depthwise, 8→8 1×1 conv, 8→10 Gemm).
 */
import t from 'tap'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {cliPath, fixturesDir} from '../../helpers/paths.js'

const fixture = (name: string) => path.join(fixturesDir, 'onnx', name)

interface Layer {
  name: string
  kind: string
  group: number
  macsPerImage: number
  calls: number
  cpuSeconds: number
  seconds: number
  gmacsPerCpuSecond: number | null
  outputShape: number[]
}

t.test('bench --json on an ONNX model: every quantized layer with its kind, MACs and time, approximate and exact', async (t) => {
  const r = spawnSync(process.execPath, [cliPath, 'bench', '--graph', fixture('tiny_cnn.qop.u8u8.onnx'), '--data', fixture('tiny_cnn_data.npz'), '--mult', 'trunc8u_k3', '--batch-size', '8', '--iterations', '2', '--threads', '1', '--json'], {encoding: 'utf8'})
  t.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout) as {macsPerImage: number; threads: number; loadAverage: number; runs: {mult: string; images: number; cpuSeconds: number; layers: Layer[]; otherOps: {op: string}[]; gmacsPerCpuSecond: number}[]}
  t.equal(out.macsPerImage, 64 * 8 * 27 + 64 * 8 * 9 + 64 * 8 * 8 + 10 * 8)
  t.same(out.runs.map((x) => x.mult), ['trunc8u_k3', 'mul8u_1JFF'], 'the approximate run, then the exact one')
  for (const run of out.runs) {
    t.equal(run.images, 16)
    t.same(
      run.layers.map((l) => [l.name, l.kind, l.group, l.macsPerImage, l.calls]),
      [
        ['conv1_quant', 'conv', 1, 64 * 8 * 27, 2],
        ['dwconv_quant', 'depthwise', 8, 64 * 8 * 9, 2],
        ['pwconv_quant', 'conv', 1, 64 * 8 * 8, 2],
        ['fc_quant', 'dense', 1, 10 * 8, 2],
      ],
    )
    t.same(run.layers[1].outputShape, [1, 8, 8, 8])
    for (const l of run.layers) {
      t.ok(l.seconds > 0 && l.cpuSeconds >= 0, `${l.name} is timed`)
      if (l.cpuSeconds > 0) t.ok(Math.abs(l.gmacsPerCpuSecond! - (l.macsPerImage * 16) / l.cpuSeconds / 1e9) < 1e-9, `${l.name}: GMAC per CPU-second`)
    }
    t.ok(run.otherOps.some((o) => o.op === 'QLinearAdd'), 'the other ops per type')
    t.notOk(run.otherOps.some((o) => o.op === 'QLinearConv'), 'layers are not counted twice')
  }
  const text = spawnSync(process.execPath, [cliPath, 'bench', '--graph', fixture('tiny_cnn.qop.u8u8.onnx'), '--data', fixture('tiny_cnn_data.npz'), '--batch-size', '8', '--iterations', '1'], {encoding: 'utf8'})
  t.equal(text.status, 0, text.stderr)
  t.match(text.stdout, /dwconv_quant\s+depthwise\(8\)\s+8x8x8\s+8x1x3x3\s+8x8x8\s+4,608/)
  t.equal(text.stdout.match(/^multiplier /gm)?.length, 1, 'without --mult only the exact run')
})

t.test('bench --graph MODEL.onnx without --data is a usage error naming --data', async (t) => {
  const r = spawnSync(process.execPath, [cliPath, 'bench', '--graph', fixture('tiny_cnn.qop.u8u8.onnx')], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  t.equal(r.status, 2)
  t.match(r.stderr, /^axq: .*--data/m)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  const wrong = spawnSync(process.execPath, [cliPath, 'bench', '--graph', fixture('tiny_cnn.qop.u8u8.onnx'), '--data', fixture('tiny_cnn_data.npz'), '--mult', 'mul8s_1L2H', '--batch-size', '4', '--iterations', '1'], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  t.equal(wrong.status, 1)
  t.match(wrong.stderr, /^axq: .*signed table .*uint8×uint8 layer/m)
})
