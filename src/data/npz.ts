/**
 * NumPy arrays: `.npy` (any numeric dtype, C order, little-endian) and `.npz` (a zip of .npy
 * members, stored or deflated, as np.savez / np.savez_compressed write them), and float32 .npy
 * output (`infer --save-logits`). Sizes are checked against the file before anything is
 * allocated, so a damaged file is an error, never a huge allocation.
 */
import fs from 'node:fs'
import zlib from 'node:zlib'
import {AxqError} from '../errors.js'
import {DTYPES, makeTensor, numElements, type DType, type Tensor} from '../core/tensor.js'
import {parseNpyHeader} from '../mults/formats/npy.js'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

const DTYPE_BY_DESCR: Record<string, DType> = {
  '<f4': 'float32', '<f8': 'float64', '<i4': 'int32', '<i8': 'int64', '|u1': 'uint8', '|i1': 'int8',
  '<i2': 'int16', '<u2': 'uint16', '|b1': 'bool', '<u1': 'uint8', '<i1': 'int8',
}

export function decodeNpyTensor(bytes: Uint8Array, where: string): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new AxqError(`${where}: not a NumPy .npy array (bad magic)`, {subject: where})
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const major = bytes[6]
  const [headerLen, offset] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12]
  if (major < 1 || major > 3 || offset + headerLen > bytes.length) throw new AxqError(`${where}: damaged .npy header`, {subject: where})
  const header = parseNpyHeader(new TextDecoder().decode(bytes.subarray(offset, offset + headerLen)), where)
  const dtype = DTYPE_BY_DESCR[header.descr]
  if (!dtype) throw new AxqError(`${where}: .npy dtype '${header.descr}' is not supported (little-endian float32/64, int8..64, uint8/16, bool)`, {subject: where})
  if (header.fortranOrder) throw new AxqError(`${where}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)`, {subject: where})
  const size = numElements(header.shape)
  const Array_ = DTYPES[dtype].array!
  const dataStart = offset + headerLen
  const need = size * Array_.BYTES_PER_ELEMENT
  if (bytes.length - dataStart !== need) throw new AxqError(`${where}: shape (${header.shape.join(', ')}) needs ${need} bytes of ${header.descr}, the file has ${bytes.length - dataStart}`, {subject: where})
  const copy = new Uint8Array(bytes.subarray(dataStart, dataStart + need))
  return makeTensor(dtype, header.shape, new Array_(copy.buffer, 0, size))
}

/** A float32 array as .npy (version 1.0, C order). */
export function encodeNpyFloat32(shape: readonly number[], data: Float32Array): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ')
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`
  const total = 10 + header.length + 1
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set(MAGIC, 0)
  out[6] = 1
  out[7] = 0
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length)
  return out
}

/** The arrays of an .npz file by name (without the .npy suffix). */
export function readNpz(file: string): Map<string, Tensor> {
  const bytes = readAll(file)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // End of central directory: the last 0x06054b50 within the final 64 KiB + 22 bytes.
  let eocd = -1
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new AxqError(`${file}: not an .npz file (no zip directory; truncated?)`, {subject: file})
  const entries = view.getUint16(eocd + 10, true)
  let p = view.getUint32(eocd + 16, true)
  const out = new Map<string, Tensor>()
  for (let e = 0; e < entries; e++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new AxqError(`${file}: damaged zip directory`, {subject: file})
    const method = view.getUint16(p + 10, true)
    const compressed = view.getUint32(p + 20, true)
    const size = view.getUint32(p + 24, true)
    const nameLen = view.getUint16(p + 28, true)
    const extraLen = view.getUint16(p + 30, true)
    const commentLen = view.getUint16(p + 32, true)
    const local = view.getUint32(p + 42, true)
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen))
    p += 46 + nameLen + extraLen + commentLen
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw new AxqError(`${file}: damaged zip entry '${name}'`, {subject: file})
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true)
    if (compressed === 0xffffffff || size === 0xffffffff) throw new AxqError(`${file}: zip64 members are not supported ('${name}')`, {subject: file})
    if (start + compressed > bytes.length) throw new AxqError(`${file}: member '${name}' is truncated`, {subject: file})
    const raw = bytes.subarray(start, start + compressed)
    let data: Uint8Array
    if (method === 0) data = raw
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw, {maxOutputLength: size + 1})
      } catch (error) {
        throw new AxqError(`${file}: member '${name}' does not inflate: ${(error as Error).message}`, {subject: file})
      }
    } else throw new AxqError(`${file}: member '${name}' uses zip method ${method} (stored and deflate are supported)`, {subject: file})
    if (data.length !== size) throw new AxqError(`${file}: member '${name}' has ${data.length} bytes, the directory says ${size}`, {subject: file})
    out.set(name.replace(/\.npy$/, ''), decodeNpyTensor(data, `${file}:${name}`))
  }
  return out
}

function readAll(file: string): Uint8Array {
  try {
    return fs.readFileSync(file)
  } catch (error) {
    throw new AxqError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {subject: file})
  }
}
