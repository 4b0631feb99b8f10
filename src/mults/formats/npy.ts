/**
 * NumPy .npy files holding a 256×256 (or 65536-element) integer product table. The format: magic
 * "\x93NUMPY", version (1.0: uint16 header length; 2.0/3.0: uint32), then a Python-literal dict
 * {'descr': '<u2', 'fortran_order': False, 'shape': (256, 256), } padded with spaces and a newline,
 * then the data.
 */
import {AxqError} from '../../errors.js'
import {emptyTable, isSignedTable, TABLE_SIZE, type AnyProductTable} from '../table.js'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

interface NpyHeader {
  descr: string
  fortranOrder: boolean
  shape: number[]
}

export function parseNpyHeader(text: string, file: string): NpyHeader {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)
  if (!descr || !fortran || !shape) throw new AxqError(`${file}: malformed .npy header ${JSON.stringify(text.trim())}`, {subject: file})
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number)
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new AxqError(`${file}: malformed .npy shape (${shape[1]})`, {subject: file})
  return {descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims}
}

/** The table of a .npy array; `signed` reads values −32768..32767 into a signed table (else 0..65535). */
export function decodeNpy(bytes: Uint8Array, file: string, signed = false): AnyProductTable {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new AxqError(`${file}: not a NumPy .npy file (bad magic)`, {subject: file})
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const major = bytes[6]
  let headerLen: number
  let offset: number
  if (major === 1) {
    headerLen = view.getUint16(8, true)
    offset = 10
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true)
    offset = 12
  } else throw new AxqError(`${file}: unsupported .npy version ${major}.${bytes[7]}`, {subject: file})
  if (offset + headerLen > bytes.length) throw new AxqError(`${file}: truncated .npy header`, {subject: file})
  const header = parseNpyHeader(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(offset, offset + headerLen)), file)
  const dtype = /^([<>|=]?)([iu])([1248])$/.exec(header.descr)
  if (!dtype) throw new AxqError(`${file}: dtype '${header.descr}' is not an integer type (need int8..int64 or uint8..uint64)`, {subject: file})
  const count = header.shape.reduce((p, d) => p * d, 1)
  const square = header.shape.length === 2 && header.shape[0] === 256 && header.shape[1] === 256
  if (!(square || (header.shape.length === 1 && header.shape[0] === TABLE_SIZE))) {
    throw new AxqError(`${file}: a product table must have shape (256, 256), this array has (${header.shape.join(', ')})`, {subject: file})
  }
  const size = Number(dtype[3])
  const signedType = dtype[2] === 'i'
  const little = dtype[1] !== '>'
  const data = offset + headerLen
  if (bytes.length - data !== count * size) throw new AxqError(`${file}: expected ${count * size} data bytes for ${count} × ${header.descr}, found ${bytes.length - data}`, {subject: file})
  const table = emptyTable(signed)
  const [min, max] = signed ? [-32768, 32767] : [0, 65535]
  for (let k = 0; k < TABLE_SIZE; k++) {
    const at = data + k * size
    let v: number
    switch (size) {
      case 1: v = signedType ? view.getInt8(at) : view.getUint8(at); break
      case 2: v = signedType ? view.getInt16(at, little) : view.getUint16(at, little); break
      case 4: v = signedType ? view.getInt32(at, little) : view.getUint32(at, little); break
      default: v = Number(signedType ? view.getBigInt64(at, little) : view.getBigUint64(at, little))
    }
    // Fortran order stores column-major: element k is T[k % 256][k / 256].
    const index = header.fortranOrder && square ? (k % 256) * 256 + Math.floor(k / 256) : k
    if (!Number.isInteger(v) || v < min || v > max) {
      const hint = !signed && v < 0 && v >= -32768 ? ' (a signed table? import it with --signed)' : ''
      throw new AxqError(`${file}: T[${Math.floor(index / 256)}][${index % 256}] = ${v} is outside ${min}..${max}${hint}`, {subject: file})
    }
    table[index] = v
  }
  return table
}

/** A 256×256 little-endian C-order .npy (version 1.0): '<u2', or '<i2' for a signed table. */
export function encodeNpy(table: AnyProductTable): Uint8Array {
  let header = `{'descr': '${isSignedTable(table) ? '<i2' : '<u2'}', 'fortran_order': False, 'shape': (256, 256), }`
  const total = 10 + header.length + 1
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + header.length + TABLE_SIZE * 2)
  out.set(MAGIC, 0)
  out[6] = 1
  out[7] = 0
  const view = new DataView(out.buffer)
  view.setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  const data = 10 + header.length
  for (let i = 0; i < TABLE_SIZE; i++) view.setUint16(data + i * 2, table[i] & 0xffff, true)
  return out
}
