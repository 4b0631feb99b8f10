/**
 * The native depthwise kernel (cpp/onnx_qconv.cc with its AVX-512 and AVX-512 VBMI planes, cpp/onnx_depthwise*)
 * equals the plain reference loop (quantizedConvAccumulators, then requantize) bit for bit, on
 * every instruction-set variant this CPU runs and any thread count: edge shapes (1×1 images,
 * odd sizes, widths around the 8/16/32-lane groups, strides 1–3, dilation, asymmetric output
 * sizes, channel multipliers, 1×1 and 5×5 kernels), unsigned, signed and mixed operands, exact
 * products, realistic tables and tables whose entries do not fit 16 bits (the plain loop).
 */
import t from 'tap'
import {quantizedConvAccumulators} from '../../../src/runtime/ops/onnx/qlinearConv.js'
import {requantize} from '../../../src/runtime/ops/onnx/onnxQuantization.js'
import {onnxQConvNative, onnxQConvVariants} from '../../../src/native/onnxKernels.js'
import {prng} from '../../../src/bench/convInputs.js'

interface Case {C: number; mult: number; K: number; s: number; d: number; p: number; H: number; W: number}

const cases: Case[] = [
  {C: 3, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 1, W: 1},
  {C: 5, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 7, W: 9},
  {C: 4, mult: 1, K: 3, s: 2, d: 1, p: 1, H: 9, W: 17},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 5, W: 16},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 3, W: 31},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 4, W: 33},
  {C: 3, mult: 1, K: 3, s: 2, d: 1, p: 1, H: 6, W: 64},
  {C: 2, mult: 1, K: 3, s: 2, d: 1, p: 0, H: 11, W: 70},
  {C: 3, mult: 2, K: 3, s: 1, d: 1, p: 1, H: 8, W: 8},
  {C: 2, mult: 1, K: 5, s: 1, d: 1, p: 2, H: 10, W: 12},
  {C: 2, mult: 1, K: 1, s: 2, d: 1, p: 0, H: 9, W: 9},
  {C: 2, mult: 1, K: 3, s: 3, d: 1, p: 1, H: 10, W: 10},
  {C: 2, mult: 1, K: 3, s: 1, d: 2, p: 2, H: 9, W: 20},
  {C: 17, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 16, W: 16},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 5, W: 64},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 3, W: 65},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 9, W: 5},
  // Plane heights that are not multiples of the rows per vector (2, 4 or 8).
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 7, W: 6},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 6, W: 12},
  {C: 2, mult: 1, K: 3, s: 1, d: 1, p: 1, H: 5, W: 30},
  {C: 2, mult: 1, K: 3, s: 2, d: 1, p: 1, H: 13, W: 12},
]

/** A table of `kind`: realistic products (fit 16 bits of the operands' signedness) or wide ones. */
function table(rng: () => number, signed: boolean, kind: 'fits' | 'wide'): Int32Array {
  return Int32Array.from({length: 65536}, (_, i) => {
    const a = signed ? ((i >> 8) << 24) >> 24 : i >> 8
    const b = signed ? ((i & 255) << 24) >> 24 : i & 255
    const jitter = Math.floor(rng() * 64) - 32
    if (kind === 'wide') return a * b * 3 + jitter
    return Math.max(signed ? -32768 : 0, Math.min(signed ? 32767 : 65535, a * b + jitter))
  })
}

t.test('depthwise kernel == reference loop on every variant, fused requantization included', async (t) => {
  const rng = prng(2024)
  const variants = onnxQConvVariants()
  t.ok(variants.includes('generic'))
  let checked = 0
  for (const c of cases) {
    const N = 2
    const M = c.C * c.mult
    const span = c.d * (c.K - 1) + 1
    const Ho = Math.floor((c.H + 2 * c.p - span) / c.s) + 1
    const Wo = Math.floor((c.W + 2 * c.p - span) / c.s) + 1
    const g = {N, C: c.C, H: c.H, W: c.W, KH: c.K, KW: c.K, strideH: c.s, strideW: c.s, dilationH: c.d, dilationW: c.d, padTop: c.p, padLeft: c.p, Ho, Wo}
    for (const [xSigned, wSigned] of [[false, false], [true, true], [false, true], [true, false]]) {
      const xBytes = Uint8Array.from({length: N * c.C * c.H * c.W}, () => Math.floor(rng() * 256))
      const wBytes = Uint8Array.from({length: M * c.K * c.K}, () => Math.floor(rng() * 256))
      const x = xSigned ? new Int8Array(xBytes.buffer) : xBytes
      const w = wSigned ? new Int8Array(wBytes.buffer) : wBytes
      const zx = xSigned ? -7 : 121
      const zw = wSigned ? 3 : 133
      const tables: [string, Int32Array | null][] = [['exact', null]]
      if (xSigned === wSigned) tables.push(['table', table(rng, xSigned, 'fits')], ['wide table', table(rng, xSigned, 'wide')])
      for (const [name, tab] of tables) {
        const acc = quantizedConvAccumulators(x, w, g, M, c.C, zx, zw, undefined, tab ?? undefined, new Int32Array(N * M * Ho * Wo))
        const bias = Int32Array.from({length: M}, () => Math.floor(rng() * 4000) - 2000)
        const scales = Float32Array.from({length: M}, () => 0.0002 + rng() * 0.002)
        const [lo, hi, zp] = xSigned ? [-128, 127, -3] : [0, 255, 129]
        const plane = Ho * Wo
        const want = Uint8Array.from(acc, (a, i) => requantize((a + bias[Math.floor(i / plane) % M]) | 0, scales[Math.floor(i / plane) % M], zp, {lo, hi}) & 255)
        for (const isa of variants) {
          for (const threads of [1, 3]) {
            const label = `${JSON.stringify(c)} x ${xSigned ? 's8' : 'u8'} w ${wSigned ? 's8' : 'u8'} ${name} ${isa} ${threads}t`
            const req = {...g, M, group: c.C, zx, zw, xSigned, wSigned, x: xBytes, w: wBytes, table: tab, threads, isa}
            const got = await onnxQConvNative({...req, out: new Int32Array(N * M * Ho * Wo)})
            const codes = await onnxQConvNative({...req, out: new Uint8Array(N * M * Ho * Wo), requantize: {bias, scales, zp, lo, hi}})
            if (!sameArrays(got, acc) || !sameArrays(codes, want)) t.fail(label)
            checked++
          }
        }
      }
    }
  }
  t.ok(checked > 0, `${checked} kernel runs equal the reference`)
})

t.test('an unknown instruction-set variant is a clear error', async (t) => {
  const one = Uint8Array.of(1)
  await t.rejects(
    onnxQConvNative({N: 1, C: 1, H: 1, W: 1, M: 1, KH: 1, KW: 1, Ho: 1, Wo: 1, group: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, zx: 0, zw: 0, xSigned: false, wSigned: false, x: one, w: one, table: null, out: new Int32Array(1), isa: 'mmx'}),
    /isa 'mmx' is not available/,
  )
})

function sameArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
