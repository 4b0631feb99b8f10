/** TensorFlow's spellings of dtypes and shapes in transform parameters (DataTypeFromString, TensorShapeFromString). */
import {AxqError} from '../errors.js'

/** types.cc DataTypeString names → enum (a `_ref` suffix adds 100). */
export const DTYPE_ENUM_BY_NAME: Record<string, number> = {
  float: 1, double: 2, int32: 3, uint8: 4, int16: 5, int8: 6, string: 7, complex64: 8, int64: 9, bool: 10,
  qint8: 11, quint8: 12, qint32: 13, bfloat16: 14, qint16: 15, quint16: 16, uint16: 17, complex128: 18,
  half: 19, resource: 20, variant: 21, uint32: 22, uint64: 23,
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
