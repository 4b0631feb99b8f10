import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {attrs, f32, randomFloats, values, firstBitDifference} from './tensors.js'
import type {Tensor} from '../../src/core/tensor.js'
import {batchNormApplyReference, batchNormMomentsReference, batchNormScale} from '../../src/runtime/ops/fusedBatchNorm.js'
import {batchNormApplyFloat, batchNormMomentsFloat} from '../../src/native/floatKernels.js'
import {eigenPacketRsqrt} from '../../src/runtime/eigenRsqrt.js'

const F = Math.fround
const empty = f32([0], [])
const exact = {rsqrt: 'correctly-rounded' as const}
const train = (x: Tensor, gamma: number[], beta: number[], eps = 0.001, extra = {}) =>
  runOp('FusedBatchNorm', [x, f32([gamma.length], gamma), f32([beta.length], beta), empty, empty], {epsilon: attrs.float(eps), is_training: attrs.bool(true), ...extra}, exact)

/** The documented formulas, written out independently (sequential float32 sums per channel). */
function expectTraining(x: Float32Array, c: number, gamma: number[], beta: number[], eps: number) {
  const rows = x.length / c
  const inv = F(1 / rows)
  const mean: number[] = []
  const variance: number[] = []
  const y = new Float32Array(x.length)
  for (let ch = 0; ch < c; ch++) {
    let s = 0
    for (let r = 0; r < rows; r++) s = F(s + x[r * c + ch])
    const m = F(s * inv)
    let s2 = 0
    for (let r = 0; r < rows; r++) {
      const d = F(x[r * c + ch] - m)
      s2 = F(s2 + F(d * d))
    }
    const v = F(s2 * inv)
    const k = F(F(1 / F(Math.sqrt(F(v + F(eps))))) * gamma[ch])
    for (let r = 0; r < rows; r++) y[r * c + ch] = F(F(F(x[r * c + ch] - m) * k) + beta[ch])
    mean.push(m)
    variance.push(v)
  }
  const adjust = F(rows / Math.max(rows - 1, 1))
  return {y, mean, variance, corrected: variance.map((v) => F(v * adjust))}
}

t.test('training mode, hand-computed: mean, biased variance for y, Bessel-corrected output 2', async (t) => {
  // channel 0: 1, 3, 5, 7 → mean 4, biased var 5, corrected 20/3; channel 1: 0, 2, 0, 2 → mean 1, var 1
  const x = f32([1, 2, 2, 2], [1, 0, 3, 2, 5, 0, 7, 2])
  const [y, mean, variance, savedMean, savedVar] = await train(x, [2, 1], [0.5, -1], 0)
  const k0 = F(F(1 / F(Math.sqrt(5))) * 2)
  t.same(values(y), [F(F(-3 * k0) + 0.5), -2, F(F(-1 * k0) + 0.5), 0, F(F(1 * k0) + 0.5), -2, F(F(3 * k0) + 0.5), 0])
  t.same(values(mean), [4, 1])
  t.same(values(variance), [F(5 * F(4 / 3)), F(4 / 3)], 'output 2: variance · n/(n−1)')
  t.same(values(savedMean), [4, 1])
  t.same(values(savedVar), [5, 1], 'saved variance is the biased one')
  t.same(y.shape, [1, 2, 2, 2])
  const [constant] = await train(f32([1, 1, 2, 1], [3, 3]), [1], [0], 0)
  t.ok(values(constant).every(Number.isNaN), 'zero variance with epsilon 0: 0 · inf = NaN, as TF')
})

t.test('training mode sums each channel sequentially in float32 (row order)', async (t) => {
  // channel values 1e8, 1, 1, 1, 1, −1e8 (rows 0..5): sequential float32 sum = 0 (each +1 is lost),
  // an exact or pairwise sum would give 4.
  const x = f32([1, 6, 1, 1], [1e8, 1, 1, 1, 1, -1e8])
  const [, mean] = await train(x, [1], [0])
  t.same(values(mean), [0])
})

t.test('training mode equals the documented formulas on random data', async (t) => {
  const c = 5
  const x = randomFloats(3 * 7 * 6 * c, 42).map((v, i) => v * 10 + (i % c))
  const gamma = [1, 0.5, -2, 3, 1.25]
  const beta = [0, 1, -1, 0.25, 2]
  const want = expectTraining(x, c, gamma, beta, 1.001e-5)
  const [y, mean, variance, savedMean, savedVar] = await train(f32([3, 7, 6, c], Array.from(x)), gamma, beta, 1.001e-5)
  t.same(values(y), Array.from(want.y))
  t.same(values(mean), want.mean)
  t.same(values(variance), want.corrected)
  t.same(values(savedMean), want.mean)
  t.same(values(savedVar), want.variance)
})

t.test('inference mode uses the given mean and variance', async (t) => {
  const x = f32([1, 1, 2, 2], [1, 2, 3, 4])
  const [y, m, v] = await runOp('FusedBatchNormV2', [x, f32([2], [1, 2]), f32([2], [0, 1]), f32([2], [1, 2]), f32([2], [4, 0.25])], {epsilon: attrs.float(0), is_training: attrs.bool(false)}, exact)
  // channel 0: (x−1)·0.5; channel 1: (x−2)·(2/0.5)+1
  t.same(values(y), [0, 1, 1, 9])
  t.same(values(m), [1, 2])
  t.same(values(v), [4, 0.25])
})

t.test('defaults: is_training true, epsilon 1e-4; V3 has 6 outputs', async (t) => {
  const x = f32([1, 1, 2, 1], [0, 2])
  const out = await runOp('FusedBatchNormV3', [x, f32([1], [1]), f32([1], [0]), empty, empty], {}, exact)
  t.equal(out.length, 6)
  const k = F(1 / F(Math.sqrt(F(1 + F(1e-4)))))
  t.same(values(out[0]), [F(-k), k], 'normalised with the batch statistics and epsilon 1e-4')
})

t.test('exponential_avg_factor (V3) blends running statistics', async (t) => {
  const x = f32([1, 1, 2, 1], [0, 2])
  const out = await runOp('FusedBatchNormV3', [x, f32([1], [1]), f32([1], [0]), f32([1], [10]), f32([1], [4])], {exponential_avg_factor: attrs.float(0.5)})
  t.same(values(out[1]), [F(F(0.5 * 10) + F(0.5 * 1))])
  t.same(values(out[2]), [F(F(0.5 * 4) + F(F(0.5 * 2) * 1))], 'batch variance 1 corrected to 2')
})

t.test('empty input gives NaN statistics; errors name the node', async (t) => {
  const [y, m] = await train(f32([0, 2, 2, 3], []), [1, 1, 1], [0, 0, 0])
  t.same(y.shape, [0, 2, 2, 3])
  t.ok(values(m).every(Number.isNaN))
  await t.rejects(train(f32([1, 1, 1, 2], [1, 2]), [1], [0]), /node 'test_FusedBatchNorm' \(FusedBatchNorm\): input 1 \(scale\) must have shape \[2\]/)
  await t.rejects(train(f32([2, 2], [1, 2, 3, 4]), [1, 1], [0, 0]), /input 0 \(x\) must be 4-D/)
  await t.rejects(runOp('FusedBatchNorm', [f32([1, 1, 1, 2], [1, 2]), f32([2], [1, 1]), f32([2], [0, 0]), empty, empty], {is_training: attrs.bool(false)}), /input 3 \(mean\) must have shape \[2\]/)
})

t.test('default rsqrt: Eigen fast-math packets for the first floor(C/8)·8 channels, 1/sqrt for the rest', async (t) => {
  const c = 10
  const x = randomFloats(4 * 3 * c, 5).map((v, i) => v * 7 + (i % c))
  const gamma = Array.from({length: c}, (_, i) => 1 + i / 4)
  const beta = Array(c).fill(0.5)
  const ref = expectTraining(x, c, gamma, beta, 1.001e-5)
  const [y] = await runOp('FusedBatchNorm', [f32([4, 3, 1, c], Array.from(x)), f32([c], gamma), f32([c], beta), empty, empty], {epsilon: attrs.float(1.001e-5)})
  const k = ref.variance.map((v, ch) => F((ch < 8 ? eigenPacketRsqrt(F(v + F(1.001e-5))) : F(1 / F(Math.sqrt(F(v + F(1.001e-5)))))) * gamma[ch]))
  const want = Array.from(x, (v, i) => F(F(F(v - ref.mean[i % c]) * k[i % c]) + beta[i % c]))
  t.same(values(y), want)
  t.notSame(values(y), Array.from(ref.y), 'differs from the correctly rounded variant here')
})

t.test('native kernels == TypeScript reference twins, any thread count', async (t) => {
  let seed = 7
  for (const [rows, depth] of [[1000, 16], [517, 3], [64, 70], [2048, 8], [33, 1], [300, 64], [200, 24], [150, 32]]) {
    const x = randomFloats(rows * depth, seed++).map((v, i) => v * 50 + (i % depth) * 3)
    const gamma = randomFloats(depth, seed++)
    const beta = randomFloats(depth, seed++)
    const refMean = new Float32Array(depth)
    const refVar = new Float32Array(depth)
    batchNormMomentsReference(x, depth, refMean, refVar)
    const k = batchNormScale(refVar, gamma, 1.001e-5, 'eigen-fast-math')
    const want = batchNormApplyReference(x, depth, refMean, k, beta)
    for (const threads of [1, 2, 3, 7]) {
      const mean = new Float32Array(depth)
      const variance = new Float32Array(depth)
      await batchNormMomentsFloat(x, depth, mean, variance, {threads})
      const label = `[${rows},${depth}] ${threads} threads`
      t.equal(firstBitDifference(mean, refMean), -1, `mean ${label}`)
      t.equal(firstBitDifference(variance, refVar), -1, `variance ${label}`)
      const y = await batchNormApplyFloat(x, depth, refMean, k, beta, {threads})
      t.equal(firstBitDifference(y, want), -1, `y ${label}`)
    }
  }
  // the row-order sum is preserved natively too
  const x = new Float32Array(64 * 1024)
  x[0] = 1e8
  x[x.length - 1] = -1e8
  for (let i = 1; i < x.length - 1; i++) x[i] = 1
  const mean = new Float32Array(1)
  await batchNormMomentsFloat(x, 1, mean, new Float32Array(1), {threads: 2})
  t.same(Array.from(mean), [0], 'sequential float32: each +1 after 1e8 is lost')
  await t.rejects(batchNormMomentsFloat(new Float32Array(10), 3, new Float32Array(3), new Float32Array(3)), /do not form rows of 3 channels/)
})

t.test('large tensors (native path) give the same bits as small-tensor reference computation', async (t) => {
  const c = 16
  const x = randomFloats(64 * 8 * 8 * c, 11).map((v) => v * 3)
  const args = (data: number[], n: number) => [f32([n, 8, 8, c], data), f32([c], Array(c).fill(1.5)), f32([c], Array(c).fill(-0.25)), empty, empty]
  const [big] = await runOp('FusedBatchNorm', args(Array.from(x), 64), {epsilon: attrs.float(1e-3)}, {threads: 2})
  const mean = new Float32Array(c)
  const variance = new Float32Array(c)
  batchNormMomentsReference(x, c, mean, variance)
  const k = batchNormScale(variance, new Float32Array(c).fill(1.5), 1e-3, 'eigen-fast-math')
  const want = batchNormApplyReference(x, c, mean, k, new Float32Array(c).fill(-0.25))
  t.ok(x.length >= 1 << 15, 'above the native threshold')
  t.equal(firstBitDifference(big.data as Float32Array, want), -1)
})
