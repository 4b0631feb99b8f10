/** TensorFlow's spellings of dtypes and shapes in transform parameters (DataTypeFromString, TensorShapeFromString). */
import {AxqError} from '../errors.js'
import {DTYPES} from '../core/tensor.js'

/**
 * types.cc DataTypeString names → enum (a `_ref` suffix adds 100): axq's dtypes (src/core) plus
 * the TensorFlow types axq has no tensors for, which transform parameters may still name.
 */
export const DTYPE_ENUM_BY_NAME: Record<string, number> = {
  ...Object.fromEntries(Object.values(DTYPES).map((d) => [d.tfName, d.tf])),
  complex64: 8, bfloat16: 14, complex128: 18, half: 19, resource: 20, variant: 21, uint32: 22, uint64: 23,
}

export function dtypeEnumFromString(s: string, where: string): number {
  const ref = s.endsWith('_ref')
  const base = DTYPE_ENUM_BY_NAME[ref ? s.slice(0, -4) : s]
  if (base === undefined) {
    throw new AxqError(`${where}: couldn't understand type argument '${s}' (accepted: ${Object.keys(DTYPE_ENUM_BY_NAME).join(', ')})`, {subject: where})
  }
  return ref ? base + 100 : base
}

/** "1,299,299,3" → [1,299,299,3]; empty or unparsable pieces are errors. */
export function shapeFromString(s: string, where: string): number[] {
  if (s === '') throw new AxqError(`${where}: specified shape is empty`, {subject: where})
  return s.split(',').map((piece) => {
    const t = piece.trim()
    if (!/^[+-]?\d+$/.test(t)) throw new AxqError(`${where}: couldn't parse '${s}' as a shape (comma-separated integers, e.g. "1,32,32,3")`, {subject: where})
    return Number(t)
  })
}
