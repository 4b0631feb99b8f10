/**
 * FusedBatchNorm, FusedBatchNormV2 and FusedBatchNormV3 (CPU, NHWC, float32), after
 * tensorflow/core/kernels/fused_batch_norm_op.cc (FusedBatchNorm<CPUDevice, T, U, is_training>).
 * The tensor is viewed as [R, C] with R = N·H·W rows (docs/tf1-semantics.md B.12).
 *
 * Training mode (`is_training`, the op's default; ResNet-8 uses it):
 *   inv      = f32(1 / f32(R))
 *   mean_c   = f32(S1_c · inv),  S1_c = Σ_r x[r,c]                       (float32 sum)
 *   d        = f32(x − mean_c)
 *   var_c    = f32(S2_c · inv),  S2_c = Σ_r f32(d²)                      (float32 sum, biased)
 *   k_c      = f32(rsqrt(f32(var_c + ε)) · γ_c)   (rsqrt: see below)
 *   y        = f32(f32(d · k_c) + β_c)
 *   outputs: y, batch_mean = mean, batch_variance = f32(var · f32(f32(R) / f32(max(R − 1, 1))))
 *   (Bessel-corrected, only reported), saved mean = mean, saved variance = var (biased).
 *   With exponential_avg_factor f ≠ 1 (V3), outputs 1 and 2 are the running averages
 *   (1 − f)·old + f·batch as in TF.
 * Inference mode: k_c = f32(rsqrt(f32(variance_c + ε)) · γ_c), y = f32(f32(f32(x − mean_c) · k_c) + β_c);
 *   outputs 1..4 repeat the given mean and variance.
 *
 * SUMMATION ORDER (fixed, documented, independent of threads): every channel's sums S1_c and S2_c
 * are sequential float32 sums over r = 0, 1, …, R−1, i.e. in memory (row) order, starting from 0.
 * This is what TF 1.14's Eigen does for this reduction (the outer dimension reduced with the inner
 * one preserved: InnerMostDimPreserver accumulates one packet of channels per row, sequentially);
 * later Eigen versions switched to tree sums. Tensors of NATIVE_MIN_ELEMENTS or more run on the
 * native kernels (cpp/fused_batch_norm.cc: threads own blocks of channels and never split a
 * channel's rows; the normalisation is split by rows), smaller ones on their TypeScript reference
 * twins below (batchNormMomentsReference, batchNormApplyReference); both give identical bits for
 * any thread count.
 * CODE FORMS: when x is a Dequantize of 8-bit codes (src/runtime/codeForms.ts), training-mode
 * statistics are summed from the codes (the same values in the same order), y is looked up from
 * 256·depth values computed by batchNormApplyReference, and y's code form is recorded for
 * Min/Max (its range, found while writing y) and QuantizeV2 (one look-up per element): identical
 * bits, less memory traffic. Inside a Session y is not even written when its range follows from
 * each channel's smallest and largest code (codeForms.ts lookupRange, pending).
 * RSQRT (hazard H3): by default (RunOptions.rsqrt 'eigen-fast-math') as TF 1.x's AVX Eigen build
 * evaluates `(variance + ε).rsqrt()`: 8-wide packets of RSQRTPS + one Newton step for the first
 * floor(C/8)·8 channels, 1/sqrt for the rest, with RSQRTPS modelled by a measured table
 * (src/runtime/eigenRsqrt.ts). With it the quantized ResNet-8 gives the reference 0.834 on the
 * first 1000 test images; 'correctly-rounded' (f32(1/f32(sqrt))) gives 0.832. The float ResNet-8
 * gives 0.835 either way.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectInputCount, expectNHWC, expectRank, floatInput, opError} from '../opArgs.js'
import {shapeString, type Tensor} from '../../core/tensor.js'
import {rsqrtAt, type RsqrtMode} from '../eigenRsqrt.js'
import {batchNormApplyFloat, batchNormMomentsCodes, batchNormMomentsFloat} from '../../native/floatKernels.js'
import {channelCodeRangeNative, lutByChannelF32Native} from '../../native/quantizedKernels.js'
import {codeFormOf, lookupRange, materialize, nonZeroRange, recordCodeForm} from '../codeForms.js'
import {markRectified, reluFollows} from '../fusedRelu.js'

const f32 = Math.fround

function vector(ctx: OpContext, index: number, name: string, depth: number, allowEmpty: boolean): Float32Array {
  const {t, data} = floatInput(ctx, index, name)
  if (allowEmpty && data.length === 0) return data
  if (t.shape.length !== 1 || data.length !== depth) {
    throw opError(ctx, `input ${index} (${name}) must have shape [${depth}] (the channel count of x), got ${shapeString(t.shape)}`)
  }
  return data
}

function vec(data: Float32Array): Tensor {
  return {dtype: 'float32', shape: [data.length], data}
}

/**
 * Batch mean and biased variance of x viewed as [R, depth] (sequential float32 sums per channel,
 * rows in memory order). The reference twin of the native batchNormMomentsFloat.
 */
export function batchNormMomentsReference(x: Float32Array, depth: number, mean: Float32Array, variance: Float32Array): void {
  const n = x.length
  if (n === 0 || depth === 0) return
  const inv = f32(1 / f32(n / depth))
  const s1 = new Float32Array(depth) // stores round every partial sum to float32
  for (let i = 0, c = 0; i < n; i++) {
    s1[c] += x[i]
    if (++c === depth) c = 0
  }
  for (let c = 0; c < depth; c++) mean[c] = s1[c] * inv
  const s2 = new Float32Array(depth)
  for (let i = 0, c = 0; i < n; i++) {
    const d = f32(x[i] - mean[c])
    s2[c] += f32(d * d)
    if (++c === depth) c = 0
  }
  for (let c = 0; c < depth; c++) variance[c] = s2[c] * inv
}

/** y = f32(f32(f32(x − mean) · k) + offset) per channel. Reference twin of batchNormApplyFloat. */
export function batchNormApplyReference(x: Float32Array, depth: number, mean: Float32Array, k: Float32Array, offset: Float32Array): Float32Array {
  const y = new Float32Array(x.length)
  for (let i = 0, c = 0; i < x.length; i++) {
    y[i] = f32(f32(x[i] - mean[c]) * k[c]) + offset[c]
    if (++c === depth) c = 0
  }
  return y
}

/** k_c = f32(rsqrt(f32(variance_c + ε)) · γ_c), Eigen evaluating the depth-long vector. */
export function batchNormScale(variance: Float32Array, gamma: Float32Array, eps: number, mode: RsqrtMode): Float32Array {
  const depth = variance.length
  const k = new Float32Array(depth)
  for (let c = 0; c < depth; c++) k[c] = rsqrtAt(mode, f32(variance[c] + f32(eps)), c, depth) * gamma[c]
  return k
}

/** Tensors at least this large run on the native kernels (same results, all threads). */
export const NATIVE_MIN_ELEMENTS = 1 << 15

export async function fusedBatchNorm(ctx: OpContext, outputCount: number): Promise<Tensor[]> {
  expectInputCount(ctx, 5)
  expectNHWC(ctx)
  const {t: xt, data: x} = floatInput(ctx, 0, 'x')
  expectRank(ctx, xt, 4, 0, 'x')
  const depth = xt.shape[3]
  const training = attr.bool(ctx, 'is_training')
  const eps = f32(attr.float(ctx, 'epsilon'))
  const factor = f32(attr.optional(ctx, 'exponential_avg_factor', attr.float, 1))
  const gamma = vector(ctx, 1, 'scale', depth, false)
  const beta = vector(ctx, 2, 'offset', depth, false)
  const useRunning = training && factor !== 1
  const oldMean = vector(ctx, 3, 'mean', depth, training && !useRunning)
  const oldVar = vector(ctx, 4, 'variance', depth, training && !useRunning)

  const n = x.length
  const rows = depth === 0 ? 0 : n / depth
  const mean = training ? new Float32Array(depth) : oldMean
  const variance = training ? new Float32Array(depth) : oldVar
  const useNative = n >= NATIVE_MIN_ELEMENTS
  const threads = ctx.options.threads
  const form = useNative && training && depth > 0 ? codeFormOf(x) : undefined
  let y: Float32Array
  if (form && form.depth === 1) {
    await batchNormMomentsCodes(form.codes, form.table, depth, mean, variance, {threads})
    const k = batchNormScale(variance, gamma, eps, ctx.options.rsqrt ?? 'eigen-fast-math')
    const xTable = new Float32Array(256 * depth)
    for (let v = 0; v < 256; v++) xTable.fill(form.table[v], v * depth, (v + 1) * depth)
    const yTable = batchNormApplyReference(xTable, depth, mean, k, beta)
    y = outputArray(ctx, 'float32', n) as Float32Array
    // Inside a Session y stays unwritten when its range is known from each channel's code extremes.
    const known = ctx.deferFloats ? lookupRange(yTable, depth, await channelCodeRangeNative(form.codes, depth, threads)) : undefined
    if (known) recordCodeForm(y, {codes: form.codes, depth, table: yTable, range: known, pending: true})
    else {
      const range = await lutByChannelF32Native(form.codes, yTable, depth, y, threads)
      recordCodeForm(y, {codes: form.codes, depth, table: yTable, range: nonZeroRange(range)})
    }
  } else {
    await materialize(x, threads)
    if (training && n > 0) {
      if (useNative) await batchNormMomentsFloat(x, depth, mean, variance, {threads})
      else batchNormMomentsReference(x, depth, mean, variance)
    }
    const k = batchNormScale(variance, gamma, eps, ctx.options.rsqrt ?? 'eigen-fast-math')
    // A Relu that alone reads y is applied in the same pass (src/runtime/fusedRelu.ts).
    const relu = useNative && reluFollows(ctx)
    y = useNative ? await batchNormApplyFloat(x, depth, mean, k, beta, {threads, relu, out: outputArray(ctx, 'float32', x.length) as Float32Array}) : batchNormApplyReference(x, depth, mean, k, beta)
    if (relu) markRectified(ctx, y)
  }
  const outs: Tensor[] = [{dtype: 'float32', shape: [...xt.shape], data: y}]
  if (training && n === 0) {
    mean.fill(NaN)
    variance.fill(NaN)
    outs.push(vec(mean), vec(variance), vec(new Float32Array(depth)), vec(new Float32Array(depth)))
  } else if (training) {
    const adjust = f32(f32(rows) / f32(Math.max(rows - 1, 1)))
    const runningMean = new Float32Array(depth)
    const runningVar = new Float32Array(depth)
    if (!useRunning) {
      runningMean.set(mean)
      for (let c = 0; c < depth; c++) runningVar[c] = variance[c] * adjust
    } else {
      const keep = f32(1 - factor)
      const scaledAdjust = f32(factor * adjust)
      for (let c = 0; c < depth; c++) {
        runningVar[c] = f32(keep * oldVar[c]) + f32(scaledAdjust * variance[c])
        runningMean[c] = f32(keep * oldMean[c]) + f32(factor * mean[c])
      }
    }
    outs.push(vec(runningMean), vec(runningVar), vec(mean), vec(variance))
  } else {
    outs.push(vec(oldMean.slice()), vec(oldVar.slice()), vec(oldMean.slice()), vec(oldVar.slice()))
  }
  if (outputCount > 5) outs.push(vec(new Float32Array(0)))
  return outs
}

const defaults = {
  epsilon: {f: 0.0001},
  is_training: {b: true},
  data_format: {s: new TextEncoder().encode('NHWC')},
  exponential_avg_factor: {f: 1},
}

registerOp({name: 'FusedBatchNorm', defaults, readsCodeForms: true, compute: (ctx) => fusedBatchNorm(ctx, 5)})
registerOp({name: 'FusedBatchNormV2', defaults, readsCodeForms: true, compute: (ctx) => fusedBatchNorm(ctx, 5)})
registerOp({name: 'FusedBatchNormV3', defaults, readsCodeForms: true, compute: (ctx) => fusedBatchNorm(ctx, 6)})
