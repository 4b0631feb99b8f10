/**
 * Runtime tensors: a dtype, a shape and a flat row-major typed array.
 * Quantized types keep their codes in plain typed arrays: quint8 in Uint8Array, qint8 in
 * Int8Array, qint32 in Int32Array. int64 uses BigInt64Array; strings are byte arrays.
 */
import {MAX_TENSOR_ELEMENTS} from '../limits.js'
import {AxqError} from '../errors.js'

export type DType =
  | 'float32'
  | 'float64'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'quint8'
  | 'qint8'
  | 'qint32'
  | 'quint16'
  | 'qint16'
  | 'bool'
  | 'string'

export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Uint8Array[]

export interface Tensor {
  dtype: DType
  shape: number[]
  data: TensorData
}

/** TensorFlow DataType enum values (types.proto) and their axq names. */
export const DTYPE_BY_ENUM: Record<number, DType> = {
  1: 'float32',
  2: 'float64',
  3: 'int32',
  4: 'uint8',
  5: 'int16',
  6: 'int8',
  7: 'string',
  9: 'int64',
  10: 'bool',
  11: 'qint8',
  12: 'quint8',
  13: 'qint32',
  15: 'qint16',
  16: 'quint16',
  17: 'uint16',
}

export const ENUM_BY_DTYPE: Record<DType, number> = Object.fromEntries(
  Object.entries(DTYPE_BY_ENUM).map(([k, v]) => [v, Number(k)]),
) as Record<DType, number>

/** TensorFlow's spelling of a dtype (for messages and `type=` parameters). */
export const TF_NAME_BY_DTYPE: Record<DType, string> = {
  float32: 'float',
  float64: 'double',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  int8: 'int8',
  int16: 'int16',
  uint16: 'uint16',
  quint8: 'quint8',
  qint8: 'qint8',
  qint32: 'qint32',
  quint16: 'quint16',
  qint16: 'qint16',
  bool: 'bool',
  string: 'string',
}

export function dtypeFromEnum(value: number, where = 'tensor'): DType {
  const base = value > 100 ? value - 100 : value
  const dtype = DTYPE_BY_ENUM[base]
  if (!dtype) throw new AxqError(`${where}: unsupported data type ${value}`)
  return dtype
}

export function numElements(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/**
 * A tensor of `size` elements would be too large for axq (MAX_TENSOR_ELEMENTS), or `size` is no
 * element count at all: an AxqError (a graph or a --batch-size asks for more than axq computes).
 */
export function checkElementCount(size: number, dtype?: DType): void {
  if (Number.isSafeInteger(size) && size >= 0 && size <= MAX_TENSOR_ELEMENTS) return
  const what = dtype ? `a ${dtype} tensor` : 'a tensor'
  if (!Number.isSafeInteger(size) || size < 0) throw new AxqError(`${what} of ${size} elements cannot exist (a shape with a negative, fractional or huge dimension)`)
  throw new AxqError(`${what} of ${size} elements is more than axq computes (at most 2^28 = ${MAX_TENSOR_ELEMENTS}); a smaller --batch-size, or a graph with smaller shapes`)
}

export function allocate(dtype: DType, size: number): TensorData {
  checkElementCount(size, dtype)
  switch (dtype) {
    case 'float32':
      return new Float32Array(size)
    case 'float64':
      return new Float64Array(size)
    case 'int32':
    case 'qint32':
      return new Int32Array(size)
    case 'int64':
      return new BigInt64Array(size)
    case 'uint8':
    case 'quint8':
    case 'bool':
      return new Uint8Array(size)
    case 'int8':
    case 'qint8':
      return new Int8Array(size)
    case 'int16':
    case 'qint16':
      return new Int16Array(size)
    case 'uint16':
    case 'quint16':
      return new Uint16Array(size)
    case 'string':
      return Array.from({length: size}, () => new Uint8Array(0))
  }
}

export function makeTensor(dtype: DType, shape: number[], data?: TensorData): Tensor {
  const size = numElements(shape)
  const values = data ?? allocate(dtype, size)
  if (values.length !== size) {
    throw new AxqError(`tensor of shape [${shape.join(',')}] needs ${size} values, got ${values.length}`)
  }
  return {dtype, shape: [...shape], data: values}
}

export function scalar(dtype: DType, value: number | bigint): Tensor {
  const t = makeTensor(dtype, [])
  ;(t.data as unknown as (number | bigint)[])[0] = value
  return t
}

/** Read element i as a JS number (int64 converted, strings rejected). */
export function elementAsNumber(t: Tensor, i: number): number {
  const v = (t.data as ArrayLike<number | bigint>)[i]
  return typeof v === 'bigint' ? Number(v) : (v as number)
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`
}
