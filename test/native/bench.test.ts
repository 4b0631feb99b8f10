/**
 * `axq bench`: layer shapes (built-in ResNet-8 and from a graph), the per-layer comparison of the
 * reference and fast kernels, and the command's JSON object and errors.
 */
import t from 'tap'
import {spawnSync} from 'node:child_process'
import {RESNET8_LAYERS, convLayersOfGraph, layerMacs, parseLayerShape} from '../../src/bench/convLayers.js'
import {benchLayers, geometricMean} from '../../src/bench/convBench.js'
import {syntheticCodes, syntheticInputs} from '../../src/bench/convInputs.js'
import {exactTable} from '../../src/mults/table.js'
import {cliPath, hasShared, shared} from '../helpers/paths.js'

t.test('ResNet-8 layers and their MACs per image', async (t) => {
  t.same(RESNET8_LAYERS.map(layerMacs), [442368, 2359296, 2359296, 1179648, 2359296, 1179648, 2359296])
})

t.test('layers of resnet_8_quant_ax.pb, input 32x32 propagated', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const layers = convLayersOfGraph(shared('models', 'resnet_8_quant_ax.pb'))
  t.equal(layers.length, RESNET8_LAYERS.length)
  for (const [i, l] of layers.entries()) {
    const b = RESNET8_LAYERS[i]
    t.same([l.H, l.W, l.C, l.KH, l.KW, l.K, l.stride, l.padding], [b.H, b.W, b.C, b.KH, b.KW, b.K, b.stride, b.padding], l.name)
  }
  t.equal(layers[0].filter, undefined, 'the first filter is quantized at run time')
  t.equal(layers[6].filter?.length, 3 * 3 * 64 * 64, 'later filters are quint8 Consts')
})

t.test('synthetic codes are deterministic and shaped like ReLU outputs', async (t) => {
  const a = syntheticCodes(20000, 'relu', 7, 120, 0.6)
  t.same(a, syntheticCodes(20000, 'relu', 7, 120, 0.6))
  const floor = a.filter((v) => v === 120).length / a.length
  t.ok(floor > 0.58 && floor < 0.62, `share at the zero point ${floor}`)
  t.equal(a.filter((v) => v < 120).length, 0, 'nothing below the ReLU floor')
  const u = syntheticCodes(20000, 'uniform', 7)
  t.ok(u.filter((v) => v > 200).length > 3000, 'uniform codes reach the top of the range')
  const typical = syntheticInputs(RESNET8_LAYERS[6], 2, 'typical', 1)
  t.equal(typical.zi, 145)
  t.equal(typical.input.length, 2 * 8 * 8 * 64)
  t.equal(typical.filter.length, 3 * 3 * 64 * 64)
})

t.test('geometric mean', async (t) => {
  t.equal(geometricMean([2, 8]), 4)
  t.equal(geometricMean([]), 0)
})

t.test('benchLayers compares both kernels on each layer', async (t) => {
  const layers = [
    {name: 'a', H: 6, W: 5, C: 3, KH: 3, KW: 3, K: 8, stride: 1, padding: 'SAME' as const},
    {name: 'b', H: 7, W: 7, C: 4, KH: 3, KW: 3, K: 16, stride: 2, padding: 'VALID' as const},
  ]
  const seen: string[] = []
  const r = await benchLayers({layers, table: exactTable(), mult: 'mul8u_1JFF', tune: false, batch: 2, threads: 2, minFastSeconds: 0, onLayer: (l) => seen.push(l.name)})
  t.same(seen, ['a', 'b'])
  t.equal(r.threads, 2)
  t.same(r.layers.map((l) => l.macs), [6 * 5 * 8 * 27, 3 * 3 * 16 * 36])
  for (const l of r.layers) {
    t.ok(l.referenceGmacs > 0 && l.fastGmacs > 0, `${l.name}: rates`)
    t.equal(l.speedup, l.fastGmacs / l.referenceGmacs)
  }
  t.equal(r.speedup, geometricMean(r.layers.map((l) => l.speedup)))
})

t.test('axq bench --json prints one object', async (t) => {
  const run = spawnSync(process.execPath, [cliPath, 'bench', '--json', '--batch', '1', '--mult', 'mul8u_1JFF', '--threads', '2', '--min-time', '0'], {encoding: 'utf8'})
  t.equal(run.status, 0, run.stderr)
  const out = JSON.parse(run.stdout) as {threads: number; layers: {name: string; macs: number; referenceGmacs: number; fastGmacs: number; speedup: number}[]; speedup: number; endToEnd: unknown}
  t.equal(out.threads, 2)
  t.same(out.layers.map((l) => l.macs), RESNET8_LAYERS.map(layerMacs))
  t.same(Object.keys(out.layers[0]), ['name', 'macs', 'referenceGmacs', 'fastGmacs', 'speedup', 'referenceCpuGmacs', 'fastCpuGmacs', 'path', 'rowBytes'])
  t.equal((out as unknown as {activations: string}).activations, 'typical')
  t.ok(out.speedup > 0)
  t.equal(out.endToEnd, null)
  t.equal(run.stdout.trim().split('\n').length, 1, 'one line on stdout')
})

t.test('axq bench on real activations of resnet_8_quant_ax.pb', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const run = spawnSync(process.execPath, [
    cliPath, 'bench', '--json', '--graph', shared('models', 'resnet_8_quant_ax.pb'), '--data', shared('cifar10', 'test_first1000.bin'),
    '--activations', 'real', '--batch', '2', '--mult', 'mul8u_1JFF', '--threads', '2', '--min-time', '0', '--no-end-to-end',
  ], {encoding: 'utf8'})
  t.equal(run.status, 0, run.stderr)
  const out = JSON.parse(run.stdout) as {layers: {name: string; macs: number}[]; activations: string; batch: number; endToEnd: unknown}
  t.equal(out.activations, 'real')
  t.equal(out.batch, 2)
  t.same(out.layers.map((l) => l.macs), RESNET8_LAYERS.map(layerMacs))
  t.match(out.layers[6].name, /stage_2\/residual_v1\/conv2d_1/)
  t.equal(out.endToEnd, null, '--no-end-to-end')
})

t.test('layer shapes from --shape HxWxCin:Cout:k:stride', async (t) => {
  const l = parseLayerShape('16x16x256:256:3:1')
  t.same([l.H, l.W, l.C, l.K, l.KH, l.KW, l.stride, l.padding], [16, 16, 256, 256, 3, 3, 1, 'SAME'])
  t.equal(layerMacs(l), 16 * 16 * 256 * 9 * 256)
  t.equal(layerMacs(parseLayerShape('7x5x3:10:5:2')), 4 * 3 * 10 * 25 * 3, 'SAME, stride 2: ceil(7/2) x ceil(5/2) outputs')
  for (const bad of ['16x16x256:256:3', '16x16:256:3:1', '0x4x4:4:3:1', '4x4x4:4:0:1', 'axbxc:1:1:1']) {
    t.throws(() => parseLayerShape(bad), {name: 'AxqError', message: /^--shape/}, bad)
  }
})

t.test('axq bench --shape: any layer (512 input channels; 5x5 stride 2), bit for bit, rows kept per layer', async (t) => {
  // 3x3x512 -> 64 on 2x2: 9·512·64·512 bytes = 144 MiB of rows, all kept; --json names the path.
  const run = spawnSync(process.execPath, [cliPath, 'bench', '--json', '--batch', '1', '--mult', 'mul8u_1JFF', '--threads', '1', '--min-time', '0', '--activations', 'uniform', '--shape', '2x2x512:64:3:1', '--shape', '5x4x3:10:5:2'], {encoding: 'utf8'})
  t.equal(run.status, 0, run.stderr)
  const out = JSON.parse(run.stdout) as {layers: {name: string; macs: number; path: string; rowBytes: number; fastCpuGmacs: number}[]}
  t.same(out.layers.map((l) => l.name), ['2x2x512:64:3:1', '5x4x3:10:5:2'])
  t.same(out.layers.map((l) => l.macs), [2 * 2 * 64 * 9 * 512, 3 * 2 * 10 * 25 * 3])
  t.equal(out.layers[0].path, 'rows')
  t.equal(out.layers[0].rowBytes, 9 * 512 * 256 * 64 * 2)
  t.equal(out.layers[1].path, 'windows', '75 taps x 256 x 16 channels x 2 bytes of rows (600 KiB): whole windows per pixel')
  t.ok(out.layers.every((l) => l.fastCpuGmacs > 0))
})

t.test('axq bench --float: end-to-end only, on a float graph', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const run = spawnSync(process.execPath, [
    cliPath, 'bench', '--json', '--float', '--graph', shared('models', 'resnet_8.pb'), '--data', shared('cifar10', 'test_first1000.bin'),
    '--batch-size', '20', '--iterations', '1', '--threads', '2',
  ], {encoding: 'utf8'})
  t.equal(run.status, 0, run.stderr)
  const out = JSON.parse(run.stdout) as {mode: string; endToEnd: {images: number; cpuSeconds: number; imagesPerSecond: number; accuracy: number}}
  t.equal(out.mode, 'float')
  t.equal(out.endToEnd.images, 20)
  t.ok(out.endToEnd.cpuSeconds > 0 && out.endToEnd.imagesPerSecond > 0)
  t.ok(out.endToEnd.accuracy >= 0 && out.endToEnd.accuracy <= 1)
})

t.test('axq bench errors', async (t) => {
  const floatNoData = spawnSync(process.execPath, [cliPath, 'bench', '--float'], {encoding: 'utf8'})
  t.equal(floatNoData.status, 1)
  t.match(floatNoData.stderr, /^axq: --float needs --graph and --data/)
  const badShape = spawnSync(process.execPath, [cliPath, 'bench', '--shape', '3x3:3'], {encoding: 'utf8'})
  t.equal(badShape.status, 1)
  t.match(badShape.stderr, /^axq: --shape '3x3:3': expected HxWxCin:Cout:k:stride/)
  const noGraph = spawnSync(process.execPath, [cliPath, 'bench', '--data', 'x.bin'], {encoding: 'utf8'})
  t.equal(noGraph.status, 1)
  t.match(noGraph.stderr, /^axq: --data needs --graph/)
  const badMult = spawnSync(process.execPath, [cliPath, 'bench', '--mult', 'mul8u_NOPE_X'], {encoding: 'utf8'})
  t.equal(badMult.status, 1)
  t.match(badMult.stderr, /unknown multiplier 'mul8u_NOPE_X'/)
  t.equal(badMult.stderr.trim().split('\n').length, 1, 'one line')
})
