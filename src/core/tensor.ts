/**
 * The tensor and dtype vocabulary shared by every layer (graph models of both formats, the
 * runtime, data readers, transforms): a dtype, a shape and a flat row-major typed array.
 * Quantized types keep their codes in plain typed arrays: quint8 in Uint8Array, qint8 in
 * Int8Array, qint32 in Int32Array. int64 uses BigInt64Array; strings are byte arrays.
 *
 * DTYPES is the one table of dtypes: the TensorFlow enum (types.proto) and spelling, the ONNX
 * enum (onnx.proto TensorProto.DataType), bytes per element and typed-array constructor.
 */
import {AxqError} from '../errors.js'
import {MAX_TENSOR_ELEMENTS} from '../limits.js'

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

export type NumericData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array | Uint16Array

export type TensorData = NumericData | Uint8Array[]

export interface Tensor {
  dtype: DType
  shape: number[]
  data: TensorData
}

type NumericArrayCtor = {
  new (size: number): NumericData
  new (buffer: ArrayBuffer, byteOffset: number, length: number): NumericData
  readonly BYTES_PER_ELEMENT: number
}

export interface DTypeInfo {
  /** TensorFlow DataType enum value. */
  tf: number
  /** TensorFlow's spelling (messages, `type=` parameters). */
  tfName: string
  /** ONNX TensorProto.DataType enum value (absent: no ONNX type). */
  onnx?: number
  /** Typed array holding the values (absent for strings). */
  array?: NumericArrayCtor
}

export const DTYPES: Record<DType, DTypeInfo> = {
  float32: {tf: 1, tfName: 'float', onnx: 1, array: Float32Array},
  float64: {tf: 2, tfName: 'double', onnx: 11, array: Float64Array},
  int32: {tf: 3, tfName: 'int32', onnx: 6, array: Int32Array},
  uint8: {tf: 4, tfName: 'uint8', onnx: 2, array: Uint8Array},
  int16: {tf: 5, tfName: 'int16', onnx: 5, array: Int16Array},
  int8: {tf: 6, tfName: 'int8', onnx: 3, array: Int8Array},
  string: {tf: 7, tfName: 'string', onnx: 8},
  int64: {tf: 9, tfName: 'int64', onnx: 7, array: BigInt64Array},
  bool: {tf: 10, tfName: 'bool', onnx: 9, array: Uint8Array},
  qint8: {tf: 11, tfName: 'qint8', array: Int8Array},
  quint8: {tf: 12, tfName: 'quint8', array: Uint8Array},
  qint32: {tf: 13, tfName: 'qint32', array: Int32Array},
  qint16: {tf: 15, tfName: 'qint16', array: Int16Array},
  quint16: {tf: 16, tfName: 'quint16', array: Uint16Array},
  uint16: {tf: 17, tfName: 'uint16', onnx: 4, array: Uint16Array},
}

const ALL_DTYPES = Object.keys(DTYPES) as DType[]

/** TensorFlow DataType enum values and their axq names. */
export const DTYPE_BY_ENUM: Record<number, DType> = Object.fromEntries(ALL_DTYPES.map((d) => [DTYPES[d].tf, d]))

export const ENUM_BY_DTYPE: Record<DType, number> = Object.fromEntries(ALL_DTYPES.map((d) => [d, DTYPES[d].tf])) as Record<DType, number>

/** TensorFlow's spelling of a dtype (for messages and `type=` parameters). */
export const TF_NAME_BY_DTYPE: Record<DType, string> = Object.fromEntries(ALL_DTYPES.map((d) => [d, DTYPES[d].tfName])) as Record<DType, string>

/** ONNX TensorProto.DataType enum values and their axq names. */
export const DTYPE_BY_ONNX_ENUM: Record<number, DType> = Object.fromEntries(
  ALL_DTYPES.filter((d) => DTYPES[d].onnx !== undefined).map((d) => [DTYPES[d].onnx as number, d]),
)

/** Bytes per element of the numeric dtypes (strings have no fixed size). */
export const BYTES_PER_ELEMENT: Record<Exclude<DType, 'string'>, number> = Object.fromEntries(
  ALL_DTYPES.filter((d) => d !== 'string').map((d) => [d, (DTYPES[d].array as NumericArrayCtor).BYTES_PER_ELEMENT]),
) as Record<Exclude<DType, 'string'>, number>

/** A TensorFlow DataType enum value (reference types, value + 100, map to their base type). */
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
  const Array_ = DTYPES[dtype].array
  if (!Array_) return Array.from({length: size}, () => new Uint8Array(0))
  return new Array_(size)
}

/** A typed-array view of `size` elements of `dtype` on `buffer` (numeric dtypes only). */
export function viewOf(dtype: DType, buffer: ArrayBuffer, size: number): NumericData | undefined {
  const Array_ = DTYPES[dtype].array
  return Array_ ? new Array_(buffer, 0, size) : undefined
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
