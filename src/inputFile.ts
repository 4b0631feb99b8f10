/**
 * Opening the files axq reads. Every input is a regular file: a FIFO, socket or device would
 * block or never end, so it is refused before a byte is read (the file is opened non-blocking, so
 * even opening a FIFO with no writer returns at once). The size is checked against what the
 * format allows before anything is read, so a huge or wrong file costs nothing.
 */
import fs from 'node:fs'
import {AxqError} from './errors.js'
import {fileProblem} from './fileProblem.js'

export {INPUT_LIMITS} from './limits.js'

export interface InputSpec {
  /** What the file is meant to be, for messages: "graph", "multiplier table", "data file". */
  what: string
  /** Largest size the format allows (bytes). */
  maxBytes: number
  /** The one size the format allows (bytes), e.g. a multiplier table. */
  exactBytes?: number
  /** What the exact size is made of, for the message: "65536 little-endian uint16". */
  layout?: string
}

export interface OpenInput {
  fd: number
  size: number
}

const MIB = 1 << 20

/** Size in words: "3.5 GiB", "12 MiB", "800 bytes". */
export function sizeWords(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)} GiB`
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(bytes >= 10 * MIB ? 0 : 1)} MiB`
  return `${bytes} bytes`
}

/** What a non-regular file is, in words. */
function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder'
  if (stat.isFIFO()) return 'a FIFO (named pipe)'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  if (stat.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * Open `file` for reading after checking that it is a regular file within the spec's size.
 * The caller closes the descriptor.
 */
export function openInputFile(file: string, spec: InputSpec): OpenInput {
  let fd: number
  try {
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  } catch (error) {
    throw new AxqError(`cannot read ${spec.what} ${file}: ${fileProblem(error)}`, {subject: file, cause: error})
  }
  try {
    const stat = fs.fstatSync(fd)
    if (!stat.isFile()) throw new AxqError(`cannot read ${spec.what} ${file}: it is ${kindOf(stat)}, not a regular file`, {subject: file})
    if (spec.exactBytes !== undefined && stat.size !== spec.exactBytes) {
      throw new AxqError(`${file}: a ${spec.what} must be ${spec.exactBytes} bytes${spec.layout ? ` (${spec.layout})` : ''}, this file has ${stat.size}`, {subject: file})
    }
    if (stat.size > spec.maxBytes) {
      throw new AxqError(`${file}: ${sizeWords(stat.size)} is more than a ${spec.what} may hold (at most ${sizeWords(spec.maxBytes)})`, {subject: file})
    }
    return {fd, size: stat.size}
  } catch (error) {
    fs.closeSync(fd)
    throw error
  }
}

/** The whole of a regular file within the spec's size (see openInputFile). */
export function readInputFile(file: string, spec: InputSpec): Buffer {
  const {fd, size} = openInputFile(file, spec)
  try {
    const bytes = Buffer.allocUnsafe(size)
    let filled = 0
    while (filled < size) {
      const got = fs.readSync(fd, bytes, filled, size - filled, filled)
      if (got === 0) break
      filled += got
    }
    // A file that shrank while being read is whatever was there; one that grew is cut at `size`.
    return filled === size ? bytes : bytes.subarray(0, filled)
  } catch (error) {
    if (error instanceof AxqError) throw error
    throw new AxqError(`cannot read ${spec.what} ${file}: ${fileProblem(error)}`, {subject: file, cause: error})
  } finally {
    fs.closeSync(fd)
  }
}
