/**
 * TFRecord files (tensorflow/core/lib/io/record_writer.cc): a sequence of
 *   uint64 length (LE) | uint32 masked CRC32C of the 8 length bytes | data | uint32 masked CRC32C of data
 * with no header and no padding. Both CRCs are checked on reading. GZIP-compressed files
 * (TFRecordOptions with compression "GZIP") are recognised by their magic bytes and inflated.
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import {AxqError} from '../errors.js'
import {maskedCrc32c} from './crc32c.js'
import {fileProblem} from '../fileProblem.js'
import {releaseTemporary, temporaryBeside, writeDestination} from '../atomicWrite.js'
import {INPUT_LIMITS, openInputFile, readInputFile, sizeWords, type InputSpec} from '../inputFile.js'

export interface TFRecord {
  /** 0-based position of the record in the file. */
  index: number
  /** Byte offset of the record's header in the (uncompressed) file. */
  offset: number
  data: Uint8Array
}

const HEADER = 12
const FOOTER = 4

/** True when the bytes start with a well-formed TFRecord header (length + matching CRC). */
export function looksLikeTFRecord(head: Uint8Array): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true
  if (head.length < HEADER) return false
  const view = new DataView(head.buffer, head.byteOffset, HEADER)
  return view.getUint32(8, true) === maskedCrc32c(head.subarray(0, 8))
}

/**
 * Every record of a TFRecord file, in file order. Corrupt or truncated records are AxqErrors
 * naming the file and the record index.
 */
export function readTFRecords(file: string): TFRecord[] {
  return [...iterateTFRecords(file)]
}

/** Records one at a time, reading the file in chunks (GZIP files are inflated whole). */
export function* iterateTFRecords(file: string): Generator<TFRecord> {
  const {fd} = openInputFile(file, TFRECORD_FILE)
  try {
    const magic = Buffer.alloc(2)
    const got = fs.readSync(fd, magic, 0, 2, 0)
    if (got === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
      yield* parseTFRecords(gunzipCapped(readInputFile(file, TFRECORD_FILE), file, TFRECORD_FILE.maxBytes), file)
      return
    }
    yield* readChunked(fd, file)
  } finally {
    fs.closeSync(fd)
  }
}

/** TFRecord files, plain or inflated, are at most INPUT_LIMITS.dataBytes. */
export const TFRECORD_FILE: InputSpec = {what: 'TFRecord file', maxBytes: INPUT_LIMITS.dataBytes}

/** Inflate GZIP bytes, refusing to produce more than `cap` bytes (a small file can inflate to gigabytes). */
export function gunzipCapped(bytes: Uint8Array, file: string, cap: number): Buffer {
  try {
    return zlib.gunzipSync(bytes, {maxOutputLength: cap})
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new AxqError(`${file}: inflates to more than ${sizeWords(cap)}, more than a ${TFRECORD_FILE.what} may hold`, {subject: file})
    }
    throw new AxqError(`${file}: corrupt GZIP-compressed TFRecord file (${e.message})`, {subject: file})
  }
}

/** Parse TFRecords from bytes in memory. `source` names them in errors. */
export function* parseTFRecords(bytes: Uint8Array, source: string): Generator<TFRecord> {
  let pos = 0
  let index = 0
  while (pos < bytes.length) {
    const {length, total} = readHeader(bytes.subarray(pos, pos + HEADER), bytes.length - pos, index, source)
    const data = bytes.subarray(pos + HEADER, pos + HEADER + length)
    checkData(data, bytes.subarray(pos + HEADER + length, pos + total), index, source)
    yield {index, offset: pos, data}
    pos += total
    index++
  }
}

const CHUNK = 8 << 20

/**
 * Records from an open file, read in large chunks. Each chunk is a fresh buffer, so the records
 * handed out stay valid (they are views into it).
 */
function* readChunked(fd: number, file: string): Generator<TFRecord> {
  const size = fs.fstatSync(fd).size
  let buf = Buffer.alloc(0)
  let bufStart = 0 // file offset of buf[0]
  const ensure = (pos: number, n: number): Buffer => {
    if (pos + n <= bufStart + buf.length) return buf.subarray(pos - bufStart, pos - bufStart + n)
    const keep = buf.subarray(pos - bufStart)
    const want = Math.min(Math.max(CHUNK, n), size - pos)
    const next = Buffer.allocUnsafe(want)
    keep.copy(next)
    let filled = keep.length
    while (filled < want) {
      const got = fs.readSync(fd, next, filled, want - filled, pos + filled)
      if (got === 0) break
      filled += got
    }
    buf = next.subarray(0, filled)
    bufStart = pos
    return buf.subarray(0, Math.min(n, filled))
  }
  let pos = 0
  let index = 0
  while (pos < size) {
    const header = ensure(pos, HEADER)
    const {length, total} = readHeader(header, size - pos, index, file)
    const body = ensure(pos + HEADER, length + FOOTER)
    if (body.length !== length + FOOTER) throw truncated(file, index)
    const data = new Uint8Array(body.buffer, body.byteOffset, length)
    checkData(data, body.subarray(length), index, file)
    yield {index, offset: pos, data}
    pos += total
    index++
  }
}

function readHeader(header: Uint8Array, remaining: number, index: number, source: string): {length: number; total: number} {
  if (header.length < HEADER) throw truncated(source, index)
  const view = new DataView(header.buffer, header.byteOffset, HEADER)
  if (view.getUint32(8, true) !== maskedCrc32c(header.subarray(0, 8))) {
    throw new AxqError(`${source}: record ${index}: length CRC mismatch (corrupt TFRecord file, or not a TFRecord file)`, {subject: source})
  }
  const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32
  const total = HEADER + length + FOOTER
  if (total > remaining) throw truncated(source, index)
  if (length > 2 ** 31) throw new AxqError(`${source}: record ${index}: implausible length ${length}`, {subject: source})
  return {length, total}
}

function checkData(data: Uint8Array, footer: Uint8Array, index: number, source: string): void {
  const expected = new DataView(footer.buffer, footer.byteOffset, FOOTER).getUint32(0, true)
  if (expected !== maskedCrc32c(data)) {
    throw new AxqError(`${source}: record ${index}: data CRC mismatch (corrupt TFRecord file)`, {subject: source})
  }
}

function truncated(source: string, index: number): AxqError {
  return new AxqError(`${source}: record ${index} is truncated (incomplete TFRecord file)`, {subject: source})
}

/** One framed record (header, data, footer). */
export function frameTFRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + data.length + FOOTER)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length >>> 0, true)
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true)
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true)
  out.set(data, HEADER)
  view.setUint32(HEADER + data.length, maskedCrc32c(data), true)
  return out
}

/**
 * Writes a TFRecord file atomically: records go to a temporary file beside the target, which
 * replaces the target on close(). abort() (or an error) leaves the target untouched.
 */
export class TFRecordWriter {
  readonly file: string
  private readonly tmp: string
  private readonly target: string
  private fd: number | undefined
  private chunks: Uint8Array[] = []
  private pending = 0
  count = 0

  constructor(file: string) {
    this.file = file
    this.target = writeDestination(file)
    this.tmp = temporaryBeside(this.target)
    try {
      this.fd = fs.openSync(this.tmp, 'wx')
    } catch (error) {
      throw new AxqError(`cannot write ${file}: ${fileProblem(error, path.dirname(path.resolve(file)))}`, {subject: file, cause: error})
    }
  }

  write(data: Uint8Array): void {
    if (this.fd === undefined) throw new AxqError(`internal error: ${this.file} is already closed`)
    this.chunks.push(frameTFRecord(data))
    this.pending += data.length + HEADER + FOOTER
    this.count++
    if (this.pending >= 1 << 20) this.flush()
  }

  close(): void {
    if (this.fd === undefined) return
    try {
      this.flush()
      fs.closeSync(this.fd)
      this.fd = undefined
      fs.renameSync(this.tmp, this.target)
      releaseTemporary(this.tmp)
    } catch (error) {
      this.abort()
      throw new AxqError(`cannot write ${this.file}: ${fileProblem(error, path.dirname(path.resolve(this.file)))}`, {subject: this.file, cause: error})
    }
  }

  abort(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd)
      } catch {
        // already failing
      }
      this.fd = undefined
    }
    fs.rmSync(this.tmp, {force: true})
    releaseTemporary(this.tmp)
  }

  private flush(): void {
    if (this.chunks.length === 0 || this.fd === undefined) return
    const all = Buffer.concat(this.chunks)
    this.chunks = []
    this.pending = 0
    let off = 0
    while (off < all.length) off += fs.writeSync(this.fd, all, off, all.length - off)
  }
}

/** Write all records to `file` at once (atomically). */
export function writeTFRecords(file: string, records: Iterable<Uint8Array>): number {
  const writer = new TFRecordWriter(file)
  try {
    for (const r of records) writer.write(r)
  } catch (error) {
    writer.abort()
    throw error
  }
  writer.close()
  return writer.count
}
