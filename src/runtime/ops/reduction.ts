/**
 * Reductions: Sum, Mean, Min, Max (attr keep_dims, input reduction_indices: a scalar or vector
 * of axes, negative axes allowed, duplicates ignored) and ArgMax/ArgMin (input dimension, attr
 * output_type). After tensorflow/core/kernels/reduction_ops*.h and argmax_op.cc.
 *
 * Order (fixed, independent of threads): every output element accumulates its inputs
 * sequentially in memory (row-major) order, starting from 0 for Sum/Mean, in the output's type
 * (float32 sums round after every addition). Mean = f32(sum / f32(count)) (one division; integer
 * types divide with truncation). Min/Max start from the type's lowest/highest finite value (as
 * Eigen's reducers) and replace when strictly smaller/greater, so NaN inputs are skipped.
 * Large full float32 Min/Max reductions (the range nodes of quantized graphs) run natively, both
 * in one pass (cpp/min_max_float.cc), with exactly these semantics for any thread count.
 * ArgMax/ArgMin return the first index of the extreme value (NaNs are skipped; index 0 when all are
 * NaN), as Eigen's sequential tuple reducer.
 */
import {registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectDType, expectInputCount, intValues, opError} from '../opArgs.js'
import {allocate, numElements, shapeString, TF_NAME_BY_DTYPE, type DType, type Tensor} from '../../core/tensor.js'
import {normalizeAxis, reducedShape, stridesOf} from '../shapes.js'
import {minMaxFloat, nativeFloatKernels, poolFloat} from '../../native/floatKernels.js'
import {codeFormOf, materialize} from '../codeForms.js'
import {nativeQuantizedKernels, sumMiddleLutNative} from '../../native/quantizedKernels.js'

type NumArray = Float32Array | Float64Array | Int32Array
type Kind = 'sum' | 'mean' | 'min' | 'max'

const LOWEST: Partial<Record<DType, number>> = {float32: -3.4028234663852886e38, float64: -Number.MAX_VALUE, int32: -2147483648}
const HIGHEST: Partial<Record<DType, number>> = {float32: 3.4028234663852886e38, float64: Number.MAX_VALUE, int32: 2147483647}

/** Normalised, unique reduction axes from an int input, or an error naming the node. */
export function reductionAxes(ctx: OpContext, index: number, rank: number): Set<number> {
  const axes = new Set<number>()
  for (const a of intValues(ctx, index, 'reduction_indices')) {
    const axis = normalizeAxis(a, rank)
    if (axis === undefined) throw opError(ctx, `invalid reduction axis ${a} for an input of rank ${rank}`)
    axes.add(axis)
  }
  return axes
}

/**
 * For each input element in memory order, the offset of its output element: calls
 * `row(inOffset, outOffset, outStride, length)` for every innermost row of the input.
 */
function visitRows(shape: readonly number[], axes: ReadonlySet<number>, row: (i: number, o: number, os: number, len: number) => void): void {
  const rank = shape.length
  if (rank === 0) {
    row(0, 0, 0, 1)
    return
  }
  const kept = shape.map((d, i) => (axes.has(i) ? 1 : d))
  const keptStrides = stridesOf(kept)
  const os = shape.map((_, i) => (axes.has(i) ? 0 : keptStrides[i]))
  const inner = shape[rank - 1]
  const total = numElements(shape)
  if (total === 0) return
  const rows = total / inner
  const idx = new Array<number>(rank - 1).fill(0)
  let o = 0
  for (let r = 0; r < rows; r++) {
    row(r * inner, o, os[rank - 1], inner)
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++
      o += os[d]
      if (idx[d] < shape[d]) break
      o -= os[d] * shape[d]
      idx[d] = 0
    }
  }
}

/** True when the axes are one run a, a+1, …, b (e.g. [1, 2]: a global average pool over H, W). */
function contiguousAxes(axes: ReadonlySet<number>): boolean {
  if (axes.size === 0) return false
  const sorted = [...axes].sort((p, q) => p - q)
  return sorted[sorted.length - 1] - sorted[0] === sorted.length - 1
}

/**
 * The float sums of `visitRows` for contiguous axes, in the same memory order without a callback
 * per row: x viewed as [outer, R, inner] (R the reduced axes), out[o, c] += x[o, r, c] for
 * r = 0, 1, … (out starts at 0 and rounds to its type after every addition, as before).
 */
function sumMiddleAxes(x: NumArray, shape: readonly number[], axes: ReadonlySet<number>, out: NumArray): void {
  const sorted = [...axes].sort((p, q) => p - q)
  const first = sorted[0]
  const last = sorted[sorted.length - 1]
  const prod = (from: number, to: number): number => shape.slice(from, to).reduce((a, b) => a * b, 1)
  const outer = prod(0, first)
  const reduced = prod(first, last + 1)
  const inner = prod(last + 1, shape.length)
  for (let o = 0; o < outer; o++) {
    const ob = o * inner
    for (let r = 0; r < reduced; r++) {
      const xb = (o * reduced + r) * inner
      for (let c = 0; c < inner; c++) out[ob + c] += x[xb + c]
    }
  }
}

/** All of x into one value, in memory order, rounding like the output type. */
function reduceAll(x: NumArray, kind: Kind, init: number, dtype: DType): number {
  let acc = init
  const n = x.length
  switch (kind) {
    case 'sum':
    case 'mean':
      if (dtype === 'int32') for (let i = 0; i < n; i++) acc = (acc + x[i]) | 0
      else if (dtype === 'float32') for (let i = 0; i < n; i++) acc = Math.fround(acc + x[i])
      else for (let i = 0; i < n; i++) acc += x[i]
      return acc
    case 'min':
      for (let i = 0; i < n; i++) if (x[i] < acc) acc = x[i]
      return acc
    case 'max':
      for (let i = 0; i < n; i++) if (x[i] > acc) acc = x[i]
      return acc
  }
}

/** Full float32 Min/Max reductions of at least this many elements run natively. */
export const NATIVE_MIN_MAX_ELEMENTS = 1 << 16

// Quantized graphs reduce the same activation with a Min and a Max node: one native pass computes
// both, and the other node finds its value in the run's cache (keyed by the data buffer, which
// no op modifies during a run; the cache is dropped after the run, so a caller refilling a fed
// buffer between runs cannot see a stale value).
const MIN_MAX = Symbol('reduction.minMax')

async function nativeMinMax(ctx: OpContext, x: Float32Array): Promise<[number, number]> {
  let byBuffer = ctx.runCache?.get(MIN_MAX) as Map<Float32Array, [number, number]> | undefined
  const cached = byBuffer?.get(x)
  if (cached) return cached
  // A tensor in code form (e.g. FusedBatchNorm of a Dequantize): the extremes of the values that occur.
  const both = codeFormOf(x)?.range ?? (await minMaxFloat(x, {threads: ctx.options.threads}))
  if (ctx.runCache) {
    if (!byBuffer) ctx.runCache.set(MIN_MAX, (byBuffer = new Map()))
    byBuffer.set(x, both)
  }
  return both
}

/**
 * Sum/Mean of a float32 tensor in code form with one table (a Dequantize) over one block of
 * consecutive axes that leaves the innermost axis (e.g. NHWC global average pooling): the sums of
 * the element-wise path (each output a sequential float32 sum in memory order) taken from the codes
 * natively. Undefined when that does not apply.
 */
async function sumFromCodes(ctx: OpContext, xt: Tensor, axes: ReadonlySet<number>): Promise<Float32Array | undefined> {
  const form = codeFormOf(xt.data as Float32Array)
  const rank = xt.shape.length
  if (!form || form.depth !== 1 || axes.size === 0 || !nativeQuantizedKernels(xt.data.length)) return undefined
  const first = Math.min(...axes)
  const last = Math.max(...axes)
  if (last - first + 1 !== axes.size || last >= rank - 1) return undefined
  const [a, b, c] = [xt.shape.slice(0, first), xt.shape.slice(first, last + 1), xt.shape.slice(last + 1)].map(numElements)
  return sumMiddleLutNative(form.codes, form.table, a, b, c, ctx.options.threads)
}

async function reduce(ctx: OpContext, kind: Kind): Promise<Tensor[]> {
  expectInputCount(ctx, 2)
  const xt = expectDType(ctx, 0, ['float32', 'float64', 'int32'], 'input')
  const axes = reductionAxes(ctx, 1, xt.shape.length)
  const keepDims = attr.bool(ctx, 'keep_dims')
  const shape = reducedShape(xt.shape, axes, keepDims)
  const outSize = numElements(shape)
  const out = allocate(xt.dtype, outSize) as NumArray
  const x = xt.data as NumArray
  if (kind === 'min') out.fill(HIGHEST[xt.dtype] as number)
  if (kind === 'max') out.fill(LOWEST[xt.dtype] as number)
  const isInt = xt.dtype === 'int32'
  const fromCodes = (kind === 'sum' || kind === 'mean') && xt.dtype === 'float32' ? await sumFromCodes(ctx, xt, axes) : undefined
  if (fromCodes) out.set(fromCodes)
  const fullMinMax = outSize === 1 && x.length >= NATIVE_MIN_MAX_ELEMENTS && xt.dtype === 'float32' && (kind === 'min' || kind === 'max')
  // A pending tensor (codeForms.ts) is written first unless its form knows the range.
  if (!fromCodes && !(fullMinMax && codeFormOf(x as Float32Array)?.range)) await materialize(x, ctx.options.threads)
  if (fromCodes) {
    // Summed from the codes (the same values, added in the same order).
  } else if (fullMinMax) {
    const [lo, hi] = await nativeMinMax(ctx, x as Float32Array)
    out[0] = kind === 'min' ? lo : hi
  } else if (outSize === 1 && x.length > 0) {
    // Full reduction (e.g. the Min/Max range nodes of quantized graphs): one accumulator.
    out[0] = reduceAll(x, kind, out[0], xt.dtype)
  } else if (kind === 'mean' && xt.dtype === 'float32' && xt.shape.length === 4 && axes.size === 2 && axes.has(1) && axes.has(2) && nativeFloatKernels(x.length)) {
    // Mean over H and W of NHWC (a global average pool): the native average pool with a window
    // of the whole image sums each channel in the same memory order and divides by f32(H·W).
    const [n, h, w, c] = xt.shape
    await poolFloat(x as Float32Array, out as Float32Array, {n, h, w, c, kh: h, kw: w, sh: 1, sw: 1, oh: 1, ow: 1, padTop: 0, padLeft: 0}, true, {threads: ctx.options.threads})
    return [{dtype: xt.dtype, shape, data: out}]
  } else if ((kind === 'sum' || kind === 'mean') && !isInt && contiguousAxes(axes)) {
    sumMiddleAxes(x, xt.shape, axes, out)
  } else visitRows(xt.shape, axes, (i, o, os, len) => {
    switch (kind) {
      case 'sum':
      case 'mean':
        if (isInt) for (let k = 0; k < len; k++, o += os) out[o] = (out[o] + x[i + k]) | 0
        else for (let k = 0; k < len; k++, o += os) out[o] += x[i + k]
        break
      case 'min':
        for (let k = 0; k < len; k++, o += os) if (x[i + k] < out[o]) out[o] = x[i + k]
        break
      case 'max':
        for (let k = 0; k < len; k++, o += os) if (x[i + k] > out[o]) out[o] = x[i + k]
        break
    }
  })
  if (kind === 'mean') {
    let count = 1
    for (const a of axes) count *= xt.shape[a]
    if (isInt) for (let o = 0; o < outSize; o++) out[o] = count === 0 ? 0 : Math.trunc(out[o] / count)
    else {
      const divisor = xt.dtype === 'float32' ? Math.fround(count) : count
      for (let o = 0; o < outSize; o++) out[o] = out[o] / divisor
    }
  }
  return [{dtype: xt.dtype, shape, data: out}]
}

function argExtreme(ctx: OpContext, kind: 'max' | 'min'): Tensor[] {
  expectInputCount(ctx, 2)
  const xt = expectDType(ctx, 0, ['float32', 'float64', 'int32', 'uint8', 'int8', 'int16', 'uint16'], 'input')
  const dims = intValues(ctx, 1, 'dimension')
  if (dims.length !== 1) throw opError(ctx, `input 1 (dimension) must be a scalar, got ${dims.length} values`)
  const rank = xt.shape.length
  const axis = normalizeAxis(dims[0], rank)
  if (axis === undefined) throw opError(ctx, `invalid dimension ${dims[0]} for an input of rank ${rank}`)
  const size = xt.shape[axis]
  if (size === 0) throw opError(ctx, `reduction axis ${axis} is empty in shape ${shapeString(xt.shape)}`)
  const outType = attr.type(ctx, 'output_type')
  if (outType !== 'int32' && outType !== 'int64') throw opError(ctx, `output_type must be int32 or int64, got ${TF_NAME_BY_DTYPE[outType]}`)
  const shape = xt.shape.filter((_, i) => i !== axis)
  const outer = numElements(xt.shape.slice(0, axis))
  const inner = numElements(xt.shape.slice(axis + 1))
  const x = xt.data as NumArray
  const best = new Int32Array(outer * inner)
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < inner; b++) {
      const base = a * size * inner + b
      let bi = 0
      let bv = kind === 'max' ? -Infinity : Infinity
      for (let k = 0; k < size; k++) {
        const v = x[base + k * inner]
        if (kind === 'max' ? v > bv : v < bv) {
          bv = v
          bi = k
        }
      }
      best[a * inner + b] = bi
    }
  }
  const data = outType === 'int32' ? best : BigInt64Array.from(best, (v) => BigInt(v))
  return [{dtype: outType, shape, data}]
}

const reduceDefaults = {keep_dims: {b: false}, Tidx: {type: 3}}
for (const [name, kind] of [['Sum', 'sum'], ['Mean', 'mean'], ['Min', 'min'], ['Max', 'max']] as const) {
  registerOp({name, defaults: reduceDefaults, readsCodeForms: true, compute: (ctx) => reduce(ctx, kind)})
}
const argDefaults = {output_type: {type: 9}, Tidx: {type: 3}}
registerOp({name: 'ArgMax', defaults: argDefaults, compute: (ctx) => argExtreme(ctx, 'max')})
registerOp({name: 'ArgMin', defaults: argDefaults, compute: (ctx) => argExtreme(ctx, 'min')})
