/**
 * QuantizedAdd (tensorflow/core/kernels/quantized_add_op.cc), quint8 + quint8 → qint32, the x86
 * code paths.
 * - max_x > min_x and max_y > min_y are required (TF's InvalidArgument).
 * - Output range (−R·2^14, R·2^14) in float32, R = max(|min(min_x, min_y)|, |max(max_x, max_y)|).
 * - Each operand's codes map into the output range through the 8→32 linear map of the x86
 *   specializations (quantization.ts linearRequantizer8To32: c0 + q·mult, clamped to int32); a
 *   scalar operand (ScalarAddition) goes through RequantizeInNewRange instead. The two int32s
 *   are added with wraparound.
 * - Broadcasting follows TF's BCast after it merges dimensions: rank ≤ 1 → scalar or element-wise;
 *   rank 2 → the operand with fewer elements is cycled over the larger one
 *   (out[i] = v(small[i mod n_small]) + v(big[i])), exactly as TF does even when that is not
 *   numpy broadcasting; higher ranks are TF's Unimplemented error.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, opError} from '../opArgs.js'
import {numElements, shapeString, type Tensor} from '../../core/tensor.js'
import {makeAttr} from '../../graph/attrs.js'
import {broadcastShapes} from '../shapes.js'
import {
  applyLinearRequantizer,
  linearRequantizer8To32,
  QINT32,
  QUINT8,
  requantizeInNewRange,
} from '../quantization.js'
import {checkTypeAttr, quantizedInput, rangeScalar, rememberInt32Range, scalarFloat, typeAttr} from './quantizedArgs.js'
import {addLutNative, nativeQuantizedKernels} from '../../native/quantizedKernels.js'

const f32 = Math.fround

/**
 * The number of dimensions TF's BCast (with its dimension-merging optimisation) reduces two
 * shapes to: equal shapes give 1; otherwise dims where both are 1 are dropped and neighbouring
 * dims with the same broadcast pattern are merged.
 */
export function bcastRank(x: readonly number[], y: readonly number[]): number {
  if (x.length === y.length && x.every((d, i) => d === y[i])) return 1
  const rank = Math.max(x.length, y.length)
  let prev = 'unknown'
  let dims = 0
  for (let i = 0; i < rank; i++) {
    // From the innermost dimension outwards, as BCast does (the count does not depend on it).
    const xi = i < x.length ? x[x.length - 1 - i] : 1
    const yi = i < y.length ? y[y.length - 1 - i] : 1
    let cur: string
    if (xi === yi) {
      if (xi === 1) continue
      cur = 'same'
    } else if (xi === 1) cur = 'x_one'
    else if (yi === 1) cur = 'y_one'
    else return -1
    if (cur !== prev) {
      dims++
      prev = cur
    }
  }
  return Math.max(dims, 1)
}

/** A code → qint32 table for one operand (the linear map), 256 entries. */
function linearTable(min: number, max: number, outMin: number, outMax: number): Int32Array {
  const r = linearRequantizer8To32(min, max, outMin, outMax)
  const table = new Int32Array(256)
  for (let q = 0; q < 256; q++) table[q] = applyLinearRequantizer(r, q)
  return table
}

export function quantizedAddRange(minX: number, maxX: number, minY: number, maxY: number): [number, number] {
  const smallestMin = minY < minX ? minY : minX
  const largestMax = maxX < maxY ? maxY : maxX
  const a = Math.abs(smallestMin)
  const b = Math.abs(largestMax)
  const biggest = a < b ? b : a
  const outMax = f32(biggest * 16384)
  return [-outMax, outMax]
}

async function compute(ctx: OpContext): Promise<Tensor[]> {
  expectInputCount(ctx, 6)
  const {t: xt} = quantizedInput(ctx, 0, ['quint8'], 'x')
  const {t: yt} = quantizedInput(ctx, 1, ['quint8'], 'y')
  checkTypeAttr(ctx, 'T1', xt, 0)
  checkTypeAttr(ctx, 'T2', yt, 1)
  typeAttr(ctx, 'Toutput', ['qint32'])
  const minX = rangeScalar(ctx, 2, 'min_x')
  const maxX = rangeScalar(ctx, 3, 'max_x')
  const minY = rangeScalar(ctx, 4, 'min_y')
  const maxY = rangeScalar(ctx, 5, 'max_y')
  const outShape = broadcastShapes(xt.shape, yt.shape)
  if (!outShape) throw opError(ctx, `incompatible shapes: ${shapeString(xt.shape)} vs. ${shapeString(yt.shape)}`)
  if (!(maxX > minX)) throw opError(ctx, `max_x must be larger than min_x (got min_x ${minX}, max_x ${maxX})`)
  if (!(maxY > minY)) throw opError(ctx, `max_y must be larger than min_y (got min_y ${minY}, max_y ${maxY})`)
  const [outMin, outMax] = quantizedAddRange(minX, maxX, minY, maxY)
  const x = xt.data as Uint8Array
  const y = yt.data as Uint8Array
  const nx = numElements(xt.shape)
  const ny = numElements(yt.shape)
  const size = numElements(outShape)
  const rank = bcastRank(xt.shape, yt.shape)
  // The element-wise case runs natively into a recycled buffer; the others allocate their own.
  let out: Int32Array = rank <= 1 && nx !== 1 && ny !== 1 && nativeQuantizedKernels(size) ? new Int32Array(0) : new Int32Array(size)
  if (rank <= 1) {
    if (nx === 1 || ny === 1) {
      // ScalarAddition(full, scalar): x is the scalar when it has one element.
      const [full, fmin, fmax, sv, smin, smax] = nx === 1 ? [y, minY, maxY, x[0], minX, maxX] : [x, minX, maxX, y[0], minY, maxY]
      const scalarInOut = requantizeInNewRange(sv, smin, smax, QUINT8, outMin, outMax, QINT32)
      const table = linearTable(fmin, fmax, outMin, outMax)
      for (let i = 0; i < out.length; i++) out[i] = (table[full[i]] + scalarInOut) | 0
    } else {
      const tx = linearTable(minX, maxX, outMin, outMax)
      const ty = linearTable(minY, maxY, outMin, outMax)
      if (nativeQuantizedKernels(size)) {
        // The range is found while writing: RequantizationRange reads it instead of scanning.
        const added = await addLutNative(x, tx, y, ty, ctx.options.threads, outputArray(ctx, 'qint32', size) as Int32Array)
        out = added.out
        rememberInt32Range(ctx, out, added.range)
      } else for (let i = 0; i < out.length; i++) out[i] = (tx[x[i]] + ty[y[i]]) | 0
    }
  } else if (rank === 2) {
    const xSmaller = nx < ny
    const [vec, vmin, vmax, ten, tmin, tmax] = xSmaller ? [x, minX, maxX, y, minY, maxY] : [y, minY, maxY, x, minX, maxX]
    if (vec.length === 0) throw opError(ctx, 'must have some elements to add')
    const tv = linearTable(vmin, vmax, outMin, outMax)
    const tt = linearTable(tmin, tmax, outMin, outMax)
    const nv = vec.length
    const n = Math.min(out.length, ten.length)
    for (let i = 0; i < n; i++) out[i] = (tv[vec[i % nv]] + tt[ten[i]]) | 0
  } else {
    throw opError(ctx, `broadcast between ${shapeString(xt.shape)} and ${shapeString(yt.shape)} is not supported (as in TensorFlow)`)
  }
  return [{dtype: 'qint32', shape: outShape, data: out}, scalarFloat(outMin), scalarFloat(outMax)]
}

registerOp({name: 'QuantizedAdd', defaults: {Toutput: makeAttr.type('qint32')}, compute})
