import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {conv2dFloat, floatConvVariants, type Conv2DFloatGeometry} from '../../src/native/floatKernels.js'
import {windowDim, type Padding} from '../../src/runtime/shapes.js'
import {attrs, f32, fmaf, randomFloats, values, firstBitDifference} from './tensors.js'

const conv = (x: ReturnType<typeof f32>, w: ReturnType<typeof f32>, a: Record<string, unknown>, threads?: number) =>
  runOp('Conv2D', [x, w], {strides: attrs.nhwc(1, 1), padding: attrs.string('SAME'), ...(a as object)}, {threads})

const nine = f32([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9])

t.test('hand-computed: VALID, SAME (pad after only), stride 2, 1x1 multi-channel, dilation', async (t) => {
  const ones2 = f32([2, 2, 1, 1], [1, 1, 1, 1])
  let [y] = await conv(nine, ones2, {padding: attrs.string('VALID')})
  t.same(y.shape, [1, 2, 2, 1])
  t.same(values(y), [12, 16, 24, 28])
  ;[y] = await conv(nine, ones2, {padding: attrs.string('SAME')})
  t.same(y.shape, [1, 3, 3, 1])
  t.same(values(y), [12, 16, 9, 24, 28, 15, 15, 17, 9], 'SAME with an even kernel pads only after')
  const ones3 = f32([3, 3, 1, 1], Array(9).fill(1))
  ;[y] = await conv(nine, ones3, {strides: attrs.nhwc(2, 2)})
  t.same(y.shape, [1, 2, 2, 1])
  t.same(values(y), [12, 16, 24, 28], 'stride 2 SAME: total pad 2 split 1/1')
  ;[y] = await conv(nine, ones3, {strides: attrs.nhwc(2, 2), padding: attrs.string('VALID')})
  t.same(values(y), [45])
  ;[y] = await conv(f32([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]), f32([1, 1, 3, 2], [1, 0, 0, 1, 1, 1]), {})
  t.same(y.shape, [1, 1, 2, 2])
  t.same(values(y), [4, 5, 10, 11], '1x1 kernel mixes channels')
  ;[y] = await conv(f32([1, 5, 1, 1], [1, 2, 3, 4, 5]), f32([3, 1, 1, 1], [1, 1, 1]), {padding: attrs.string('VALID'), dilations: attrs.nhwc(2, 1)})
  t.same(values(y), [9], 'dilation 2 reads taps 0, 2, 4')
  ;[y] = await conv(nine, ones2, {padding: attrs.string('EXPLICIT'), explicit_paddings: attrs.intList([0, 0, 1, 0, 0, 1, 0, 0])})
  t.same(y.shape, [1, 3, 3, 1])
  t.same(values(y), [3, 5, 3, 12, 16, 9, 24, 28, 15])
  ;[y] = await conv(f32([2, 1, 1, 1], [2, -3]), f32([1, 1, 1, 1], [0.5]), {})
  t.same(values(y), [1, -1.5], 'batch of 2')
})

t.test('accumulation order is (kh, kw, ci), one fused multiply-add (single rounding) per tap', async (t) => {
  // (1e8 + 1) − 1e8 = 0 in float32: any other order (or a wider accumulator) gives 1.
  let [y] = await conv(f32([1, 1, 1, 3], [1e8, 1, -1e8]), f32([1, 1, 3, 1], [1, 1, 1]), {})
  t.same(values(y), [0], 'ci order')
  ;[y] = await conv(f32([1, 1, 3, 1], [1e8, 1, -1e8]), f32([1, 3, 1, 1], [1, 1, 1]), {padding: attrs.string('VALID')})
  t.same(values(y), [0], 'kw order')
  // (1e8 − 1e8) + 1 = 1 ascending; descending would give (1 − 1e8) + 1e8 = 0.
  ;[y] = await conv(f32([1, 3, 1, 1], [1e8, -1e8, 1]), f32([3, 1, 1, 1], [1, 1, 1]), {padding: attrs.string('VALID')})
  t.same(values(y), [1], 'kh ascending')
  // a = 1 + 2^-12: a·a = 1 + 2^-11 + 2^-24 needs 25 bits. fma(a, a, −1) keeps it: 2^-11 + 2^-24;
  // a rounded product (1 + 2^-11, ties to even) then an add would give 2^-11.
  const a = 1 + 2 ** -12
  ;[y] = await conv(f32([1, 1, 1, 2], [-1, a]), f32([1, 1, 2, 1], [1, a]), {})
  t.same(values(y), [2 ** -11 + 2 ** -24], 'product and sum rounded once')
})

t.test('taps outside the image read +0 (zero padding, as TensorFlow)', async (t) => {
  // An infinite weight on a padded tap gives 0·∞ = NaN, as in TF's zero-padded contraction;
  const w = f32([3, 3, 1, 1], [Infinity, 0, 0, 0, 1, 0, 0, 0, 0])
  let [y] = await conv(f32([1, 2, 2, 1], [1, 2, 3, 4]), w, {})
  const got = values(y)
  t.ok(got.slice(0, 3).every(Number.isNaN), 'pixels whose top-left tap is padding: NaN')
  t.equal(got[3], Infinity, 'pixel (1,1): ∞·1 + 4')
  ;[y] = await conv(f32([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]), w, {padding: attrs.string('SAME')})
  const v = values(y)
  t.ok([0, 1, 2, 3, 6].every((k) => Number.isNaN(v[k])), 'every pixel whose top-left tap is padding is NaN')
  t.same([v[4], v[5], v[7], v[8]], [Infinity, Infinity, Infinity, Infinity], 'inside: ∞·x + x')
})

t.test('errors name the node', async (t) => {
  await t.rejects(conv(nine, f32([2, 2, 2, 1], Array(8).fill(1)), {}), /node 'test_Conv2D' \(Conv2D\): input depth 1 .* does not match filter input depth 2/)
  await t.rejects(conv(f32([3, 3], Array(9).fill(1)), f32([1, 1, 1, 1], [1]), {}), /input 0 \(input\) must be 4-D, got shape \[3,3\]/)
  await t.rejects(conv(nine, f32([1, 1, 1, 1], [1]), {padding: attrs.string('FULL')}), /unsupported padding 'FULL'/)
  await t.rejects(conv(nine, f32([1, 1, 1, 1], [1]), {strides: attrs.intList([2, 1, 1, 1])}), /attr 'strides' = \[2,1,1,1\]/)
  await t.rejects(conv(nine, f32([5, 5, 1, 1], Array(25).fill(1)), {padding: attrs.string('VALID'), strides: attrs.nhwc(1, 1)}), /negative output size/)
  await t.rejects(conv(nine, f32([1, 1, 1, 1], [1]), {data_format: attrs.string('NCHW')}), /data_format 'NCHW' is not supported/)
})

/** Independent TypeScript reference with the documented operations (fma per tap, zero padding). */
function tsConv(x: Float32Array, w: Float32Array, g: Conv2DFloatGeometry): Float32Array {
  const [n, h, wd, c] = g.input
  const [kh, kw, , co] = g.filter
  const out = new Float32Array(n * g.outH * g.outW * co)
  for (let b = 0; b < n; b++)
    for (let i = 0; i < g.outH; i++)
      for (let j = 0; j < g.outW; j++)
        for (let o = 0; o < co; o++) {
          let acc = 0
          for (let p = 0; p < kh; p++) {
            const y = i * g.strides[0] - g.padTop + p * g.dilations[0]
            for (let q = 0; q < kw; q++) {
              const xx = j * g.strides[1] - g.padLeft + q * g.dilations[1]
              const inside = y >= 0 && y < h && xx >= 0 && xx < wd
              for (let ci = 0; ci < c; ci++) acc = fmaf(inside ? x[((b * h + y) * wd + xx) * c + ci] : 0, w[((p * kw + q) * c + ci) * co + o], acc)
            }
          }
          out[((b * g.outH + i) * g.outW + j) * co + o] = acc
        }
  return out
}

t.test('native fast == native reference == TS reference, any thread count, every SGEMM variant', async (t) => {
  const variants = floatConvVariants()
  t.ok(variants.includes('generic'), `variants this CPU runs: ${variants.join(', ')}`)
  const cases: [number, number, number, number, number, number, number, number, Padding, number][] = [
    // n, h, w, c, k(h), k(w), co, stride, padding, dilation
    [1, 7, 7, 3, 3, 3, 16, 1, 'SAME', 1],
    [3, 9, 8, 5, 3, 3, 13, 2, 'SAME', 1],
    [2, 8, 8, 16, 1, 1, 32, 2, 'VALID', 1],
    [1, 11, 10, 4, 5, 5, 40, 1, 'SAME', 1],
    [2, 6, 9, 2, 5, 3, 7, 2, 'VALID', 1],
    [1, 5, 5, 3, 2, 2, 9, 1, 'SAME', 1],
    [4, 5, 6, 8, 3, 3, 64, 1, 'SAME', 1],
    [1, 9, 9, 2, 3, 3, 3, 1, 'SAME', 2],
    [5, 4, 4, 1, 4, 4, 1, 3, 'SAME', 1],
    // wide rows; channel counts around the micro-tile widths (8, 16, 32, 48, 64 and more: several
    // column panels and partial ones); pixel counts that leave partial micro-tiles
    [2, 6, 23, 5, 3, 3, 32, 1, 'SAME', 1],
    [1, 9, 21, 3, 3, 3, 16, 2, 'SAME', 1],
    [1, 5, 19, 4, 3, 2, 48, 1, 'VALID', 2],
    [3, 3, 11, 16, 1, 1, 16, 1, 'VALID', 1],
    // ResNet-8's layers: 3 input channels, 8-wide rows where every 4-pixel block has edge taps
    [2, 32, 32, 3, 3, 3, 16, 1, 'SAME', 1],
    [2, 8, 8, 64, 3, 3, 64, 1, 'SAME', 1],
    [2, 16, 16, 32, 3, 3, 64, 2, 'SAME', 1],
    [1, 7, 13, 4, 3, 3, 32, 1, 'SAME', 2],
    [1, 6, 7, 5, 3, 3, 70, 1, 'SAME', 1],
    [1, 5, 5, 9, 3, 3, 130, 2, 'SAME', 1],
    [2, 7, 5, 3, 3, 3, 24, 1, 'VALID', 1],
    [1, 4, 6, 2, 1, 3, 17, 1, 'SAME', 3],
    [1, 3, 3, 0, 3, 3, 4, 1, 'SAME', 1],
  ]
  let seed = 1
  for (const [n, h, w, c, kh, kw, co, s, padding, d] of cases) {
    const rows = windowDim(h, kh, s, d, padding)
    const cols = windowDim(w, kw, s, d, padding)
    const g: Conv2DFloatGeometry = {input: [n, h, w, c], filter: [kh, kw, c, co], outH: rows.out, outW: cols.out, strides: [s, s], dilations: [d, d], padTop: rows.padBefore, padLeft: cols.padBefore}
    const x = randomFloats(n * h * w * c, seed++).map((v) => v * 1000)
    const f = randomFloats(kh * kw * c * co, seed++)
    const want = tsConv(x, f, g)
    const ref = await conv2dFloat(x, f, g, {reference: true})
    const label = `[${n},${h},${w},${c}] * [${kh},${kw},${c},${co}] s${s} ${padding} d${d}`
    t.equal(firstBitDifference(ref, want), -1, `reference == TS ${label}`)
    // 100000: far above the pool's cap of 256 threads (once started one thread per requested
    // thread on every call, and aborted).
    for (const threads of [1, 2, 3, 7, 100000]) {
      const fast = await conv2dFloat(x, f, g, {threads})
      t.equal(firstBitDifference(fast, want), -1, `fast (${threads} threads) == reference ${label}`)
    }
    for (const isa of variants) {
      const fast = await conv2dFloat(x, f, g, {threads: 2, isa})
      t.equal(firstBitDifference(fast, want), -1, `fast ${isa} == reference ${label}`)
    }
  }
})

t.test('the Conv2D op runs the native kernel and matches the TS reference', async (t) => {
  const x = randomFloats(2 * 10 * 10 * 3, 99)
  const f = randomFloats(3 * 3 * 3 * 16, 100)
  const [y] = await conv(f32([2, 10, 10, 3], Array.from(x)), f32([3, 3, 3, 16], Array.from(f)), {strides: attrs.nhwc(2, 2)}, 2)
  t.same(y.shape, [2, 5, 5, 16])
  const rows = windowDim(10, 3, 2, 1, 'SAME')
  const want = tsConv(x, f, {input: [2, 10, 10, 3], filter: [3, 3, 3, 16], outH: 5, outW: 5, strides: [2, 2], dilations: [1, 1], padTop: rows.padBefore, padLeft: rows.padBefore})
  t.same(values(y), Array.from(want))
})
