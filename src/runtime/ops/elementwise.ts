/**
 * Element-wise binary ops with TensorFlow's (numpy) broadcasting: Add, AddV2, Sub, Mul, RealDiv,
 * Maximum, Minimum. float32 results are IEEE single precision: each result is computed exactly
 * in double and rounded once to float32 when stored (for +, −, ×, ÷ of two floats this equals the
 * correctly rounded float32 operation). int32 arithmetic wraps like TF's CPU kernels; int64 uses
 * BigInt and wraps modulo 2^64. Maximum/Minimum follow std::max/std::min (Eigen's scalar
 * max/min): `a < b ? b : a` and `b < a ? b : a`, so a NaN first operand is returned.
 * Large float32 Add/Sub/Mul/RealDiv of equal shapes or with a scalar second operand run natively
 * (cpp/float_elementwise.cc, same IEEE operation per element); float32Fast is their reference
 * twin (test/runtime/floatNative.test.ts). There, a Relu that alone reads the result is applied in
 * the same pass (src/runtime/fusedRelu.ts). An x in code form (8-bit codes through one table,
 * src/runtime/codeForms.ts, e.g. a batch of pixels) with a scalar y gives a code form again
 * (binaryOnCodes): ResNet-8's input scaling x / 255 − 0.5 costs 2 × 256 operations per batch.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, input, opError} from '../opArgs.js'
import {allocate, numElements, shapeString, TF_NAME_BY_DTYPE, type DType, type Tensor} from '../../core/tensor.js'
import {broadcastShapes, broadcastStrides, sameShape} from '../shapes.js'
import {binaryFloat, nativeFloatKernels} from '../../native/floatKernels.js'
import {markRectified, reluFollows} from '../fusedRelu.js'
import {codeFormOf, lookupRange, materialize, recordCodeForm} from '../codeForms.js'
import {channelCodeRangeNative, lutU8ToF32Native, nativeQuantizedKernels} from '../../native/quantizedKernels.js'

type NumFn = (a: number, b: number) => number
type BigFn = (a: bigint, b: bigint) => bigint

type FastOp = 'add' | 'sub' | 'mul' | 'div'

interface BinarySpec {
  name: string
  /** float32 operation with monomorphic loops for same-shape and scalar operands. */
  fast?: FastOp
  /** For float32 and float64 (rounding happens on store). */
  float: NumFn
  int32?: NumFn
  int64?: BigFn
}

type NumArray = Float32Array | Float64Array | Int32Array

/** out[i] = fn(a[ia], b[ib]) over the broadcast of a and b (numbers). */
function broadcastNumbers(a: Tensor, b: Tensor, outShape: number[], out: NumArray, fn: NumFn): void {
  const x = a.data as NumArray
  const y = b.data as NumArray
  const n = out.length
  if (n === 0) return
  if (sameShape(a.shape, b.shape)) {
    for (let i = 0; i < n; i++) out[i] = fn(x[i], y[i])
    return
  }
  if (y.length === 1) {
    const v = y[0]
    for (let i = 0; i < n; i++) out[i] = fn(x[i], v)
    return
  }
  if (x.length === 1) {
    const v = x[0]
    for (let i = 0; i < n; i++) out[i] = fn(v, y[i])
    return
  }
  walk(a.shape, b.shape, outShape, (o, ia, sa, ib, sb, len) => {
    for (let k = 0; k < len; k++, ia += sa, ib += sb) out[o + k] = fn(x[ia], y[ib])
  })
}

function broadcastBigints(a: Tensor, b: Tensor, outShape: number[], out: BigInt64Array, fn: BigFn): void {
  const x = a.data as BigInt64Array
  const y = b.data as BigInt64Array
  if (out.length === 0) return
  walk(a.shape, b.shape, outShape, (o, ia, sa, ib, sb, len) => {
    for (let k = 0; k < len; k++, ia += sa, ib += sb) out[o + k] = fn(x[ia], y[ib])
  })
}

/**
 * Visits the output in row-major order, one innermost row at a time: `row(outOffset, aOffset,
 * aStride, bOffset, bStride, length)`.
 */
export function walk(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
  row: (o: number, ia: number, sa: number, ib: number, sb: number, len: number) => void,
): void {
  const rank = outShape.length
  if (rank === 0) {
    row(0, 0, 0, 0, 0, 1)
    return
  }
  const sa = broadcastStrides(aShape, outShape)
  const sb = broadcastStrides(bShape, outShape)
  const inner = outShape[rank - 1]
  const rows = numElements(outShape) / (inner || 1)
  const idx = new Array<number>(rank - 1).fill(0)
  let ia = 0
  let ib = 0
  for (let r = 0; r < rows; r++) {
    row(r * inner, ia, sa[rank - 1], ib, sb[rank - 1], inner)
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++
      ia += sa[d]
      ib += sb[d]
      if (idx[d] < outShape[d]) break
      ia -= sa[d] * outShape[d]
      ib -= sb[d] * outShape[d]
      idx[d] = 0
    }
  }
}

/**
 * float32 a ∘ b without a callback per element, when the shapes are equal or one side is a
 * single value; false when the general broadcasting path is needed.
 */
function float32Fast(op: FastOp, a: Tensor, b: Tensor, out: Float32Array): boolean {
  const x = a.data as Float32Array
  const y = b.data as Float32Array
  const n = out.length
  if (sameShape(a.shape, b.shape)) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = x[i] + y[i]; break
      case 'sub': for (let i = 0; i < n; i++) out[i] = x[i] - y[i]; break
      case 'mul': for (let i = 0; i < n; i++) out[i] = x[i] * y[i]; break
      case 'div': for (let i = 0; i < n; i++) out[i] = x[i] / y[i]; break
    }
    return true
  }
  if (y.length === 1 && x.length === n) {
    const v = y[0]
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = x[i] + v; break
      case 'sub': for (let i = 0; i < n; i++) out[i] = x[i] - v; break
      case 'mul': for (let i = 0; i < n; i++) out[i] = x[i] * v; break
      case 'div': for (let i = 0; i < n; i++) out[i] = x[i] / v; break
    }
    return true
  }
  return false
}

/** f32(a op b): the double result of + − × ÷ of two float32 values rounds to the float32 one. */
function applyFast(op: FastOp, a: number, b: number): number {
  switch (op) {
    case 'add': return Math.fround(a + b)
    case 'sub': return Math.fround(a - b)
    case 'mul': return Math.fround(a * b)
    case 'div': return Math.fround(a / b)
  }
}

/**
 * x in code form with one table (e.g. the 8-bit pixels of a CIFAR batch, src/runtime/codeForms.ts)
 * and a scalar y: the result is the code form with table f32(table[v] op y), 256 operations
 * instead of one per element, bit-identical to them. Inside a Session it is left pending (not
 * written) when its range follows from the codes' range (Min/Max, QuantizeV2 and this op read
 * only the form). False when x has no such form (nothing written then).
 */
async function binaryOnCodes(ctx: OpContext, op: FastOp, x: Float32Array, y: Float32Array, out: Float32Array): Promise<boolean> {
  if (y.length !== 1 || x.length !== out.length || !nativeQuantizedKernels(x.length)) return false
  const form = codeFormOf(x)
  if (!form || form.depth !== 1 || reluFollows(ctx)) return false
  await materialize(y, ctx.options.threads)
  const table = new Float32Array(256)
  for (let v = 0; v < 256; v++) table[v] = applyFast(op, form.table[v], y[0])
  const threads = ctx.options.threads
  const codeRange = form.codeRange ?? (await channelCodeRangeNative(form.codes, 1, threads))
  const range = lookupRange(table, 1, codeRange)
  if (ctx.deferFloats && range) {
    recordCodeForm(out, {codes: form.codes, depth: 1, table, range, pending: true, codeRange})
    return true
  }
  await lutU8ToF32Native(form.codes, table, threads, out)
  recordCodeForm(out, {codes: form.codes, depth: 1, table, range, codeRange})
  return true
}

/** The broadcast output shape of a binary op's two inputs, or an error naming the node. */
export function binaryShape(ctx: OpContext, a: Tensor, b: Tensor): number[] {
  const shape = broadcastShapes(a.shape, b.shape)
  if (!shape) throw opError(ctx, `incompatible shapes for broadcasting: ${shapeString(a.shape)} and ${shapeString(b.shape)}`)
  return shape
}

function registerBinary(spec: BinarySpec): void {
  const dtypes: DType[] = ['float32', 'float64', ...(spec.int32 ? (['int32'] as DType[]) : []), ...(spec.int64 ? (['int64'] as DType[]) : [])]
  registerOp({
    name: spec.name,
    // float32 add/sub/mul/div: x in code form with a scalar y stays in code form (binaryOnCodes).
    readsCodeForms: spec.fast !== undefined,
    async compute(ctx) {
      expectInputCount(ctx, 2)
      const a = input(ctx, 0, 'x')
      const b = input(ctx, 1, 'y')
      if (a.dtype !== b.dtype) {
        throw opError(ctx, `inputs have different types: ${TF_NAME_BY_DTYPE[a.dtype]} and ${TF_NAME_BY_DTYPE[b.dtype]}`)
      }
      if (!dtypes.includes(a.dtype)) {
        throw opError(ctx, `type ${TF_NAME_BY_DTYPE[a.dtype]} is not supported (supported: ${dtypes.map((d) => TF_NAME_BY_DTYPE[d]).join(', ')})`)
      }
      const shape = binaryShape(ctx, a, b)
      // float32 results may go into a recycled buffer: both loops below write every element.
      const out = a.dtype === 'float32' ? outputArray(ctx, 'float32', numElements(shape)) : allocate(a.dtype, numElements(shape))
      if (a.dtype === 'float32' && spec.fast) {
        const x = a.data as Float32Array
        const y = b.data as Float32Array
        if (await binaryOnCodes(ctx, spec.fast, x, y, out as Float32Array)) return [{dtype: a.dtype, shape, data: out}]
        await materialize(x, ctx.options.threads)
        await materialize(y, ctx.options.threads)
        if (nativeFloatKernels(out.length) && x.length === out.length && (sameShape(a.shape, b.shape) || y.length === 1)) {
          // A following Relu that alone reads the result is applied in the same pass (fusedRelu.ts).
          const relu = reluFollows(ctx)
          await binaryFloat(spec.fast, x, y, out as Float32Array, {threads: ctx.options.threads, relu})
          if (relu) markRectified(ctx, out as Float32Array)
          return [{dtype: a.dtype, shape, data: out}]
        }
        if (float32Fast(spec.fast, a, b, out as Float32Array)) return [{dtype: a.dtype, shape, data: out}]
      }
      if (a.dtype === 'int64') broadcastBigints(a, b, shape, out as BigInt64Array, spec.int64 as BigFn)
      else broadcastNumbers(a, b, shape, out as NumArray, a.dtype === 'int32' ? (spec.int32 as NumFn) : spec.float)
      return [{dtype: a.dtype, shape, data: out}]
    },
  })
}

const add: NumFn = (a, b) => a + b
const sub: NumFn = (a, b) => a - b
const max: NumFn = (a, b) => (a < b ? b : a)
const min: NumFn = (a, b) => (b < a ? b : a)
const bigMax: BigFn = (a, b) => (a < b ? b : a)
const bigMin: BigFn = (a, b) => (b < a ? b : a)

registerBinary({name: 'Add', fast: 'add', float: add, int32: add, int64: (a, b) => a + b})
registerBinary({name: 'AddV2', fast: 'add', float: add, int32: add, int64: (a, b) => a + b})
registerBinary({name: 'Sub', fast: 'sub', float: sub, int32: sub, int64: (a, b) => a - b})
registerBinary({name: 'Mul', fast: 'mul', float: (a, b) => a * b, int32: Math.imul, int64: (a, b) => a * b})
registerBinary({name: 'RealDiv', fast: 'div', float: (a, b) => a / b})
registerBinary({name: 'Maximum', float: max, int32: max, int64: bigMax})
registerBinary({name: 'Minimum', float: min, int32: min, int64: bigMin})
