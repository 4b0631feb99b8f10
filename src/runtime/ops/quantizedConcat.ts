/**
 * QuantizedConcat (tensorflow/core/kernels/quantized_concat_op.cc): inputs concat_dim (int32
 * scalar), N values, N mins, N maxes; kernels for quint8 and qint32.
 * - Output range: lo = min(0, smallest min), hi = largest max over the inputs for unsigned T;
 *   for signed T the symmetric (−m, m), m = max(|lo|, |hi|). (The min(0, ·) is in TF 1.14 — seen in
 *   the 1.14.0 binary — and 2.x; the oldest sources lack it.)
 * - An input whose range equals the output range is copied; any other is requantized with the
 *   Eigen float path (DEQUANTIZE_WITH_EIGEN then QUANTIZE_WITH_EIGEN).
 * - concat_dim must be in [0, rank) (no negative axes in this kernel).
 */
import {registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, input, intValues, opError} from '../opArgs.js'
import {allocate, shapeString, TF_NAME_BY_DTYPE, type Tensor} from '../../core/tensor.js'
import {eigenDequantizer, eigenQuantizer, eigenRequantize, quantizedType} from '../quantization.js'
import {rangeScalar, scalarFloat} from './quantizedArgs.js'

type CodeArray = Uint8Array | Int32Array

function compute(ctx: OpContext): Tensor[] {
  const total = ctx.inputs.length
  if (total < 7 || (total - 1) % 3 !== 0) {
    throw opError(ctx, `expects 1 + 3·N data inputs (concat_dim, N values, N mins, N maxes) with N >= 2, got ${total}`)
  }
  const n = (total - 1) / 3
  expectInputCount(ctx, total)
  const dimValues = intValues(ctx, 0, 'concat_dim')
  if (dimValues.length !== 1) throw opError(ctx, 'concat_dim must be a scalar')
  const dim = dimValues[0]
  const values = Array.from({length: n}, (_, i) => input(ctx, 1 + i, `values[${i}]`))
  const dtype = values[0].dtype
  if (dtype !== 'quint8' && dtype !== 'qint32') throw opError(ctx, `no kernel for T = ${TF_NAME_BY_DTYPE[dtype]} (quint8 and qint32 only)`)
  const q = quantizedType(dtype)!
  const rank = values[0].shape.length
  if (!(dim >= 0 && dim < rank)) throw opError(ctx, `expected concatenating dimensions in the range [0, ${rank}), but got ${dim}`)
  const ranges: [number, number][] = []
  let overallMin = 3.4028234663852886e38
  let overallMax = -3.4028234663852886e38
  for (let i = 0; i < n; i++) {
    const mn = rangeScalar(ctx, 1 + n + i, `input_mins[${i}]`)
    const mx = rangeScalar(ctx, 1 + 2 * n + i, `input_maxes[${i}]`)
    ranges.push([mn, mx])
    if (mn < overallMin) overallMin = mn
    if (overallMax < mx) overallMax = mx
  }
  // Make sure the min is no more than zero (present in the TF 1.14 binary and in TF 2.x).
  if (!(overallMin < 0)) overallMin = 0
  let outMin = overallMin
  let outMax = overallMax
  if (q.signed) {
    const a = Math.abs(overallMin)
    const b = Math.abs(overallMax)
    const largest = a < b ? b : a
    outMin = -largest
    outMax = largest
  }
  let concatSize = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v.dtype !== dtype) throw opError(ctx, `values[${i}] is ${TF_NAME_BY_DTYPE[v.dtype]}, values[0] is ${TF_NAME_BY_DTYPE[dtype]}`)
    const same = v.shape.length === rank && v.shape.every((d, j) => j === dim || d === values[0].shape[j])
    if (!same) throw opError(ctx, `dimensions of inputs should match: shape[0] = ${shapeString(values[0].shape)} vs. shape[${i}] = ${shapeString(v.shape)}`)
    concatSize += v.shape[dim]
  }
  const outShape = [...values[0].shape]
  outShape[dim] = concatSize
  let outer = 1
  for (let j = 0; j < dim; j++) outer *= outShape[j]
  let inner = 1
  for (let j = dim + 1; j < rank; j++) inner *= outShape[j]
  const out = allocate(dtype, outer * concatSize * inner) as CodeArray
  const rowOut = concatSize * inner
  const e = eigenQuantizer(outMin, outMax, q)
  let colOffset = 0
  for (let i = 0; i < n; i++) {
    const src = values[i].data as CodeArray
    const width = values[i].shape[dim] * inner
    const [mn, mx] = ranges[i]
    if (mn === outMin && mx === outMax) {
      for (let r = 0; r < outer; r++) out.set(src.subarray(r * width, (r + 1) * width), r * rowOut + colOffset)
    } else {
      const d = eigenDequantizer(mn, mx, q)
      for (let r = 0; r < outer; r++) {
        const s0 = r * width
        const o0 = r * rowOut + colOffset
        for (let p = 0; p < width; p++) out[o0 + p] = eigenRequantize(src[s0 + p], d, e)
      }
    }
    colOffset += width
  }
  return [{dtype, shape: outShape, data: out}, scalarFloat(outMin), scalarFloat(outMax)]
}

registerOp({name: 'QuantizedConcat', compute})
