/**
 * A multiplier as a product table: 65536 entries, one per pair of 8-bit operand codes, entry
 * `(a & 255) * 256 + (w & 255)` holding the product of activation `a` and weight `w`.
 *
 * - Unsigned tables (`ProductTable`, a Uint16Array): a, w in 0..255, products 0..65535.
 * - Signed tables (`SignedProductTable`, an Int16Array): a, w in −128..127 (two's-complement
 *   codes), products −32768..32767.
 *
 * The typed-array class carries the signedness (`isSignedTable`). The on-disk `.bin` form is the
 * same 65536 little-endian 16-bit words for both; whether to read them as uint16 or int16 comes
 * from elsewhere (a sidecar, the `mul8s_` prefix, an import flag: see resolve.ts).
 */
import {AxqError} from '../errors.js'
import {readInputFile, type InputSpec} from '../inputFile.js'

export const TABLE_SIZE = 65536
export const TABLE_BYTES = TABLE_SIZE * 2
export const EXACT_MULTIPLIER = 'mul8u_1JFF'
/** EvoApproxLib's exact signed 8×8 multiplier (the power reference of int8×int8 layers). */
export const EXACT_SIGNED_MULTIPLIER = 'mul8s_1KV8'

/** An unsigned table (the only kind TensorFlow's quint8 AxConv2D takes). */
export type ProductTable = Uint16Array
/** A signed table, for int8 layers. */
export type SignedProductTable = Int16Array
/** Either kind; `isSignedTable` tells them apart. */
export type AnyProductTable = ProductTable | SignedProductTable

export function isSignedTable(table: AnyProductTable): table is SignedProductTable {
  return table instanceof Int16Array
}

/** 'signed' or 'unsigned', for messages and listings. */
export function signednessOf(table: AnyProductTable): 'signed' | 'unsigned' {
  return isSignedTable(table) ? 'signed' : 'unsigned'
}

/** The operand value of an 8-bit code: 0..255 unsigned, −128..127 signed. */
export function operandOf(code: number, signed: boolean): number {
  return signed ? (code << 24) >> 24 : code & 255
}

/** The entry index of operands a, w (values or codes). */
export function tableIndex(a: number, w: number): number {
  return (a & 255) * 256 + (w & 255)
}

/** The message for a table of the wrong signedness: names what fits instead. */
export function signednessMismatch(name: string, has: 'signed' | 'unsigned', consumer: string): string {
  const wants = has === 'signed' ? 'unsigned' : 'signed'
  const examples = wants === 'unsigned' ? "mul8u_* (e.g. mul8u_2P7), trunc8u_k<k>, drum8u_k<k>, mitchell8u" : "mul8s_* (e.g. mul8s_1KV9), trunc8s_k<k>, drum8s_k<k>, mitchell8s"
  return `multiplier '${name}' is a ${has} table (operands ${has === 'signed' ? '−128..127' : '0..255'}), but ${consumer} multiplies ${wants} 8-bit operands; use ${wants === 'unsigned' ? 'an' : 'a'} ${wants} multiplier: ${examples} (axq list-mults --signedness ${wants})`
}

/** A .bin table file: exactly TABLE_BYTES, checked before it is read. */
export const TABLE_FILE: InputSpec = {what: 'multiplier table', maxBytes: TABLE_BYTES, exactBytes: TABLE_BYTES, layout: `${TABLE_SIZE} little-endian uint16`}

export function exactTable(): ProductTable {
  const t = new Uint16Array(TABLE_SIZE)
  for (let a = 0; a < 256; a++) for (let w = 0; w < 256; w++) t[a * 256 + w] = a * w
  return t
}

export function exactSignedTable(): SignedProductTable {
  const t = new Int16Array(TABLE_SIZE)
  for (let a = -128; a < 128; a++) for (let w = -128; w < 128; w++) t[tableIndex(a, w)] = a * w
  return t
}

/** An empty table of the given kind. */
export function emptyTable(signed: boolean): AnyProductTable {
  return signed ? new Int16Array(TABLE_SIZE) : new Uint16Array(TABLE_SIZE)
}

/** Decode a .bin table (little-endian uint16, or int16 when `signed`); `file` is named in errors. */
export function decodeTable(bytes: Uint8Array, file: string): ProductTable
export function decodeTable(bytes: Uint8Array, file: string, signed: false): ProductTable
export function decodeTable(bytes: Uint8Array, file: string, signed: true): SignedProductTable
export function decodeTable(bytes: Uint8Array, file: string, signed: boolean): AnyProductTable
export function decodeTable(bytes: Uint8Array, file: string, signed = false): AnyProductTable {
  if (bytes.length !== TABLE_BYTES) {
    throw new AxqError(`${file}: a multiplier table must be ${TABLE_BYTES} bytes (65536 little-endian ${signed ? 'int16' : 'uint16'}), this file has ${bytes.length}`, {subject: file})
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (signed) {
    const t = new Int16Array(TABLE_SIZE)
    for (let i = 0; i < TABLE_SIZE; i++) t[i] = view.getInt16(i * 2, true)
    return t
  }
  const t = new Uint16Array(TABLE_SIZE)
  for (let i = 0; i < TABLE_SIZE; i++) t[i] = view.getUint16(i * 2, true)
  return t
}

export function encodeTable(table: AnyProductTable): Uint8Array {
  const out = new Uint8Array(TABLE_BYTES)
  const view = new DataView(out.buffer)
  for (let i = 0; i < TABLE_SIZE; i++) view.setUint16(i * 2, table[i] & 0xffff, true)
  return out
}

export function readTableFile(file: string): ProductTable
export function readTableFile(file: string, signed: boolean): AnyProductTable
export function readTableFile(file: string, signed = false): AnyProductTable {
  return decodeTable(readInputFile(file, TABLE_FILE), file, signed)
}
