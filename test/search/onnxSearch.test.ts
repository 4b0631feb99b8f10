/**
 * The power model, `axq sensitivity` and `axq search` on ONNX models (QLinearConv / QGemm layers
 * of the quantized ResNet-20 examples). Expected powers are EvoApproxLib's published figures
 * (mW): mul8u_1JFF 0.391, mul8u_NGR 0.276, mul8u_L40 0.189, mul8s_1KV8 0.425, mul8s_1KV9 0.41,
 * mul8s_1KR3 0.052; MACs per image are counted by hand from the ResNet-20 architecture.
 */
import t from 'tap'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {cliPath, hasShared, repoRoot, shared} from '../helpers/paths.js'
import {layerwisePower, type LayerMacs} from '../../src/evaluation/job.js'
import {searchSignedness} from '../../src/search/candidates.js'

const needShared = hasShared ? false : 'needs ../shared'
const signedModel = path.join(repoRoot, 'examples', 'onnx', 'resnet20.s8s8.qop.onnx')
const unsignedModel = path.join(repoRoot, 'examples', 'onnx', 'resnet20.u8u8.qop.onnx')
const data = shared('cifar10', 'test_first1000.bin')

function axq(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

// ResNet-20 on 32×32×3: stem 3→16 (3×3), 6 convs 16→16 at 32×32, 32→32 and 64→64 stages (first
// conv strided from the previous width, 1×1 strided shortcut), fc 64→10: 22 approximable layers.
const stem = 32 * 32 * 16 * 3 * 9
const fc = 64 * 10
const total =
  stem + 6 * 32 * 32 * 16 * 16 * 9 + 16 * 16 * 32 * 16 * 9 + 5 * 16 * 16 * 32 * 32 * 9 + 16 * 16 * 32 * 16 + 8 * 8 * 64 * 32 * 9 + 5 * 8 * 8 * 64 * 64 * 9 + 8 * 8 * 64 * 32 + fc
const close = (a: number | null, b: number) => a !== null && Math.abs(a - b) < 1e-12

t.test('uniform ONNX configurations: P(mult) / P(exact of the layers\' signedness)', async (t) => {
  t.equal(total, 40813184)
  const s = await layerwisePower(signedModel, 'mul8s_1KV9', [])
  t.ok(close(s.relativePower, 0.41 / 0.425), `${s.relativePower}`)
  t.ok(close(s.relativePowerComputed, 0.41 / 0.425))
  const u = await layerwisePower(unsignedModel, 'mul8u_NGR', [])
  t.ok(close(u.relativePower, 0.276 / 0.391), `${u.relativePower}`)
  t.equal((await layerwisePower(signedModel, 'mul8u_1JFF', [])).relativePower, 1, 'the exact table is exact on int8 layers too')
  t.equal((await layerwisePower(signedModel, 'mul8s_1KV8', [])).relativePower, 1)
  t.equal((await layerwisePower(unsignedModel, 'trunc8u_k2', [])).relativePower, null, 'unknown power: null')
})

t.test('a mixed ONNX configuration, by hand', async (t) => {
  // stem on L40, fc (index 21, QGemm) on NGR, the rest exact
  const mixed = await layerwisePower(unsignedModel, 'mul8u_1JFF', ['0=mul8u_L40', '/fc/Gemm_quant=mul8u_NGR'])
  const expected = (stem * 0.189 + fc * 0.276 + (total - stem - fc) * 0.391) / (total * 0.391)
  t.ok(close(mixed.relativePower, expected), `${mixed.relativePower} vs ${expected}`)
  const signed = await layerwisePower(signedModel, 'mul8s_1KV8', ['21=mul8s_1KR3'])
  t.ok(close(signed.relativePower, (fc * 0.052 + (total - fc) * 0.425) / (total * 0.425)))
})

t.test('a multiplier of the wrong signedness is an error naming the layer', async (t) => {
  await t.rejects(layerwisePower(signedModel, 'mul8u_1JFF', ['0=mul8u_L40']), /layer '\/conv\/Conv_quant'.*unsigned table/)
  const r = axq('inspect', unsignedModel, '--mult', 'mul8s_1KV9')
  t.equal(r.code, 1)
  t.match(r.stderr, /^axq: layer '\/conv\/Conv_quant': multiplier 'mul8s_1KV9' is a signed table/)
})

t.test('models mixing operand kinds cannot be searched', async (t) => {
  const layer = (name: string, operands: LayerMacs['operands']): LayerMacs => ({name, macs: 1, computedMacs: 1, operands})
  t.equal(searchSignedness('m.onnx', [layer('a', 'signed'), layer('b', 'signed')]), true)
  t.equal(searchSignedness('m.onnx', [layer('a', 'unsigned')]), false)
  t.throws(() => searchSignedness('m.onnx', [layer('a', 'signed'), layer('b', 'mixed')]), /layer 'b' multiplies uint8 activations by int8 weights, which runs exact only/)
  t.throws(() => searchSignedness('m.onnx', [layer('a', 'signed'), layer('b', 'unsigned')]), /int8 operands but 'b' uint8 ones/)
})

t.test('infer --json on ONNX reports relativePower', {skip: needShared}, async (t) => {
  const r = axq('infer', signedModel, '--data', data, '--batch-size', '4', '--iterations', '1', '--mult', 'mul8s_1KV9', '--json')
  t.equal(r.code, 0, r.stderr)
  t.ok(close(JSON.parse(r.stdout).relativePower, 0.41 / 0.425))
})

t.test('sensitivity on an ONNX model: every layer × 2 multipliers', {skip: needShared}, async (t) => {
  const r = axq('sensitivity', unsignedModel, '--data', data, '--images', '4', '--mults', 'mul8u_NGR,mul8u_L40', '--threads', '1', '--json')
  t.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.equal(out.cells.length, 22)
  t.same(out.mults.map((m: {name: string}) => m.name), ['mul8u_NGR', 'mul8u_L40'])
  t.ok(close(out.cells[0][1].relativePower, (stem * 0.189 + (total - stem) * 0.391) / (total * 0.391)))
  const wrong = axq('sensitivity', unsignedModel, '--data', data, '--images', '4', '--mults', 'mul8s_1KV9', '--threads', '1')
  t.equal(wrong.code, 1)
  t.match(wrong.stderr, /^axq: --mults: multiplier 'mul8s_1KV9' is a signed table/)
})

t.test('a tiny search on a signed ONNX model; its front point reproduces with axq infer', {skip: needShared}, async (t) => {
  const r = axq('search', signedModel, '--data', data, '--tiles', '2', '--population', '4', '--generations', '1', '--images', '8', '--threads', '1', '--mults', 'mul8s_1KV9,mul8s_1KR3', '--json')
  t.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.ok(out.front.length > 0)
  const point = out.front[0]
  const args = (point.command as string).split(' ').slice(2)
  const again = axq('infer', ...args, '--json')
  t.equal(again.code, 0, again.stderr)
  const inferred = JSON.parse(again.stdout)
  t.equal(inferred.accuracy, point.accuracy)
  t.ok(close(inferred.relativePower, point.relativePower))
  const perLayer = new Set(['mul8s_1KV9', 'mul8s_1KR3'])
  t.ok(point.layerMults.every((l: string) => perLayer.has(l.split('=')[1])), 'only signed candidates')
})

t.test('sensitivity reads .npz data (x preprocessed, y labels): the exact accuracy is infer\'s on the same file', async (t) => {
  const model = path.join(repoRoot, 'test', 'fixtures', 'onnx', 'tiny_cnn.qop.u8u8.onnx')
  const npz = path.join(repoRoot, 'test', 'fixtures', 'onnx', 'tiny_cnn_data.npz')
  const s = axq('sensitivity', model, '--data', npz, '--mults', 'mul8u_L40', '--images', '16', '--threads', '1', '--json')
  t.equal(s.code, 0, s.stderr)
  const i = axq('infer', model, '--data', npz, '--batch-size', '16', '--iterations', '1', '--json')
  t.equal(i.code, 0, i.stderr)
  t.equal((JSON.parse(s.stdout) as {exact: {accuracy: number}}).exact.accuracy, (JSON.parse(i.stdout) as {accuracy: number}).accuracy)
  const folder = axq('sensitivity', model, '--data', path.join(repoRoot, 'test', 'fixtures', 'images', 'folder'), '--mults', 'mul8u_L40', '--images', '4')
  t.equal(folder.code, 1)
  t.match(folder.stderr, /^axq: cannot read .*folder: it is a folder\n$/)
})
