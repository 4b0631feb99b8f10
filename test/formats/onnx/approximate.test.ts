/**
 * Approximate products in ONNX layers: the native kernels (AxConv2D fast path for group-1
 * layers, cpp/onnx_qconv.cc for the rest, the native padding and requantization) agree with the plain reference loop bit for bit, with
 * unsigned and signed tables; exact tables reproduce the exact layer; signedness mismatches are
 * clear errors.
 */
import t from 'tap'
import path from 'node:path'
import fs from 'node:fs'
import os from 'node:os'
import {fixturesDir, hasShared, repoRoot, shared} from '../../helpers/paths.js'
import {runInference} from '../../../src/infer/inference.js'
import {paddedNhwc, quantizedConvAccumulators} from '../../../src/runtime/ops/onnx/qlinearConv.js'
import {requantize} from '../../../src/runtime/ops/onnx/onnxQuantization.js'
import {onnxPadNhwcNative, onnxQConvNative, onnxRequantizeNative} from '../../../src/native/onnxKernels.js'
import {decodeNpyTensor} from '../../../src/data/npz.js'
import {prng} from '../../../src/bench/convInputs.js'

const fixture = (name: string) => path.join(fixturesDir, 'onnx', name)
const data = fixture('tiny_cnn_data.npz')
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-onnx-'))
t.teardown(() => fs.rmSync(outDir, {recursive: true, force: true}))

async function logits(model: string, mult: string, extra: Partial<Parameters<typeof runInference>[0]> = {}): Promise<Float32Array> {
  const file = path.join(outDir, `${path.basename(model)}.${mult}.npy`)
  await runInference({graph: path.isAbsolute(model) ? model : fixture(model), data, batchSize: 16, iterations: 1, mult, tune: false, saveLogits: file, ...extra})
  return decodeNpyTensor(fs.readFileSync(file), file).data as Float32Array
}

t.test('native kernels equal the reference loop on approximate tables', async (t) => {
  for (const [model, mult] of [['tiny_cnn.qop.u8u8.onnx', 'trunc8u_k3'], ['tiny_cnn.qop.s8s8.onnx', 'mul8s_1L2H'], ['tiny_cnn.qdq.s8s8.onnx', 'mul8s_1KR3']]) {
    const fast = await logits(model, mult)
    process.env.AXQ_KERNEL = 'reference'
    try {
      t.same([...(await logits(model, mult))], [...fast], `${model} with ${mult}`)
    } finally {
      delete process.env.AXQ_KERNEL
    }
    t.notSame([...fast], [...(await logits(model, 'mul8u_1JFF'))], `${mult} changes the logits`)
  }
})

t.test('an exact table of either signedness is the exact layer; tuning and per-layer multipliers apply', async (t) => {
  const exact = await logits('tiny_cnn.qop.s8s8.onnx', 'mul8u_1JFF')
  t.same([...(await logits('tiny_cnn.qop.s8s8.onnx', 'mul8s_1KV6'))], [...exact])
  const one = await logits('tiny_cnn.qop.s8s8.onnx', 'mul8u_1JFF', {layerMults: ['dwconv_quant=mul8s_1L2H']})
  t.notSame([...one], [...exact], '--layer-mult changes one layer')
  const tuned = await logits('tiny_cnn.qop.u8u8.onnx', 'mul8u_L40', {tune: true})
  t.notSame([...tuned], [...(await logits('tiny_cnn.qop.u8u8.onnx', 'mul8u_L40'))], '--tune remaps the table')
})

t.test('a table of the wrong signedness is one clear error', async (t) => {
  await t.rejects(logits('tiny_cnn.qop.u8u8.onnx', 'mul8s_1L2H'), /signed table .*this uint8×uint8 layer.*QuantType\.QInt8/)
  await t.rejects(logits('tiny_cnn.qop.s8s8.onnx', 'trunc8u_k3'), /unsigned table .*int8×int8 layer.*QuantType\.QUInt8/)
})

t.test('onnxQConv (native) equals quantizedConvAccumulators for grouped, strided, dilated, padded layers', async (t) => {
  const rng = prng(7)
  const cases = [
    {C: 8, M: 8, group: 8, K: 3, s: 1, d: 1, p: 1, H: 9},
    {C: 6, M: 4, group: 2, K: 3, s: 2, d: 1, p: 1, H: 10},
    {C: 4, M: 5, group: 1, K: 3, s: 1, d: 2, p: 2, H: 8},
    {C: 3, M: 2, group: 1, K: 1, s: 2, d: 1, p: 0, H: 7},
  ]
  for (const c of cases) {
    for (const [xSigned, wSigned] of [[false, false], [true, true], [false, true]]) {
      const N = 2
      const Ho = Math.floor((c.H + 2 * c.p - (c.d * (c.K - 1) + 1)) / c.s) + 1
      const g = {N, C: c.C, H: c.H, W: c.H, KH: c.K, KW: c.K, strideH: c.s, strideW: c.s, dilationH: c.d, dilationW: c.d, padTop: c.p, padLeft: c.p, Ho, Wo: Ho}
      const xBytes = Uint8Array.from({length: N * c.C * c.H * c.H}, () => Math.floor(rng() * 256))
      const wBytes = Uint8Array.from({length: c.M * (c.C / c.group) * c.K * c.K}, () => Math.floor(rng() * 256))
      const x = xSigned ? new Int8Array(xBytes.buffer) : xBytes
      const w = wSigned ? new Int8Array(wBytes.buffer) : wBytes
      const zx = xSigned ? -3 : 117
      const zw = wSigned ? 0 : 131
      const table = xSigned === wSigned ? Int32Array.from({length: 65536}, () => Math.floor(rng() * 60000) - 20000) : null
      for (const tab of table ? [table, null] : [null]) {
        const want = quantizedConvAccumulators(x, w, g, c.M, c.group, zx, zw, undefined, tab ?? undefined, new Int32Array(N * c.M * Ho * Ho))
        const got = await onnxQConvNative({...g, M: c.M, group: c.group, zx, zw, xSigned, wSigned, x: xBytes, w: wBytes, table: tab, out: new Int32Array(N * c.M * Ho * Ho), threads: 3})
        t.same([...got], [...want], `${JSON.stringify(c)} x ${xSigned ? 's8' : 'u8'} w ${wSigned ? 's8' : 'u8'} ${tab ? 'table' : 'exact'}`)
      }
    }
  }
})

t.test('onnxPadNhwc and onnxRequantize (native) equal their plain twins', async (t) => {
  const rng = prng(11)
  for (const c of [{N: 2, C: 3, H: 5, W: 6, Hp: 7, Wp: 8, top: 1, left: 1}, {N: 1, C: 4, H: 7, W: 7, Hp: 8, Wp: 8, top: 1, left: 1}, {N: 3, C: 2, H: 4, W: 4, Hp: 4, Wp: 4, top: 0, left: 0}]) {
    const x = Uint8Array.from({length: c.N * c.C * c.H * c.W}, () => Math.floor(rng() * 256))
    const g = {N: c.N, C: c.C, H: c.H, W: c.W, KH: 3, KW: 3, Ho: 0, Wo: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: c.top, padLeft: c.left}
    for (const flip of [0, 0x80]) {
      const want = paddedNhwc(x, g, c.Hp, c.Wp, 77, flip)
      const got = await onnxPadNhwcNative(x, {N: c.N, C: c.C, H: c.H, W: c.W, Hp: c.Hp, Wp: c.Wp, padTop: c.top, padLeft: c.left}, 77, flip, 2)
      t.same([...got], [...want], `pad ${JSON.stringify(c)} flip ${flip}`)
    }
  }
  const N = 3
  const M = 5
  const plane = 7
  // Accumulators around the clamp edges and ties (x.5 after scaling) as well as random ones.
  const acc = Int32Array.from({length: N * M * plane}, (_, i) => (i % 4 === 0 ? (i % 9) * 2 - 9 : Math.floor(rng() * 400000) - 200000))
  const bias = Int32Array.from({length: M}, () => Math.floor(rng() * 2000) - 1000)
  const scales = Float32Array.from([0.5, 0.001, 0.0003, 1.5, 0.25])
  for (const [lo, hi, zp] of [[0, 255, 131], [-128, 127, -5]]) {
    for (const b of [bias, null]) {
      for (const nhwc of [false, true]) {
        const want = new Uint8Array(N * M * plane)
        for (let n = 0; n < N; n++)
          for (let m = 0; m < M; m++)
            for (let p = 0; p < plane; p++) {
              const a = acc[nhwc ? (n * plane + p) * M + m : (n * M + m) * plane + p]
              want[(n * M + m) * plane + p] = requantize(b ? (a + b[m]) | 0 : a, scales[m], zp, {lo, hi}) & 255
            }
        const out = new Uint8Array(N * M * plane)
        await onnxRequantizeNative({acc, nhwc, N, M, plane, bias: b, scales, zp, lo, hi, out, threads: 3})
        t.same([...out], [...want], `requantize ${lo}..${hi} zp ${zp} ${b ? 'bias' : 'no bias'} ${nhwc ? 'NHWC' : 'NCHW'}`)
      }
    }
  }
})

// The example networks (examples/onnx) with approximate tables on real CIFAR-10 images: every fast
// kernel path they take (AVX-512 depthwise planes, fused windows loop for 1×1 and 3-channel layers,
// AxConv2D rows for 3×3 layers) equals the plain loop, on 1 and 2 threads.
const exampleOnnx = path.join(repoRoot, 'examples', 'onnx')
const exampleSkip = !hasShared ? 'needs ../shared' : !fs.existsSync(path.join(exampleOnnx, 'mobilenetv2.u8u8.qop.onnx')) ? 'needs examples/onnx' : false
for (const [model, mult] of [['mobilenetv2.u8u8.qop', 'mul8u_L40'], ['mobilenetv2.s8s8.qop.pc', 'mul8s_1L2H'], ['resnet20.u8u8.qop', 'mul8u_L40']]) {
  t.test(`${model} with ${mult}: fast kernels == reference loop, any thread count`, {skip: exampleSkip}, async (t) => {
    const opts = {data: shared('cifar10', 'test_batch.bin'), batchSize: 8}
    const file = path.join(exampleOnnx, `${model}.onnx`)
    const one = await logits(file, mult, {...opts, threads: 1})
    t.same([...(await logits(file, mult, {...opts, threads: 2}))], [...one], '1 and 2 threads')
    process.env.AXQ_KERNEL = 'reference'
    try {
      t.same([...(await logits(file, mult, opts))], [...one], 'reference loop')
    } finally {
      delete process.env.AXQ_KERNEL
    }
  })
}
