/**
 * TensorProto ⇄ runtime Tensor, with TensorFlow's rules (framework/tensor.cc, Tensor::FromProto,
 * AsProtoTensorContent, AsProtoField):
 *
 * - The shape comes from `tensor_shape`; it must be fully known (no -1, no unknown rank).
 * - A non-empty `tensor_content` holds exactly N × sizeof(T) little-endian bytes in row-major
 *   order (strings: N varint32 lengths, then the bytes of all strings one after another).
 * - Otherwise the dtype's typed field is used: no values → all zeros (empty strings); k < N values
 *   → the last value fills the rest; k ≥ N → the first N values (TensorFlow ignores the extra
 *   ones without complaint, and so does axq).
 * - With N = 0 nothing is read.
 *
 * Typed fields: float_val (float32), double_val (float64), int_val (int32, int16, int8, uint8,
 * uint16, qint8, quint8, qint16, quint16, qint32), int64_val, bool_val, string_val.
 */
import protobuf from 'protobufjs'
import {AxqError} from '../errors.js'
import {
  allocate,
  BYTES_PER_ELEMENT,
  dtypeFromEnum,
  ENUM_BY_DTYPE,
  numElements,
  shapeString,
  TF_NAME_BY_DTYPE,
  type DType,
  type Tensor,
  type TensorData,
} from '../core/tensor.js'
import type {Int64, TensorProto, TensorShapeProto} from './types.js'

/** How tensorToProto stores the values. */
export type TensorProtoForm = 'content' | 'typed' | 'auto'

type TypedField = 'floatVal' | 'doubleVal' | 'intVal' | 'int64Val' | 'boolVal' | 'stringVal'

/** The TensorProto field holding a dtype's values in the typed form. */
export function typedFieldOf(dtype: DType): TypedField {
  switch (dtype) {
    case 'float32':
      return 'floatVal'
    case 'float64':
      return 'doubleVal'
    case 'int64':
      return 'int64Val'
    case 'bool':
      return 'boolVal'
    case 'string':
      return 'stringVal'
    default:
      return 'intVal'
  }
}

const MAX_ELEMENTS = 2 ** 31 - 1

/** Decode a TensorProto. `where` (e.g. "node 'x' attr 'value'") starts every error message. */
export function tensorFromProto(proto: TensorProto, where = 'tensor'): Tensor {
  const code = proto.dtype ?? 0
  if (code === 0) throw new AxqError(`${where}: tensor has no dtype (DT_INVALID)`)
  if (code > 100) throw new AxqError(`${where}: a TensorProto cannot have a reference dtype (${code})`)
  const dtype = dtypeFromEnum(code, where)
  const shape = shapeFromTensorShape(proto.tensorShape, where)
  const n = numElements(shape)
  if (n > MAX_ELEMENTS) throw new AxqError(`${where}: tensor of shape ${shapeString(shape)} is too large (${n} elements)`)
  if (n === 0) return {dtype, shape, data: allocate(dtype, 0)}
  const content = proto.tensorContent
  if (content && content.length > 0) return {dtype, shape, data: fromContent(dtype, n, content, where)}
  return {dtype, shape, data: fromTypedField(dtype, n, proto, where)}
}

/**
 * Encode a Tensor as a TensorProto. 'content': TensorFlow's AsProtoTensorContent (raw bytes;
 * nothing when empty); 'typed': AsProtoField (all N values in the typed field); 'auto': more
 * than one element → content, else typed. The shape is always set (a scalar has an empty shape).
 */
export function tensorToProto(t: Tensor, form: TensorProtoForm = 'content'): TensorProto {
  const n = numElements(t.shape)
  if (t.data.length !== n) throw new AxqError(`tensor of shape ${shapeString(t.shape)} needs ${n} values, got ${t.data.length}`)
  const proto: TensorProto = {dtype: ENUM_BY_DTYPE[t.dtype], tensorShape: shapeToProto(t.shape)}
  const useContent = form === 'content' || (form === 'auto' && n > 1)
  if (n === 0) return proto
  if (useContent) {
    proto.tensorContent = toContent(t)
  } else {
    const field = typedFieldOf(t.dtype)
    ;(proto as Record<string, unknown>)[field] = toTypedValues(t)
  }
  return proto
}

/** A TensorShapeProto for known dims, as TensorFlow writes it (a 0 dim is an empty Dim). */
export function shapeToProto(shape: readonly number[]): TensorShapeProto {
  return {dim: shape.map((size) => (size === 0 ? {} : {size}))}
}

function shapeFromTensorShape(shape: TensorShapeProto | undefined, where: string): number[] {
  if (!shape) return []
  if (shape.unknownRank) throw new AxqError(`${where}: tensor shape has unknown rank`)
  return (shape.dim ?? []).map((d, i) => {
    const size = int64Number(d.size ?? 0)
    if (!Number.isSafeInteger(size) || size < 0) throw new AxqError(`${where}: tensor shape dimension ${i} is ${size}, not a known size`)
    return size
  })
}

function int64Number(v: Int64 | string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'string') return Number(v)
  return v.toNumber()
}

function int64BigInt(v: Int64 | string | bigint): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') return BigInt(Math.trunc(v))
  if (typeof v === 'string') return BigInt(v)
  const big = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)
  return v.unsigned ? big : BigInt.asIntN(64, big)
}

function toInt64(v: bigint): Int64 {
  const n = Number(v)
  if (Number.isSafeInteger(n)) return n
  const Long = protobuf.util.Long as unknown as {fromString(s: string, unsigned?: boolean): Int64} | undefined
  return Long ? Long.fromString(v.toString(), false) : n
}

function fromContent(dtype: DType, n: number, content: Uint8Array, where: string): TensorData {
  if (dtype === 'string') return decodeStringList(content, n, where)
  const size = BYTES_PER_ELEMENT[dtype]
  if (content.length !== n * size) {
    throw new AxqError(`${where}: tensor_content has ${content.length} bytes, a ${TF_NAME_BY_DTYPE[dtype]} tensor of ${n} elements needs ${n * size}`)
  }
  // Copy into a fresh (aligned) buffer: the content is a view into the file at any offset.
  const bytes = new Uint8Array(content)
  const data = viewOf(dtype, bytes.buffer, n)
  if (dtype === 'bool') {
    const b = data as Uint8Array
    for (let i = 0; i < n; i++) b[i] = b[i] !== 0 ? 1 : 0
  }
  return data
}

function viewOf(dtype: DType, buffer: ArrayBufferLike, n: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, n)
    case 'float64':
      return new Float64Array(buffer, 0, n)
    case 'int32':
    case 'qint32':
      return new Int32Array(buffer, 0, n)
    case 'int64':
      return new BigInt64Array(buffer, 0, n)
    case 'uint8':
    case 'quint8':
    case 'bool':
      return new Uint8Array(buffer, 0, n)
    case 'int8':
    case 'qint8':
      return new Int8Array(buffer, 0, n)
    case 'int16':
    case 'qint16':
      return new Int16Array(buffer, 0, n)
    case 'uint16':
    case 'quint16':
      return new Uint16Array(buffer, 0, n)
    case 'string':
      throw new AxqError('internal error: string tensors have no fixed-size view')
  }
}

function fromTypedField(dtype: DType, n: number, proto: TensorProto, where: string): TensorData {
  const field = typedFieldOf(dtype)
  const values = ((proto as Record<string, unknown>)[field] ?? []) as unknown[]
  const k = Math.min(values.length, n)
  const data = allocate(dtype, n)
  if (k === 0) return data
  switch (dtype) {
    case 'string': {
      const out = data as Uint8Array[]
      for (let i = 0; i < k; i++) out[i] = asBytes(values[i])
      for (let i = k; i < n; i++) out[i] = out[k - 1]
      return out
    }
    case 'int64': {
      const out = data as BigInt64Array
      for (let i = 0; i < k; i++) out[i] = BigInt.asIntN(64, int64BigInt(values[i] as Int64))
      if (k < n) out.fill(out[k - 1], k)
      return out
    }
    case 'bool': {
      const out = data as Uint8Array
      for (let i = 0; i < k; i++) out[i] = values[i] ? 1 : 0
      if (k < n) out.fill(out[k - 1], k)
      return out
    }
    default: {
      const out = data as Exclude<TensorData, BigInt64Array | Uint8Array[]>
      for (let i = 0; i < k; i++) {
        const v = values[i]
        if (typeof v !== 'number') throw new AxqError(`${where}: ${field}[${i}] is not a number`)
        out[i] = v
      }
      if (k < n) out.fill(out[k - 1], k)
      return out
    }
  }
}

function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  if (typeof v === 'string') return new TextEncoder().encode(v)
  return new Uint8Array(0)
}

function toContent(t: Tensor): Uint8Array {
  if (t.dtype === 'string') return encodeStringList(t.data as Uint8Array[])
  const d = t.data as Exclude<TensorData, Uint8Array[]>
  const out = new Uint8Array(d.byteLength)
  out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))
  if (t.dtype === 'bool') for (let i = 0; i < out.length; i++) out[i] = out[i] !== 0 ? 1 : 0
  return out
}

function toTypedValues(t: Tensor): unknown[] {
  switch (t.dtype) {
    case 'string':
      return (t.data as Uint8Array[]).map((s) => s)
    case 'int64':
      return Array.from(t.data as BigInt64Array, toInt64)
    case 'bool':
      return Array.from(t.data as Uint8Array, (v) => v !== 0)
    default:
      return Array.from(t.data as Exclude<TensorData, BigInt64Array | Uint8Array[]>)
  }
}

/** TensorFlow's string-tensor encoding: N varint32 lengths, then the N strings. */
export function encodeStringList(strings: readonly Uint8Array[]): Uint8Array {
  const lengths: number[] = []
  let total = 0
  for (const s of strings) {
    let v = s.length
    do {
      lengths.push(v > 0x7f ? (v & 0x7f) | 0x80 : v)
      v >>>= 7
    } while (v > 0)
    total += s.length
  }
  const out = new Uint8Array(lengths.length + total)
  out.set(lengths)
  let pos = lengths.length
  for (const s of strings) {
    out.set(s, pos)
    pos += s.length
  }
  return out
}

function decodeStringList(content: Uint8Array, n: number, where: string): Uint8Array[] {
  const lengths: number[] = []
  let pos = 0
  for (let i = 0; i < n; i++) {
    let v = 0
    let shift = 0
    for (;;) {
      if (pos >= content.length || shift > 28) throw new AxqError(`${where}: string tensor_content is truncated or corrupt`)
      const b = content[pos++]
      v += (b & 0x7f) * 2 ** shift
      shift += 7
      if (b < 0x80) break
    }
    lengths.push(v)
  }
  const total = lengths.reduce((a, b) => a + b, 0)
  if (pos + total !== content.length) throw new AxqError(`${where}: string tensor_content has ${content.length} bytes, its ${n} lengths say ${pos + total}`)
  return lengths.map((len) => {
    const s = content.slice(pos, pos + len)
    pos += len
    return s
  })
}
