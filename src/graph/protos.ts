/**
 * TensorFlow's protobuf messages (proto/*.proto, loaded at run time with protobufjs from the
 * package's own proto/ folder) and the two conversions every reader and writer goes through:
 *
 * - decode: wire bytes → plain objects (camelCase, see src/graph/types.ts). A singular field is an
 *   own property exactly when it was on the wire (oneof members included, so `AttrValue{b: false}`
 *   survives); so is a repeated field or map, except GraphDef.node, NodeDef.input and
 *   NodeDef.attr, which are always there (empty when absent) so callers can push and assign into
 *   them. int64 values are JS numbers when they are safe integers and protobufjs `Long`s
 *   otherwise. bytes are Buffer views into the decoded input.
 * - encode: plain objects → the bytes TensorFlow's C++ `SerializeToString` writes: fields in
 *   field-number order, repeated scalars packed, proto3 scalars equal to their default omitted
 *   unless they belong to a oneof (or have explicit presence), set sub-messages always written,
 *   map entries in the object's key order. An unchanged decoded message re-encodes byte for byte.
 *
 * Fields that the schemas do not know are kept as raw bytes (UNKNOWN_FIELDS) and written back
 * after the known ones, as C++ does; unknown fields inside map entries are dropped.
 */
import path from 'node:path'
import protobuf from 'protobufjs'
import {AxqError} from '../errors.js'
import {packageRoot} from '../native/binding.js'

/** The folder holding axq's .proto files (inside the installed package, not the working directory). */
export const PROTO_DIR = path.join(packageRoot, 'proto')

const ENTRY_FILES = ['graph.proto', 'example.proto']

let root: protobuf.Root | undefined

/** All axq schemas in one protobufjs Root (loaded once). */
export function protoRoot(): protobuf.Root {
  if (root) return root
  try {
    const r = new protobuf.Root()
    r.loadSync(ENTRY_FILES.map((f) => path.join(PROTO_DIR, f)), {keepCase: false})
    r.resolveAll()
    for (const type of allTypes(r)) keepUnknownFields(type)
    root = r
  } catch (error) {
    throw new AxqError(`cannot load axq's protobuf schemas from ${PROTO_DIR}: ${firstLine(error)}`, {cause: error})
  }
  return root
}

/** A message type by name: 'GraphDef', 'AttrValue.ListValue' or 'tensorflow.GraphDef'. */
export function protoType(name: string): protobuf.Type {
  const r = protoRoot()
  const found = name.startsWith('tensorflow.') ? r.lookup(name) : r.lookup(`tensorflow.${name}`)
  if (!(found instanceof protobuf.Type)) throw new AxqError(`internal error: unknown protobuf message ${name}`)
  return found
}

/** Repeated fields and maps that decode as [] / {} when absent (all others only when on the wire). */
const ALWAYS_PRESENT = new Set(['.tensorflow.GraphDef.node', '.tensorflow.NodeDef.input', '.tensorflow.NodeDef.attr'])

/**
 * Fields the schemas do not know (e.g. from a newer TensorFlow) are kept as their raw wire bytes
 * under this key of the decoded object, and written back after the known fields, where C++
 * puts unknown fields.
 */
export const UNKNOWN_FIELDS = Symbol('axq.unknownFields')

function allTypes(ns: protobuf.NamespaceBase): protobuf.Type[] {
  const out: protobuf.Type[] = []
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) out.push(nested)
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) out.push(...allTypes(nested as protobuf.NamespaceBase))
  }
  return out
}

type Codec = {
  decode: (r: protobuf.Reader | Uint8Array, l?: number, e?: number, n?: number) => protobuf.Message
  encode: (m: Record<string | symbol, unknown>, w?: protobuf.Writer) => protobuf.Writer
}

/** Wrap a type's generated codec so unknown fields survive a decode → encode round trip. */
function keepUnknownFields(type: protobuf.Type): void {
  type.setup()
  const codec = type as unknown as Codec
  const decode = codec.decode
  const encode = codec.encode
  const known = type.fieldsById
  codec.decode = function (r, l, e, n) {
    const reader = r instanceof protobuf.Reader ? r : protobuf.Reader.create(r)
    const start = reader.pos
    const end = l === undefined ? reader.len : reader.pos + l
    const message = decode.call(type, reader, l, e, n) as unknown as Record<symbol, unknown>
    const unknown = scanUnknown(reader.buf, start, Math.min(end, reader.pos), known)
    if (unknown) message[UNKNOWN_FIELDS] = unknown
    return message as unknown as protobuf.Message
  }
  codec.encode = function (m, w) {
    const writer = encode.call(type, m, w)
    const unknown = m[UNKNOWN_FIELDS] as Uint8Array[] | undefined
    if (unknown) {
      const raw = writer as unknown as {_push(fn: (v: Uint8Array, buf: Uint8Array, pos: number) => void, len: number, v: Uint8Array): void}
      for (const bytes of unknown) raw._push(copyBytes, bytes.length, bytes)
    }
    return writer
  }
}

function copyBytes(v: Uint8Array, buf: Uint8Array, pos: number): void {
  buf.set(v, pos)
}

/** Raw bytes (tag and payload) of the fields in buf[start, end) whose numbers are not known. */
function scanUnknown(buf: Uint8Array, start: number, end: number, known: Record<number, protobuf.Field>): Uint8Array[] | undefined {
  let found: Uint8Array[] | undefined
  let pos = start
  const varint = (): number => {
    let v = 0
    let scale = 1
    for (let i = 0; i < 10 && pos < end; i++) {
      const b = buf[pos++]
      v += (b & 0x7f) * scale
      scale *= 128
      if (b < 0x80) return v
    }
    throw new Error('invalid varint')
  }
  const skip = (wireType: number, depth: number): void => {
    switch (wireType) {
      case 0:
        varint()
        return
      case 1:
        pos += 8
        return
      case 2: {
        const length = varint() // (not `pos += varint()`: that reads pos before the call)
        pos += length
        return
      }
      case 5:
        pos += 4
        return
      case 3:
        // group: fields until the matching end-group tag
        if (depth > 32) throw new Error('groups nested too deeply')
        for (;;) {
          const tag = varint()
          if ((tag & 7) === 4) return
          skip(tag & 7, depth + 1)
        }
      default:
        throw new Error(`invalid wire type ${wireType}`)
    }
  }
  while (pos < end) {
    const at = pos
    const tag = varint()
    skip(tag & 7, 0)
    if (pos > end) throw new Error('index out of range')
    if (!known[Math.floor(tag / 8)]) (found ??= []).push(buf.slice(at, pos))
  }
  return found
}

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'])
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/**
 * Decode `bytes` as message `type` into plain objects (see the module comment). Errors are
 * AxqErrors naming `source` (a file name, or a description like "record 3 of x.tfrecords").
 */
export function decodeMessage<T>(type: string, bytes: Uint8Array, source: string): T {
  const t = protoType(type)
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let message: protobuf.Message
  try {
    message = t.decode(buf)
  } catch (error) {
    throw new AxqError(`${source}: not a valid ${t.name} (truncated or corrupt protobuf: ${firstLine(error)})`, {subject: source, cause: error})
  }
  return toPlain(t, message as unknown as Record<string, unknown>) as T
}

/**
 * Encode a plain object as message `type`, the way TensorFlow's C++ serializer does. The object
 * is checked first; a malformed one (e.g. a string where a number belongs, two oneof members)
 * is an AxqError naming `what`.
 */
export function encodeMessage(type: string, value: object, what: string = type): Uint8Array {
  const t = protoType(type)
  let canon: Record<string, unknown>
  try {
    canon = canonical(t, value as Record<string, unknown>)
  } catch (error) {
    throw new AxqError(`cannot encode ${what}: ${firstLine(error)}`, {cause: error})
  }
  const problem = t.verify(canon)
  if (problem) throw new AxqError(`cannot encode ${what}: ${problem}`)
  return t.encode(canon).finish()
}

/** A copy of `value` holding only what C++ would serialize (see the module comment). */
export function canonicalMessage(type: protobuf.Type | string, value: object): Record<string, unknown> {
  const t = typeof type === 'string' ? protoType(type) : type
  return canonical(t, value as Record<string, unknown>)
}

function toPlain(type: protobuf.Type, msg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string | symbol, unknown> = {}
  const unknown = (msg as Record<symbol, unknown>)[UNKNOWN_FIELDS]
  if (unknown) out[UNKNOWN_FIELDS] = unknown
  for (const field of type.fieldsArray) {
    const name = field.name
    const present = hasOwn(msg, name)
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined
    if (field.map) {
      // protobufjs's constructors create every repeated field and map: "present" = non-empty.
      if (!(present && Object.keys(msg[name] as object).length > 0) && !ALWAYS_PRESENT.has(field.fullName)) continue
      const src = (present ? msg[name] : {}) as Record<string, unknown>
      const obj: Record<string, unknown> = {}
      for (const key of Object.keys(src)) obj[key] = plainValue(field, sub, src[key])
      out[name] = obj
    } else if (field.repeated) {
      if (!(present && (msg[name] as unknown[]).length > 0) && !ALWAYS_PRESENT.has(field.fullName)) continue
      const src = (present ? msg[name] : []) as unknown[]
      out[name] = sub || LONG_TYPES.has(field.type) ? src.map((v) => plainValue(field, sub, v)) : src
    } else if (present) {
      out[name] = plainValue(field, sub, msg[name])
    }
  }
  return out
}

function plainValue(field: protobuf.Field, sub: protobuf.Type | undefined, v: unknown): unknown {
  if (sub) return toPlain(sub, (v ?? {}) as Record<string, unknown>)
  if (LONG_TYPES.has(field.type)) return plainLong(v)
  return v
}

type LongLike = {low: number; high: number; unsigned?: boolean; toNumber(): number; toString(): string}

function plainLong(v: unknown): unknown {
  if (typeof v === 'number' || v === null || typeof v !== 'object') return v
  const n = (v as LongLike).toNumber()
  return Number.isSafeInteger(n) ? n : v
}

function canonical(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string | symbol, unknown> = {}
  const unknown = (obj as Record<symbol, unknown>)[UNKNOWN_FIELDS]
  if (unknown) out[UNKNOWN_FIELDS] = unknown
  for (const field of type.fieldsArray) {
    const name = field.name
    if (!hasOwn(obj, name)) continue
    const v = obj[name]
    if (v === undefined || v === null) continue
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined
    if (field.map) {
      if (!sub) {
        out[name] = v
        continue
      }
      const m: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) m[k] = canonical(sub, (x ?? {}) as Record<string, unknown>)
      out[name] = m
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw new Error(`${type.name}.${name}: expected an array`)
      out[name] = sub ? v.map((x) => canonical(sub, x)) : needsCheck(field) ? v.map((x) => checkedScalar(type, field, x)) : v
    } else if (sub) {
      out[name] = canonical(sub, v as Record<string, unknown>)
    } else {
      const x = needsCheck(field) ? checkedScalar(type, field, v) : v
      if (field.hasPresence || !isDefaultScalar(field, x)) out[name] = x
    }
  }
  return out
}

const needsCheck = (field: protobuf.Field): boolean => field.type === 'bytes' || LONG_TYPES.has(field.type)

/**
 * bytes must be bytes (protobufjs would silently base64-decode a string), and a bigint int64 is
 * turned into a number or a Long.
 */
function checkedScalar(type: protobuf.Type, field: protobuf.Field, v: unknown): unknown {
  if (field.type === 'bytes') {
    if (!(v instanceof Uint8Array)) throw new Error(`${type.name}.${field.name}: bytes expected (a Uint8Array; encode strings with TextEncoder), got ${typeof v}`)
    return v
  }
  if (typeof v === 'bigint') {
    const n = Number(v)
    if (Number.isSafeInteger(n)) return n
    const Long = protobuf.util.Long as unknown as {fromString(s: string, unsigned?: boolean): unknown}
    return Long.fromString(BigInt.asIntN(64, v).toString(), false)
  }
  return v
}

function isDefaultScalar(field: protobuf.Field, v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      // Recent C++ protobuf writes a float -0.0 (it compares bit patterns); an integer -0 is 0.
      return field.type === 'float' || field.type === 'double' ? Object.is(v, 0) : v === 0
    case 'string':
      return v.length === 0
    case 'boolean':
      return !v
    case 'object': {
      if (v instanceof Uint8Array) return v.length === 0
      const l = v as LongLike
      return typeof l.low === 'number' && l.low === 0 && l.high === 0
    }
    default:
      return false
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]
}
