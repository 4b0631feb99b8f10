/**
 * Requantize and RequantizationRange (tensorflow/core/kernels/requantize.cc,
 * requantization_range_op.cc), qint32 → quint8 as TF registers them.
 * - RequantizationRange: smallest and largest code (starting from highest and lowest; taken from
 *   the producer when it found them while writing, e.g. QuantizedAdd), then
 *   (min(0, Q2F(mn)), Q2F(mx)) with the double-precision QuantizedToFloat<qint32>. The max is not
 *   clamped at 0; an empty input gives TF's garbage (Q2F(highest), Q2F(lowest)).
 * - Requantize: requested_output_min must be <= 0 and requested_output_max >= requested_output_min
 *   (TF 1.14's InvalidArgument); the codes come from the fixed-point formula (quantization.ts
 *   requantizeParams), outputs 1 and 2 are the requested range unchanged.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, opError} from '../opArgs.js'
import type {Tensor} from '../../core/tensor.js'
import {requantizationRange, requantizeMany, requantizeParams} from '../quantization.js'
import {minMaxI32Native, nativeQuantizedKernels, requantizeI32Native} from '../../native/quantizedKernels.js'
import {checkTypeAttr, knownInt32Range, quantizedInput, rangeScalar, scalarFloat, typeAttr} from './quantizedArgs.js'

/** Smallest and largest value of an int32 array (highest/lowest for an empty one). */
export function int32MinMax(x: Int32Array): [number, number] {
  let mn = 2147483647
  let mx = -2147483648
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    if (v < mn) mn = v
    if (v > mx) mx = v
  }
  return [mn, mx]
}

async function requantizationRangeOp(ctx: OpContext): Promise<Tensor[]> {
  expectInputCount(ctx, 3)
  const {t} = quantizedInput(ctx, 0, ['qint32'], 'input')
  checkTypeAttr(ctx, 'Tinput', t, 0)
  const inMin = rangeScalar(ctx, 1, 'input_min')
  const inMax = rangeScalar(ctx, 2, 'input_max')
  const x = t.data as Int32Array
  const [mn, mx] = knownInt32Range(ctx, x) ?? (nativeQuantizedKernels(x.length) ? await minMaxI32Native(x, ctx.options.threads) : int32MinMax(x))
  const [lo, hi] = requantizationRange(mn, mx, inMin, inMax)
  return [scalarFloat(lo), scalarFloat(hi)]
}

async function requantizeOp(ctx: OpContext): Promise<Tensor[]> {
  expectInputCount(ctx, 5)
  const {t} = quantizedInput(ctx, 0, ['qint32'], 'input')
  checkTypeAttr(ctx, 'Tinput', t, 0)
  typeAttr(ctx, 'out_type', ['quint8'])
  const inMin = rangeScalar(ctx, 1, 'input_min')
  const inMax = rangeScalar(ctx, 2, 'input_max')
  const outMin = rangeScalar(ctx, 3, 'requested_output_min')
  const outMax = rangeScalar(ctx, 4, 'requested_output_max')
  // TF 1.14's checks (both messages are in the 1.14.0 binary; TF 2.21 behaves the same).
  if (!(outMin <= 0)) throw opError(ctx, `requested_output_min must be <= 0, but got ${outMin}`)
  if (!(outMax >= outMin)) throw opError(ctx, `requested_output_max must be >= requested_output_min (${outMin}), but got ${outMax}`)
  const x = t.data as Int32Array
  let out: Uint8Array = new Uint8Array(0)
  if (nativeQuantizedKernels(x.length)) {
    const p = requantizeParams(inMin, inMax, outMin, outMax)
    out = await requantizeI32Native(x, p.rangeScale, p.offsetBig, ctx.options.threads, outputArray(ctx, 'quint8', x.length) as Uint8Array)
  } else {
    out = new Uint8Array(x.length)
    if (x.length > 0) requantizeMany(x, inMin, inMax, outMin, outMax, out)
  }
  return [{dtype: 'quint8', shape: [...t.shape], data: out}, scalarFloat(outMin), scalarFloat(outMax)]
}

registerOp({name: 'RequantizationRange', compute: requantizationRangeOp})
registerOp({name: 'Requantize', compute: requantizeOp})
