/**
 * Dequantize (tensorflow/core/kernels/dequantize_op.cc): quantized codes → float32.
 * - MIN_FIRST (x86 path): DEQUANTIZE_WITH_EIGEN, y = f32(base + f32((float)q × s)) with
 *   s = f32(f32(max − min) / (2^n − 1)) and base from the rounded minimum (quantization.ts).
 *   When min == max every y is min.
 * - MIN_COMBINED: y = f32(f32(f32((float)q + half) × sf) + min), sf = f32(f32(max − min) /
 *   (float)(highest − lowest)), half = 0 for unsigned T and (highest − lowest + 1)/2 for signed T.
 * - SCALED (as TF 2.x with narrow_range = false): y = f32((float)q × s), s = max/highest for
 *   unsigned T, max(min/lowest, max/highest) for signed T.
 * No range validation, as in TF.
 * A large quint8 input is dequantized natively through a 256-entry table, and the output is
 * recorded as a code form (src/runtime/codeForms.ts) for FusedBatchNorm; inside a Session the
 * output is left pending (written only when a reader needs the values).
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectInputCount, opError} from '../opArgs.js'
import type {DType, Tensor} from '../../core/tensor.js'
import {makeAttr} from '../../graph/attrs.js'
import {eigenDequantizer, type QuantizedType} from '../quantization.js'
import {checkTypeAttr, quantizedInput, rangeScalar} from './quantizedArgs.js'
import {lutU8ToF32Native, nativeQuantizedKernels} from '../../native/quantizedKernels.js'
import {codeFormsEnabled, recordCodeForm} from '../codeForms.js'

const f32 = Math.fround
const TYPES: DType[] = ['quint8', 'qint8', 'quint16', 'qint16', 'qint32']

type CodeArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array

export function dequantizeMinFirst(codes: CodeArray, min: number, max: number, q: QuantizedType, out: Float32Array): void {
  const {scale, base} = eigenDequantizer(min, max, q)
  if (q.bits <= 16) {
    // Every code's value, once: the same float arithmetic per element.
    const n = q.highest - q.lowest + 1
    const table = new Float32Array(n)
    for (let c = 0; c < n; c++) table[c] = f32(base + f32(f32(c + q.lowest) * scale))
    const lowest = q.lowest
    for (let i = 0; i < codes.length; i++) out[i] = table[codes[i] - lowest]
    return
  }
  for (let i = 0; i < codes.length; i++) out[i] = f32(base + f32(f32(codes[i]) * scale))
}

export function dequantizeMinCombined(codes: CodeArray, min: number, max: number, q: QuantizedType, out: Float32Array): void {
  const half = q.signed ? f32((f32(q.highest) - q.lowest + 1) / 2) : 0
  const sf = f32(f32(max - min) / f32(f32(q.highest) - q.lowest))
  for (let i = 0; i < codes.length; i++) out[i] = f32(f32(f32(f32(codes[i]) + half) * sf) + min)
}

export function dequantizeScaled(codes: CodeArray, min: number, max: number, q: QuantizedType, out: Float32Array): void {
  let scale: number
  // `max_range / numeric_limits<T>::max()` divides by the int converted to float.
  if (q.lowest === 0) scale = f32(max / f32(q.highest))
  else {
    const a = f32(min / f32(q.lowest))
    const b = f32(max / f32(q.highest))
    scale = a < b ? b : a
  }
  if (q.bits === 32) {
    // cast<int>() of a QInt32 goes through float: 2^31 − 64 < q rounds to 2^31, which converts
    // to INT32_MIN on x86.
    for (let i = 0; i < codes.length; i++) {
      const v = f32(codes[i])
      out[i] = f32((v >= 2147483648 ? -2147483648 : v) * scale)
    }
    return
  }
  for (let i = 0; i < codes.length; i++) out[i] = f32(f32(codes[i]) * scale)
}

async function compute(ctx: OpContext): Promise<Tensor[]> {
  expectInputCount(ctx, 3)
  const {t, q} = quantizedInput(ctx, 0, TYPES, 'input')
  checkTypeAttr(ctx, 'T', t, 0)
  const min = rangeScalar(ctx, 1, 'min_range')
  const max = rangeScalar(ctx, 2, 'max_range')
  const mode = attr.string(ctx, 'mode')
  if (attr.optional(ctx, 'axis', attr.int, -1) !== -1) throw opError(ctx, 'per-axis dequantization (axis != -1) is not supported (TF 1.14 has no axis)')
  if (ctx.hasAttr('dtype') && attr.type(ctx, 'dtype') !== 'float32') throw opError(ctx, 'only dtype = float is supported')
  if (mode !== 'MIN_FIRST' && mode !== 'MIN_COMBINED' && mode !== 'SCALED') {
    throw opError(ctx, `mode must be 'MIN_COMBINED', 'MIN_FIRST' or 'SCALED', is '${mode}'`)
  }
  if (mode === 'SCALED' && attr.optional(ctx, 'narrow_range', attr.bool, false)) throw opError(ctx, 'narrow_range = true is not supported')
  const codes = t.data as CodeArray
  if (t.dtype === 'quint8' && nativeQuantizedKernels(codes.length)) {
    // Every code's value once (the same arithmetic), then a native table lookup.
    const table = new Float32Array(256)
    dequantizeCodes(Uint8Array.from({length: 256}, (_, i) => i), min, max, q, mode, table)
    if (ctx.deferFloats && codeFormsEnabled()) {
      // Left unwritten: FusedBatchNorm reads the form; any other reader gets it written first.
      const out = outputArray(ctx, 'float32', codes.length) as Float32Array
      recordCodeForm(out, {codes: codes as Uint8Array, depth: 1, table, pending: true})
      return [{dtype: 'float32', shape: [...t.shape], data: out}]
    }
    const out = await lutU8ToF32Native(codes as Uint8Array, table, ctx.options.threads, outputArray(ctx, 'float32', codes.length) as Float32Array)
    if (codeFormsEnabled()) recordCodeForm(out, {codes: codes as Uint8Array, depth: 1, table})
    return [{dtype: 'float32', shape: [...t.shape], data: out}]
  }
  const out = new Float32Array(codes.length)
  dequantizeCodes(codes, min, max, q, mode, out)
  return [{dtype: 'float32', shape: [...t.shape], data: out}]
}

function dequantizeCodes(codes: CodeArray, min: number, max: number, q: QuantizedType, mode: string, out: Float32Array): void {
  if (mode === 'MIN_FIRST') dequantizeMinFirst(codes, min, max, q, out)
  else if (mode === 'MIN_COMBINED') dequantizeMinCombined(codes, min, max, q, out)
  else dequantizeScaled(codes, min, max, q, out)
}

registerOp({name: 'Dequantize', defaults: {mode: makeAttr.string('MIN_COMBINED')}, compute})
