// The fast ONNX float kernels (vectorized, multithreaded) against their reference twin, with the
// FMA build chosen where the CPU has it; onnxFloatGeneric.test.ts forces the portable build.
import t from 'tap'
import {onnxFloatFastVsReference} from './onnxFloatCases.js'
import {onnxConvFloat, onnxLogisticFloat} from '../../src/native/onnxFloatKernels.js'

t.test('fast == reference on random Conv and Gemm cases, any thread count', async (t) => {
  const {agree, failures} = await onnxFloatFastVsReference(4242, 60)
  t.same(failures, [])
  t.equal(agree, 60)
})

t.test('hand-computed: products rounded in the M = 1 kernel, exact inside FMA chains', async (t) => {
  // p0 = -(1 + 2^-11), p1 = (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 (not a float).
  // Separate multiply and add (one filter, M = 1 kernel): -(1 + 2^-11) + round(p1) = 0.
  // FMA chain (two filters over two positions, one SGEMM): fma(a1, b1, p0) = 2^-24 exactly.
  const a = -(1 + 2 ** -11)
  const b = 1 + 2 ** -12
  const base = {N: 1, H: 1, group: 1, KH: 1, Ho: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0}
  const depthwiseLike = {...base, C: 1, W: 2, M: 1, KW: 2, Wo: 1}
  const pointwise = {...base, C: 2, W: 2, M: 2, KW: 1, Wo: 2}
  for (const reference of [true, false]) {
    const how = reference ? 'reference' : 'fast'
    t.same([...(await onnxConvFloat(new Float32Array([a, b]), new Float32Array([1, b]), new Float32Array([0.5]), depthwiseLike, {reference}))], [0.5], `${how}: M = 1 kernel`)
    const y = await onnxConvFloat(new Float32Array([a, a, b, b]), new Float32Array([1, b, 1, b]), new Float32Array([0.5, 0]), pointwise, {reference})
    t.same([...y], [0.5 + 2 ** -24, 0.5 + 2 ** -24, 2 ** -24, 2 ** -24].map(Math.fround), `${how}: FMA chain, then the bias`)
  }
})

t.test('bad sizes are one clear error', async (t) => {
  const g = {N: 1, C: 2, H: 2, W: 2, M: 3, group: 2, KH: 1, KW: 1, Ho: 2, Wo: 2, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0}
  await t.rejects(onnxConvFloat(new Float32Array(8), new Float32Array(3), undefined, g), /do not divide into 2 groups/)
  await t.rejects(onnxConvFloat(new Float32Array(7), new Float32Array(4), undefined, {...g, M: 4}), /x has 7 values/)
})

t.test('Sigmoid (MLAS logistic): fast == reference, clamped tails', async (t) => {
  const x = Float32Array.from({length: 10007}, (_, i) => (i - 5000) / 200)
  const ref = await onnxLogisticFloat(x, {reference: true})
  t.same([...(await onnxLogisticFloat(x, {threads: 3}))], [...ref])
  t.equal(ref[0], ref[100], 'inputs below -18 give the value at -18')
  t.ok(ref.every((v) => v >= 0 && v <= 1.0000001))
})
