/**
 * AttrValue → protobuf bytes exactly as TensorFlow's C++ `SerializeToString` writes them (the
 * bytes HashNodeDef hashes): fields in field-number order, proto3 scalars equal to their default
 * omitted except the set member of a oneof, set sub-messages written even when empty, packed
 * repeated scalars as one length-delimited field. Independent of how the object was built
 * (decoded by protobufjs or made by a transform), so the hash depends only on the values.
 *
 * Map entries (only in NameAttrList.attr) are written sorted by key: C++ writes them in hash-map
 * order, which no other implementation can reproduce; such attrs (function-valued) are rare.
 */
import type {AttrValue, Int64, ListValue, NameAttrList, TensorProto, TensorShapeProto} from './types.js'
import {AxqError} from '../errors.js'

class Writer {
  private buf = new Uint8Array(256)
  len = 0

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.len++] = b
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(v: number): void {
    this.ensure(10)
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.len++] = v
  }

  /** Varint of a 64-bit two's-complement value (negative int32/int64 take 10 bytes). */
  varint64(v: bigint): void {
    let u = BigInt.asUintN(64, v)
    this.ensure(10)
    while (u >= 0x80n) {
      this.buf[this.len++] = Number(u & 0x7fn) | 0x80
      u >>= 7n
    }
    this.buf[this.len++] = Number(u)
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire)
  }

  bytes(data: Uint8Array): void {
    this.varint(data.length)
    this.ensure(data.length)
    this.buf.set(data, this.len)
    this.len += data.length
  }

  float32(v: number): void {
    this.ensure(4)
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true)
    this.len += 4
  }

  float64(v: number): void {
    this.ensure(8)
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, v, true)
    this.len += 8
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

const utf8 = new TextEncoder()

function int64Big(v: Int64 | string | bigint): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') return BigInt(v)
  if (typeof v === 'string') return BigInt(v)
  const lo = BigInt(v.low >>> 0)
  const hi = BigInt(v.high >>> 0)
  const u = (hi << 32n) | lo
  return v.unsigned ? u : BigInt.asIntN(64, u)
}

function present<T>(v: T | undefined | null): v is T {
  return v !== undefined && v !== null
}

function sub(w: Writer, field: number, build: (inner: Writer) => void): void {
  const inner = new Writer()
  build(inner)
  w.tag(field, 2)
  w.bytes(inner.finish())
}

function packed(w: Writer, field: number, values: readonly unknown[] | undefined, each: (inner: Writer, v: never) => void): void {
  if (!values || values.length === 0) return
  const inner = new Writer()
  for (const v of values) each(inner, v as never)
  w.tag(field, 2)
  w.bytes(inner.finish())
}

function writeString(w: Writer, field: number, s: string | Uint8Array | undefined, always = false): void {
  if (!present(s)) return
  const data = typeof s === 'string' ? utf8.encode(s) : s
  if (data.length === 0 && !always) return
  w.tag(field, 2)
  w.bytes(data)
}

export function writeTensorShape(w: Writer, shape: TensorShapeProto): void {
  for (const dim of shape.dim ?? []) {
    sub(w, 2, (d) => {
      const size = present(dim.size) ? int64Big(dim.size) : 0n
      if (size !== 0n) {
        d.tag(1, 0)
        d.varint64(size)
      }
      writeString(d, 2, dim.name)
    })
  }
  if (shape.unknownRank) {
    w.tag(3, 0)
    w.byte(1)
  }
}

type TensorProtoWire = TensorProto & {
  scomplexVal?: number[]
  dcomplexVal?: number[]
  resourceHandleVal?: unknown[]
  variantVal?: unknown[]
}

export function writeTensor(w: Writer, t: TensorProtoWire): void {
  if (present(t.dtype) && t.dtype !== 0) {
    w.tag(1, 0)
    w.varint64(BigInt(t.dtype))
  }
  if (present(t.tensorShape)) sub(w, 2, (s) => writeTensorShape(s, t.tensorShape!))
  if (present(t.versionNumber) && t.versionNumber !== 0) {
    w.tag(3, 0)
    w.varint64(BigInt(t.versionNumber))
  }
  writeString(w, 4, t.tensorContent)
  packed(w, 5, t.floatVal, (i, v: number) => i.float32(v))
  packed(w, 6, t.doubleVal, (i, v: number) => i.float64(v))
  packed(w, 7, t.intVal, (i, v: number) => i.varint64(BigInt(v)))
  for (const s of t.stringVal ?? []) {
    w.tag(8, 2)
    w.bytes(s)
  }
  packed(w, 9, t.scomplexVal, (i, v: number) => i.float32(v))
  packed(w, 10, t.int64Val, (i, v: Int64) => i.varint64(int64Big(v)))
  packed(w, 11, t.boolVal, (i, v: boolean) => i.byte(v ? 1 : 0))
  packed(w, 12, t.dcomplexVal, (i, v: number) => i.float64(v))
  packed(w, 13, t.halfVal, (i, v: number) => i.varint64(BigInt(v)))
  if ((t.resourceHandleVal?.length ?? 0) > 0 || (t.variantVal?.length ?? 0) > 0) {
    throw new AxqError('cannot hash a tensor holding resource handles or variants')
  }
  packed(w, 16, t.uint32Val, (i, v: number) => i.varint(v >>> 0))
  packed(w, 17, t.uint64Val, (i, v: Int64) => i.varint64(int64Big(v)))
}

function writeNameAttrList(w: Writer, f: NameAttrList): void {
  writeString(w, 1, f.name)
  const attr = f.attr ?? {}
  for (const key of Object.keys(attr).sort(compareBytes)) {
    sub(w, 2, (entry) => {
      writeString(entry, 1, key)
      sub(entry, 2, (v) => writeAttrValue(v, attr[key]))
    })
  }
}

function writeList(w: Writer, l: ListValue): void {
  for (const s of l.s ?? []) {
    w.tag(2, 2)
    w.bytes(s)
  }
  packed(w, 3, l.i, (i, v: Int64) => i.varint64(int64Big(v)))
  packed(w, 4, l.f, (i, v: number) => i.float32(v))
  packed(w, 5, l.b, (i, v: boolean) => i.byte(v ? 1 : 0))
  packed(w, 6, l.type, (i, v: number) => i.varint64(BigInt(v)))
  for (const s of l.shape ?? []) sub(w, 7, (i) => writeTensorShape(i, s))
  for (const t of l.tensor ?? []) sub(w, 8, (i) => writeTensor(i, t))
  for (const f of l.func ?? []) sub(w, 9, (i) => writeNameAttrList(i, f))
}

function writeAttrValue(w: Writer, v: AttrValue): void {
  // Exactly one member of the oneof is set; a set member is always written.
  if (present(v.list)) sub(w, 1, (i) => writeList(i, v.list!))
  else if (present(v.s)) writeString(w, 2, v.s, true)
  else if (present(v.i)) {
    w.tag(3, 0)
    w.varint64(int64Big(v.i))
  } else if (present(v.f)) {
    w.tag(4, 5)
    w.float32(v.f)
  } else if (present(v.b)) {
    w.tag(5, 0)
    w.byte(v.b ? 1 : 0)
  } else if (present(v.type)) {
    w.tag(6, 0)
    w.varint64(BigInt(v.type))
  } else if (present(v.shape)) sub(w, 7, (i) => writeTensorShape(i, v.shape!))
  else if (present(v.tensor)) sub(w, 8, (i) => writeTensor(i, v.tensor!))
  else if (present(v.placeholder)) writeString(w, 9, v.placeholder, true)
  else if (present(v.func)) sub(w, 10, (i) => writeNameAttrList(i, v.func!))
}

/** The bytes C++ `AttrValue::SerializeToString` produces for this value. */
export function serializeAttrValue(v: AttrValue): Uint8Array {
  const w = new Writer()
  writeAttrValue(w, v)
  return w.finish()
}

/** Byte-wise (UTF-8) comparison, the order of std::string's operator<. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0
  // For strings of code points below U+0080 (all TensorFlow names in practice), UTF-16 code unit
  // order equals byte order; otherwise compare the encodings.
  if (/^[\x00-\x7f]*$/.test(a) && /^[\x00-\x7f]*$/.test(b)) return a < b ? -1 : 1
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}
