/**
 * Argument readers shared by the quantized ops: the float range scalars (TF 1.14 reads element 0
 * of each `min`/`max` input) and quantized tensors with their TF type facts; the per-run record of
 * qint32 ranges found while writing (rememberInt32Range).
 */
import type {OpContext} from '../opRegistry.js'
import {attr, expectDType, input, opError} from '../opArgs.js'
import {numElements, TF_NAME_BY_DTYPE, type DType, type Tensor} from '../../core/tensor.js'
import {quantizedType, type QuantizedType} from '../quantization.js'

/**
 * First element of a float32 input, as TF's `ctx->input(i).flat<float>()(0)`. A NaN or infinite
 * range is an error: TF runs on with it and produces garbage (every code maps to NaN, or to the
 * same value), so axq names the node instead of reporting an accuracy of that garbage.
 */
export function rangeScalar(ctx: OpContext, index: number, name: string): number {
  const t = expectDType(ctx, index, ['float32'], name)
  if (numElements(t.shape) < 1) throw opError(ctx, `input ${index} (${name}) is empty; it must hold one float`)
  const v = (t.data as Float32Array)[0]
  if (!Number.isFinite(v)) throw opError(ctx, `input ${index} (${name}) is ${v}; a quantization range must be finite (NaN or infinite values upstream?)`)
  return v
}

/** A quantized input restricted to some types, with its QuantizedType. */
export function quantizedInput(
  ctx: OpContext,
  index: number,
  allowed: readonly DType[],
  name: string,
): {t: Tensor; q: QuantizedType} {
  const t = expectDType(ctx, index, allowed, name)
  const q = quantizedType(t.dtype)
  if (!q) throw opError(ctx, `input ${index} (${name}) must be a quantized type, got ${TF_NAME_BY_DTYPE[t.dtype]}`)
  return {t, q}
}

/** A type attr that must be one of `allowed` (TF registers kernels only for those). */
export function typeAttr(ctx: OpContext, name: string, allowed: readonly DType[]): DType {
  const d = attr.type(ctx, name)
  if (!allowed.includes(d)) {
    throw opError(ctx, `attr '${name}' = ${TF_NAME_BY_DTYPE[d]} has no CPU kernel (supported: ${allowed.map((a) => TF_NAME_BY_DTYPE[a]).join(', ')})`)
  }
  return d
}

/** When the node states a type attr, it must agree with the input's dtype. */
export function checkTypeAttr(ctx: OpContext, name: string, t: Tensor, index: number): void {
  if (!ctx.hasAttr(name)) return
  const d = attr.type(ctx, name)
  if (d !== t.dtype) {
    throw opError(ctx, `attr '${name}' = ${TF_NAME_BY_DTYPE[d]} but input ${index} is ${TF_NAME_BY_DTYPE[t.dtype]}`)
  }
}

export function scalarFloat(value: number): Tensor {
  const data = new Float32Array(1)
  data[0] = value
  return {dtype: 'float32', shape: [], data}
}

export {input}

const INT32_RANGE = Symbol('qint32 ranges')

/**
 * [min, max] of a qint32 output, found while the op wrote it (e.g. QuantizedAdd), kept for this
 * run so that RequantizationRange need not scan it again. Keyed by the array object: the Session
 * hands out every recycled buffer as a new object.
 */
export function rememberInt32Range(ctx: OpContext, data: Int32Array, range: [number, number]): void {
  if (!ctx.runCache) return
  let byArray = ctx.runCache.get(INT32_RANGE) as WeakMap<Int32Array, [number, number]> | undefined
  if (!byArray) ctx.runCache.set(INT32_RANGE, (byArray = new WeakMap()))
  byArray.set(data, range)
}

/** The range rememberInt32Range recorded for `data` in this run, if any. */
export function knownInt32Range(ctx: OpContext, data: Int32Array): [number, number] | undefined {
  return (ctx.runCache?.get(INT32_RANGE) as WeakMap<Int32Array, [number, number]> | undefined)?.get(data)
}
