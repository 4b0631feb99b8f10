/**
 * A multiplier as a product table: 65536 entries, T[a*256 + w] = product of activation code `a`
 * and weight code `w` (both 0..255). The on-disk form is the same, little-endian uint16.
 */
import {AxqError} from '../errors.js'
import {readInputFile, type InputSpec} from '../inputFile.js'

export const TABLE_SIZE = 65536
export const TABLE_BYTES = TABLE_SIZE * 2
export const EXACT_MULTIPLIER = 'mul8u_1JFF'

export type ProductTable = Uint16Array

/** A .bin table file: exactly TABLE_BYTES, checked before it is read. */
export const TABLE_FILE: InputSpec = {what: 'multiplier table', maxBytes: TABLE_BYTES, exactBytes: TABLE_BYTES, layout: `${TABLE_SIZE} little-endian uint16`}

export function exactTable(): ProductTable {
  const t = new Uint16Array(TABLE_SIZE)
  for (let a = 0; a < 256; a++) for (let w = 0; w < 256; w++) t[a * 256 + w] = a * w
  return t
}

/** Decode a .bin table (little-endian uint16); `file` is named in errors. */
export function decodeTable(bytes: Uint8Array, file: string): ProductTable {
  if (bytes.length !== TABLE_BYTES) {
    throw new AxqError(`${file}: a multiplier table must be ${TABLE_BYTES} bytes (65536 little-endian uint16), this file has ${bytes.length}`, {subject: file})
  }
  const t = new Uint16Array(TABLE_SIZE)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < TABLE_SIZE; i++) t[i] = view.getUint16(i * 2, true)
  return t
}

export function encodeTable(table: ProductTable): Uint8Array {
  const out = new Uint8Array(TABLE_BYTES)
  const view = new DataView(out.buffer)
  for (let i = 0; i < TABLE_SIZE; i++) view.setUint16(i * 2, table[i], true)
  return out
}

export function readTableFile(file: string): ProductTable {
  return decodeTable(readInputFile(file, TABLE_FILE), file)
}
