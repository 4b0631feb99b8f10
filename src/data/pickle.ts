/**
 * A small, safe reader for the CIFAR-10 python batches (`data_batch_1` … `data_batch_5`,
 * `test_batch`): pickled dicts holding `data`, a uint8 numpy array of N×3072 (CHW images), and
 * `labels`, a list of N ints. Only what such files contain is understood: the pickle opcodes of
 * protocols 0–5 for None/bool/int/float/bytes/str/tuple/list/dict, and exactly these callables:
 * numpy's array reconstruction (`numpy.core.multiarray._reconstruct`, `numpy.ndarray`,
 * `numpy.dtype`, `numpy.core.numeric._frombuffer`, also under `numpy._core`) and
 * `_codecs.encode` (how Python 3 writes bytes at protocol 2). Nothing is ever executed; any other
 * global is rejected.
 */
import {AxqError} from '../errors.js'
import {MAX_NESTING} from '../limits.js'
import {CIFAR_IMAGE_BYTES, type CifarRecords} from './cifar.js'

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
export class PyBytes {
  constructor(readonly data: Uint8Array) {}
}
export class PyGlobal {
  constructor(readonly name: string) {}
}
export class PyDType {
  constructor(readonly descr: string) {}
}
export class PyNDArray {
  shape: number[] = [0]
  dtype: PyDType | undefined
  fortran = false
  data: Uint8Array | undefined
}
/** Dict keys are normalised to JS strings (bytes keys read as latin1, ints as decimals). */
export class PyDict {
  readonly entries = new Map<string, PyValue>()
}
export type PyValue = null | boolean | number | bigint | string | PyBytes | PyTuple | PyValue[] | PyDict | PyGlobal | PyDType | PyNDArray

/** Stack entries and memo slots a pickle may use (a CIFAR batch: its 10,000 labels at most). */
const MAX_PICKLE_ITEMS = 1 << 20

const ALLOWED_GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  '_codecs.encode',
])

/** Unpickle `bytes`. Errors are AxqErrors naming `source`. */
export function unpickle(bytes: Uint8Array, source: string): PyValue {
  const fail = (what: string): never => {
    throw new AxqError(`${source}: ${what}`, {subject: source})
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const latin1 = new TextDecoder('latin1')
  const utf8 = new TextDecoder('utf-8')
  const stack: PyValue[] = []
  // Stack heights at each MARK (marks are kept beside the stack, not on it).
  const marks: number[] = []
  const memo = new Map<number, PyValue>()
  let pos = 0

  const need = (n: number): void => {
    if (pos + n > bytes.length) fail('truncated pickle')
  }
  const u8 = (): number => {
    need(1)
    return bytes[pos++]
  }
  const u16 = (): number => {
    need(2)
    const v = view.getUint16(pos, true)
    pos += 2
    return v
  }
  const u32 = (): number => {
    need(4)
    const v = view.getUint32(pos, true)
    pos += 4
    return v
  }
  const i32 = (): number => {
    need(4)
    const v = view.getInt32(pos, true)
    pos += 4
    return v
  }
  const u64 = (): number => {
    need(8)
    const v = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32
    pos += 8
    return v
  }
  const take = (n: number): Uint8Array => {
    if (!Number.isSafeInteger(n) || n < 0) fail('corrupt pickle (bad length)')
    need(n)
    const out = bytes.subarray(pos, pos + n)
    pos += n
    return out
  }
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos)
    if (end < 0) fail('truncated pickle')
    const text = latin1.decode(bytes.subarray(pos, end))
    pos = end + 1
    return text
  }
  const pop = (): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail('corrupt pickle (stack underflow)')
    return stack.pop() as PyValue
  }
  const top = (): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail('corrupt pickle (empty stack)')
    return stack[stack.length - 1]
  }
  const popMark = (): PyValue[] => {
    const m = marks.pop()
    if (m === undefined) fail('corrupt pickle (no mark)')
    return stack.splice(m as number)
  }
  const dictKey = (k: PyValue): string => {
    if (typeof k === 'string') return k
    if (k instanceof PyBytes) return latin1.decode(k.data)
    if (typeof k === 'number' || typeof k === 'bigint') return String(k)
    return fail('unsupported dict key in pickle')
  }
  const setItems = (dict: PyValue, items: PyValue[]): void => {
    if (!(dict instanceof PyDict)) fail('corrupt pickle (SETITEM on a non-dict)')
    if (items.length % 2 !== 0) fail('corrupt pickle (odd SETITEMS)')
    for (let i = 0; i < items.length; i += 2) (dict as PyDict).entries.set(dictKey(items[i]), items[i + 1])
  }
  const append = (list: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(list)) fail('corrupt pickle (APPEND on a non-list)')
    for (const item of items) (list as PyValue[]).push(item)
  }
  const global = (name: string): PyGlobal => {
    if (!ALLOWED_GLOBALS.has(name)) fail(`unsupported object '${name}' in pickle (only CIFAR-10 batches of numpy uint8 arrays are read)`)
    return new PyGlobal(name)
  }

  for (;;) {
    // A CIFAR batch needs a few dozen stack entries and memo slots, and three marks; millions of
    // them would only be a file built to exhaust memory.
    if (stack.length > MAX_PICKLE_ITEMS || memo.size > MAX_PICKLE_ITEMS) fail(`corrupt pickle (more than ${MAX_PICKLE_ITEMS} objects on the stack or in the memo)`)
    if (marks.length > MAX_NESTING) fail(`corrupt pickle (containers nested more than ${MAX_NESTING} deep)`)
    const op = u8()
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol')
        break
      case 0x95: // FRAME
        u64()
        break
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) fail('corrupt pickle (stack not empty at STOP)')
        return pop()
      case 0x28: // MARK
        marks.push(stack.length)
        break
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]))
        break
      case 0x5d: // EMPTY_LIST
        stack.push([])
        break
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict())
        break
      case 0x4e: // NONE
        stack.push(null)
        break
      case 0x88: // NEWTRUE
        stack.push(true)
        break
      case 0x89: // NEWFALSE
        stack.push(false)
        break
      case 0x4b: // BININT1
        stack.push(u8())
        break
      case 0x4d: // BININT2
        stack.push(u16())
        break
      case 0x4a: // BININT
        stack.push(i32())
        break
      case 0x8a: {
        // LONG1: little-endian two's complement
        const b = take(u8())
        let v = 0n
        for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i])
        if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length)
        stack.push(Number.isSafeInteger(Number(v)) ? Number(v) : v)
        break
      }
      case 0x49: {
        // INT (protocol 0); "00"/"01" are False/True
        const text = line().trim()
        if (text === '00' || text === '01') stack.push(text === '01')
        else if (/^[-+]?\d+$/.test(text)) stack.push(Number(text))
        else fail('corrupt pickle (bad INT)')
        break
      }
      case 0x4c: {
        // LONG (protocol 0)
        const text = line().trim().replace(/L$/, '')
        if (!/^[-+]?\d+$/.test(text)) fail('corrupt pickle (bad LONG)')
        const v = BigInt(text)
        stack.push(Number.isSafeInteger(Number(v)) ? Number(v) : v)
        break
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8)
        stack.push(view.getFloat64(pos, false))
        pos += 8
        break
      case 0x55: // SHORT_BINSTRING (python 2 str = bytes)
        stack.push(new PyBytes(take(u8())))
        break
      case 0x54: // BINSTRING
        stack.push(new PyBytes(take(i32())))
        break
      case 0x53: // STRING (protocol 0: a quoted repr)
        stack.push(new PyBytes(parseReprString(line(), fail)))
        break
      case 0x56: // UNICODE (protocol 0: raw-unicode-escape)
        stack.push(line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u: string, U: string) => String.fromCodePoint(parseInt(u ?? U, 16))))
        break
      case 0x43: // SHORT_BINBYTES
        stack.push(new PyBytes(take(u8())))
        break
      case 0x42: // BINBYTES
        stack.push(new PyBytes(take(u32())))
        break
      case 0x8e: // BINBYTES8
        stack.push(new PyBytes(take(u64())))
        break
      case 0x96: // BYTEARRAY8
        stack.push(new PyBytes(take(u64())))
        break
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())))
        break
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())))
        break
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())))
        break
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]))
        break
      case 0x86: {
        // TUPLE2
        const b = pop()
        const a = pop()
        stack.push(new PyTuple([a, b]))
        break
      }
      case 0x87: {
        // TUPLE3
        const c = pop()
        const b = pop()
        const a = pop()
        stack.push(new PyTuple([a, b, c]))
        break
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()))
        break
      case 0x6c: // LIST
        stack.push(popMark())
        break
      case 0x64: {
        // DICT
        const d = new PyDict()
        setItems(d, popMark())
        stack.push(d)
        break
      }
      case 0x61: {
        // APPEND
        const v = pop()
        append(top(), [v])
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        append(top(), items)
        break
      }
      case 0x73: {
        // SETITEM
        const v = pop()
        const k = pop()
        setItems(top(), [k, v])
        break
      }
      case 0x75: {
        // SETITEMS
        const items = popMark()
        setItems(top(), items)
        break
      }
      case 0x71: // BINPUT
        memo.set(u8(), top())
        break
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top())
        break
      case 0x70: // PUT
        memo.set(Number(line()), top())
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, top())
        break
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET
        const key = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line())
        if (!memo.has(key)) fail('corrupt pickle (unknown memo key)')
        stack.push(memo.get(key) as PyValue)
        break
      }
      case 0x63: {
        // GLOBAL
        const module = line()
        const name = line()
        stack.push(global(`${module}.${name}`))
        break
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop()
        const module = pop()
        if (typeof name !== 'string' || typeof module !== 'string') fail('corrupt pickle (STACK_GLOBAL)')
        stack.push(global(`${module}.${name}`))
        break
      }
      case 0x52: {
        // REDUCE
        const args = pop()
        const fn = pop()
        if (!(fn instanceof PyGlobal) || !(args instanceof PyTuple)) fail('corrupt pickle (REDUCE)')
        stack.push(reduce((fn as PyGlobal).name, (args as PyTuple).items, fail))
        break
      }
      case 0x62: {
        // BUILD
        const state = pop()
        build(top(), state, fail)
        break
      }
      case 0x30: // POP
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) popMark()
        else pop()
        break
      case 0x31: // POP_MARK
        popMark()
        break
      case 0x32: // DUP
        stack.push(top())
        break
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1} (not a CIFAR-10 python batch?)`)
    }
  }
}

function reduce(name: string, args: PyValue[], fail: (what: string) => never): PyValue {
  switch (name) {
    case 'numpy.core.multiarray._reconstruct':
    case 'numpy._core.multiarray._reconstruct': {
      const cls = args[0]
      if (!(cls instanceof PyGlobal) || cls.name !== 'numpy.ndarray') fail('unsupported numpy array subclass in pickle')
      return new PyNDArray()
    }
    case 'numpy.dtype': {
      const descr = args[0]
      if (typeof descr !== 'string' && !(descr instanceof PyBytes)) fail('unsupported numpy dtype in pickle')
      return new PyDType(typeof descr === 'string' ? descr : new TextDecoder('latin1').decode((descr as PyBytes).data))
    }
    case 'numpy.core.numeric._frombuffer':
    case 'numpy._core.numeric._frombuffer': {
      const [buf, dtype, shape, order] = args
      if (!(buf instanceof PyBytes) || !(dtype instanceof PyDType) || !(shape instanceof PyTuple)) fail('corrupt numpy array in pickle')
      const a = new PyNDArray()
      a.data = (buf as PyBytes).data
      a.dtype = dtype as PyDType
      a.shape = (shape as PyTuple).items.map(Number)
      a.fortran = order === 'F'
      return a
    }
    case '_codecs.encode': {
      const [text, encoding] = args
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) fail('unsupported _codecs.encode call in pickle')
      const s = text as string
      const out = new Uint8Array(s.length)
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c > 255) fail('corrupt pickle (latin1 bytes out of range)')
        out[i] = c
      }
      return new PyBytes(out)
    }
    default:
      return fail(`unsupported call '${name}' in pickle`)
  }
}

function build(obj: PyValue, state: PyValue, fail: (what: string) => never): void {
  if (obj instanceof PyDType) return // byte order / flags: single bytes have none that matter
  if (!(obj instanceof PyNDArray) || !(state instanceof PyTuple)) return fail('unsupported object state in pickle')
  const items = state.items
  // (version, shape, dtype, is_fortran, raw data); old pickles omit the version.
  const [shape, dtype, fortran, raw] = items.length === 5 ? items.slice(1) : items
  if (!(shape instanceof PyTuple) || !(dtype instanceof PyDType)) return fail('corrupt numpy array in pickle')
  obj.shape = shape.items.map(Number)
  obj.dtype = dtype
  obj.fortran = fortran === true || fortran === 1
  if (raw instanceof PyBytes) obj.data = raw.data
  else if (typeof raw === 'string') obj.data = Uint8Array.from(raw, (c) => c.charCodeAt(0) & 0xff)
  else fail('unsupported numpy array storage in pickle (object arrays are not read)')
}

function parseReprString(text: string, fail: (what: string) => never): Uint8Array {
  const q = text[0]
  if ((q !== "'" && q !== '"') || text[text.length - 1] !== q) fail('corrupt pickle (bad STRING)')
  const body = text.slice(1, -1)
  const out: number[] = []
  const simple: Record<string, number> = {n: 10, r: 13, t: 9, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11}
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c !== '\\') {
      out.push(body.charCodeAt(i) & 0xff)
      continue
    }
    const e = body[++i]
    if (e in simple) out.push(simple[e])
    else if (e === 'x') {
      out.push(parseInt(body.slice(i + 1, i + 3), 16))
      i += 2
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))![0]
      out.push(parseInt(m, 8) & 0xff)
      i += m.length - 1
    } else fail('corrupt pickle (bad escape in STRING)')
  }
  return Uint8Array.from(out)
}

/**
 * Read a CIFAR-10 python batch: a dict with `data` (uint8 array N×3072) and `labels` (N ints).
 */
export function parseCifarPickle(bytes: Uint8Array, source: string): CifarRecords {
  if (bytes.length === 0) throw new AxqError(`${source}: empty file, not a CIFAR-10 python batch`, {subject: source})
  // Pickles start with PROTO (protocol 2+) or, at protocol 0/1, with MARK, a dict or a GLOBAL.
  if (![0x80, 0x28, 0x7d, 0x63, 0x64].includes(bytes[0])) {
    throw new AxqError(`${source}: not a CIFAR-10 python batch (not a pickle file)`, {subject: source})
  }
  const top = unpickle(bytes, source)
  const bad = (what: string): never => {
    throw new AxqError(`${source}: not a CIFAR-10 python batch (${what})`, {subject: source})
  }
  if (!(top instanceof PyDict)) return bad('the pickle does not hold a dict')
  const data = top.entries.get('data')
  const labels = top.entries.get('labels')
  if (!data) bad(`no 'data' entry; it has ${[...top.entries.keys()].join(', ') || 'no entries'}`)
  if (!labels) bad(top.entries.has('fine_labels') ? "it has 'fine_labels': a CIFAR-100 batch" : "no 'labels' entry")
  if (!(data instanceof PyNDArray)) return bad("'data' is not a numpy array")
  const descr = data.dtype?.descr.replace(/^[|<>=]/, '')
  if (descr !== 'u1' && descr !== 'uint8') bad(`'data' has dtype ${data.dtype?.descr ?? 'unknown'}, expected uint8`)
  if (data.shape.length !== 2 || data.shape[1] !== CIFAR_IMAGE_BYTES) bad(`'data' has shape (${data.shape.join(', ')}), expected (N, ${CIFAR_IMAGE_BYTES})`)
  if (data.fortran) bad("'data' is in Fortran order")
  const count = data.shape[0]
  if (!data.data || data.data.length !== count * CIFAR_IMAGE_BYTES) bad(`'data' holds ${data.data?.length ?? 0} bytes, its shape needs ${count * CIFAR_IMAGE_BYTES}`)
  if (!Array.isArray(labels)) return bad("'labels' is not a list")
  if (labels.length !== count) bad(`${labels.length} labels for ${count} images`)
  const out = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const l = labels[i]
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l > 255) bad(`label ${i} is ${String(l)}`)
    out[i] = l as number
  }
  return {images: new Uint8Array(data.data!), labels: out}
}
