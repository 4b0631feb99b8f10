/**
 * The fused windows kernel of group-1 ONNX layers with few taps per window
 * (cpp/onnx_qconv_windows.cc: NCHW codes in, requantized NCHW codes out) equals the plain
 * reference loop (quantizedConvAccumulators, then requantize) bit for bit, on every
 * instruction-set variant this CPU runs and any thread count: 1×1 images, odd sizes, paddings,
 * strides 1–3, channel counts that are not multiples of 8, 1×1, 3×3 and 5×5 kernels, flipped
 * (int8 as shifted) codes; a layer with too many taps is declined without writing.
 */
import t from 'tap'
import {quantizedConvAccumulators} from '../../../src/runtime/ops/onnx/qlinearConv.js'
import {requantize} from '../../../src/runtime/ops/onnx/onnxQuantization.js'
import {onnxQConvWindowsNative, onnxQConvWindowsPrepared} from '../../../src/native/onnxKernels.js'
import {axconvInfo} from '../../../src/native/axconv.js'
import {prng} from '../../../src/bench/convInputs.js'

interface Case {C: number; M: number; K: number; s: number; p: number; H: number; W: number}

const cases: Case[] = [
  {C: 3, M: 16, K: 3, s: 1, p: 1, H: 1, W: 1},
  {C: 3, M: 16, K: 3, s: 1, p: 1, H: 9, W: 11},
  {C: 16, M: 64, K: 1, s: 1, p: 0, H: 8, W: 8},
  {C: 16, M: 24, K: 1, s: 2, p: 0, H: 9, W: 13},
  {C: 5, M: 10, K: 3, s: 2, p: 1, H: 7, W: 6},
  {C: 9, M: 33, K: 1, s: 1, p: 0, H: 3, W: 17},
  {C: 3, M: 5, K: 5, s: 3, p: 2, H: 11, W: 10},
  {C: 24, M: 96, K: 1, s: 1, p: 0, H: 4, W: 5},
  {C: 3, M: 8, K: 3, s: 1, p: 0, H: 3, W: 3},
  // Rows beyond AxConvFast's own windows budget, still fused: 3×3×16→16 and →32 (stride 2).
  {C: 16, M: 16, K: 3, s: 1, p: 1, H: 6, W: 7},
  {C: 16, M: 32, K: 3, s: 2, p: 1, H: 9, W: 8},
]

function exactish(rng: () => number): Uint16Array {
  return Uint16Array.from({length: 65536}, (_, i) => Math.max(0, Math.min(65535, (i >> 8) * (i & 255) + Math.floor(rng() * 200) - 100)))
}

t.test('windows kernel == reference loop on every variant and thread count', async (t) => {
  const rng = prng(99)
  const variants = axconvInfo().fastVariants
  let checked = 0
  for (const c of cases) {
    const N = 2
    const Ho = Math.floor((c.H + 2 * c.p - c.K) / c.s) + 1
    const Wo = Math.floor((c.W + 2 * c.p - c.K) / c.s) + 1
    const g = {N, C: c.C, H: c.H, W: c.W, KH: c.K, KW: c.K, strideH: c.s, strideW: c.s, dilationH: 1, dilationW: 1, padTop: c.p, padLeft: c.p, Ho, Wo}
    for (const flip of [0, 0x80]) {
      const x = Uint8Array.from({length: N * c.C * c.H * c.W}, () => Math.floor(rng() * 256))
      const w = Uint8Array.from({length: c.M * c.C * c.K * c.K}, () => Math.floor(rng() * 256))
      const filter = new Uint8Array(w.length)
      for (let m = 0; m < c.M; m++)
        for (let ch = 0; ch < c.C; ch++)
          for (let kh = 0; kh < c.K; kh++)
            for (let kw = 0; kw < c.K; kw++) filter[((kh * c.K + kw) * c.C + ch) * c.M + m] = w[((m * c.C + ch) * c.K + kh) * c.K + kw]
      const table = exactish(rng)
      const zi = 117
      const zf = 140
      // The kernel reads x ^ flip: the reference gets those codes.
      const acc = quantizedConvAccumulators(x.map((v) => v ^ flip), w, g, c.M, 1, zi, zf, undefined, table, new Int32Array(N * c.M * Ho * Wo))
      const bias = Int32Array.from({length: c.M}, () => Math.floor(rng() * 4000) - 2000)
      const scales = Float32Array.from({length: c.M}, () => 0.00002 + rng() * 0.0002)
      const [lo, hi, zp] = flip ? [-128, 127, 5] : [0, 255, 120]
      const plane = Ho * Wo
      const want = Uint8Array.from(acc, (a, i) => requantize((a + bias[Math.floor(i / plane) % c.M]) | 0, scales[Math.floor(i / plane) % c.M], zp, {lo, hi}) & 255)
      for (const isa of variants) {
        for (const threads of [1, 3]) {
          const out = new Uint8Array(want.length)
          const done = await onnxQConvWindowsNative({
            N, C: c.C, H: c.H, W: c.W, M: c.M, KH: c.K, KW: c.K, Ho, Wo, stride: c.s, padTop: c.p, padLeft: c.p,
            zi, zf, padCode: zi, flip, x, filter, table, bias, scales, zp, lo, hi, out, prepared: onnxQConvWindowsPrepared(), threads, isa,
          })
          const label = `${JSON.stringify(c)} flip ${flip} ${isa} ${threads}t`
          if (!done) t.fail(`${label}: declined`)
          else if (!out.every((v, i) => v === want[i])) t.fail(label)
          checked++
        }
      }
    }
  }
  t.ok(checked > 0, `${checked} kernel runs equal the reference`)
})

t.test('a prepared holder follows a changed table; a layer with many taps is declined', async (t) => {
  const rng = prng(5)
  const [N, C, H, W, M] = [1, 4, 5, 5, 8]
  const x = Uint8Array.from({length: N * C * H * W}, () => Math.floor(rng() * 256))
  const filter = Uint8Array.from({length: C * M}, () => Math.floor(rng() * 256))
  const prepared = onnxQConvWindowsPrepared()
  const base = {N, C, H, W, M, KH: 1, KW: 1, Ho: H, Wo: W, stride: 1, padTop: 0, padLeft: 0, zi: 0, zf: 0, padCode: 0, flip: 0, x, filter, bias: null, scales: new Float32Array(M).fill(0.01), zp: 0, lo: 0, hi: 255, prepared}
  const a = new Uint8Array(N * M * H * W)
  const b = new Uint8Array(N * M * H * W)
  t.ok(await onnxQConvWindowsNative({...base, table: exactish(rng), out: a}))
  t.ok(await onnxQConvWindowsNative({...base, table: new Uint16Array(65536), out: b}))
  t.ok(b.every((v) => v === 0), 'the all-zero table gives zero codes (rows rebuilt, not reused)')
  t.notOk(a.every((v) => v === 0))
  const wide = {...base, C: 512, M: 64, x: new Uint8Array(N * 512 * H * W), filter: new Uint8Array(512 * 64), scales: new Float32Array(64), out: new Uint8Array(N * 64 * H * W), table: new Uint16Array(65536)}
  wide.out.fill(7)
  t.notOk(await onnxQConvWindowsNative(wide), '512 taps × 32 channels of rows (8 MiB): declined')
  t.ok(wide.out.every((v) => v === 7), 'nothing written')
})
