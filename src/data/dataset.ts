/**
 * CIFAR-style test data, whatever the file format: `openDataset(pathOrDir)` reads
 *   - TFRecord files of tf.train.Example (`image` = 3072 raw CHW bytes, `label` = int64), as the
 *     reference's generate_cifar10_tfrecords.py writes them (`eval.tfrecords` …),
 *   - CIFAR-10 binary batches (`test_batch.bin`, 3073-byte records),
 *   - CIFAR-10 python batches (`test_batch`, `data_batch_N`),
 * or, given a folder, the first of DATA_DIR_CANDIDATES found in it. All records are read once
 * into memory (3 KB per image) and batches are cut from there, in file order, wrapping around.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../errors.js'
import type {Tensor} from '../core/tensor.js'
import {CIFAR_IMAGE_BYTES, CIFAR_RECORD_BYTES, cifarBatch, parseCifarBin, type CifarRecords} from './cifar.js'
import {decodeExample, featureBytes, featureInt64} from './example.js'
import {parseCifarPickle} from './pickle.js'
import {iterateTFRecords, looksLikeTFRecord} from './tfrecord.js'
import {fileProblem} from '../fileProblem.js'
import {INPUT_LIMITS, openInputFile, readInputFile, type InputSpec} from '../inputFile.js'

export type DatasetFormat = 'tfrecord' | 'cifar-bin' | 'cifar-pickle'

/** Files looked for, in this order, when openDataset is given a folder. */
export const DATA_DIR_CANDIDATES = [
  'eval.tfrecords',
  'test_batch.bin',
  'test_batch',
  path.join('cifar-10-batches-bin', 'test_batch.bin'),
  path.join('cifar-10-batches-py', 'test_batch'),
]

export interface Batch {
  /** NHWC [n, H, W, 3], values 0..255: float32 (CIFAR files) or uint8 (image folders); .npz/.npy: the model's own input. */
  images: Tensor
  labels: Int32Array
  /** When float32 `images` are exactly these 8-bit values (NHWC; CIFAR files): the codes. */
  codes?: Uint8Array
}

export interface Dataset {
  /** Number of records in the file. */
  readonly count: number
  /** The file the records come from. */
  readonly source: string
  readonly format: DatasetFormat
  /** All images (CHW bytes) and labels. */
  readonly records: CifarRecords
  /** `size` records from `start` (mod count), wrapping around at the end of the file. */
  batch(start: number, size: number): Batch
}

/** Open a data file, or a folder holding one of DATA_DIR_CANDIDATES. */
export function openDataset(pathOrDir: string): Dataset {
  let stat: fs.Stats
  try {
    stat = fs.statSync(pathOrDir)
  } catch {
    throw new AxqError(`data path ${pathOrDir} does not exist`, {subject: pathOrDir})
  }
  const file = stat.isDirectory() ? findDataFile(pathOrDir) : pathOrDir
  const {records, format} = readCifarRecords(file)
  if (records.labels.length === 0) throw new AxqError(`${file}: contains no records`, {subject: file})
  return {
    count: records.labels.length,
    source: file,
    format,
    records,
    batch: (start, size) => cifarBatch(records, start, size, file),
  }
}

/**
 * Every label must name one of the model's `classes` outputs: a label outside them can never be
 * predicted, and the accuracy would silently count it wrong.
 */
export function checkLabels(labels: Int32Array, classes: number, source: string): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]
    if (l < 0 || l >= classes) {
      throw new AxqError(`${source}: label ${l} is outside the model's ${classes} classes (0..${classes - 1}); wrong data file for this graph?`, {subject: source})
    }
  }
}

/** The data file openDataset uses in a folder. */
export function findDataFile(dir: string): string {
  for (const name of DATA_DIR_CANDIDATES) {
    const file = path.join(dir, name)
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file
  }
  throw new AxqError(
    `no CIFAR-10 test data in ${dir} (looked for ${DATA_DIR_CANDIDATES.slice(0, 3).join(', ')}); create it with 'axq data cifar10 --data-dir ${dir} --download'`,
    {subject: dir},
  )
}

/** Read every record of a CIFAR-10 file in any of the three formats. */
export function readCifarRecords(file: string): {records: CifarRecords; format: DatasetFormat} {
  const format = detectFormat(file)
  switch (format) {
    case 'tfrecord':
      return {records: readCifarTFRecords(file), format}
    case 'cifar-pickle':
      return {records: parseCifarPickle(readAll(file), file), format}
    case 'cifar-bin':
      return {records: parseCifarBin(readAll(file), file), format}
  }
}

/** Tell the format from the first bytes (and the name, for binary batches). */
export function detectFormat(file: string): DatasetFormat {
  const head = Buffer.alloc(16)
  let got = 0
  const {fd, size} = openInputFile(file, DATA_FILE)
  try {
    got = fs.readSync(fd, head, 0, head.length, 0)
  } catch (error) {
    throw readError(file, error)
  } finally {
    fs.closeSync(fd)
  }
  if (got === 0) throw new AxqError(`${file}: empty file, not a CIFAR-10 data file`, {subject: file})
  const ext = path.extname(file).toLowerCase()
  if (ext === '.tfrecords' || ext === '.tfrecord') return 'tfrecord'
  if (ext === '.bin') return 'cifar-bin'
  if (head[0] === 0x80 && got >= 2 && head[1] >= 2 && head[1] <= 5) return 'cifar-pickle'
  if (looksLikeTFRecord(head.subarray(0, got))) return 'tfrecord'
  // Protocol 0 and 1 pickles of a dict start with MARK or EMPTY_DICT (never a CIFAR label byte).
  if (head[0] === 0x28 || head[0] === 0x7d) return 'cifar-pickle'
  if (size % CIFAR_RECORD_BYTES === 0 && head[0] < 10) return 'cifar-bin'
  throw new AxqError(`${file}: not a CIFAR-10 data file (TFRecord of tf.train.Example, binary batch or python batch)`, {subject: file})
}

/** CIFAR records from a TFRecord file of Examples with `image` (3072 CHW bytes) and `label`. */
export function readCifarTFRecords(file: string): CifarRecords {
  const images: Uint8Array[] = []
  const labels: number[] = []
  for (const record of iterateTFRecords(file)) {
    const fast = parseCifarExample(record.data)
    if (fast && fast.label >= 0 && fast.label <= 2 ** 31 - 1) {
      images.push(fast.image)
      labels.push(fast.label)
      continue
    }
    const where = `${file}: record ${record.index}`
    const features = decodeExample(record.data, where)
    const image = featureBytes(features, 'image', where)
    const label = featureInt64(features, 'label', where)
    if (image.length !== 1 || image[0].length !== CIFAR_IMAGE_BYTES) {
      throw new AxqError(`${where}: 'image' must be one value of ${CIFAR_IMAGE_BYTES} raw bytes (32x32x3, CHW), got ${image.length} value(s) of ${image[0]?.length ?? 0} bytes`, {subject: file})
    }
    if (label.length !== 1) throw new AxqError(`${where}: 'label' must hold one value, got ${label.length}`, {subject: file})
    if (!Number.isSafeInteger(label[0]) || label[0] < 0 || label[0] > 2 ** 31 - 1) throw new AxqError(`${where}: label ${label[0]} is out of range`, {subject: file})
    images.push(image[0])
    labels.push(label[0])
  }
  const all = new Uint8Array(images.length * CIFAR_IMAGE_BYTES)
  images.forEach((img, i) => all.set(img, i * CIFAR_IMAGE_BYTES))
  return {images: all, labels: Int32Array.from(labels)}
}

/** Data files are read whole into memory: at most INPUT_LIMITS.dataBytes. */
export const DATA_FILE: InputSpec = {what: 'data file', maxBytes: INPUT_LIMITS.dataBytes}

function readAll(file: string): Uint8Array {
  return readInputFile(file, DATA_FILE)
}

function readError(file: string, error: unknown): AxqError {
  return new AxqError(`cannot read ${file}: ${fileProblem(error)}`, {subject: file, cause: error})
}

/**
 * The common case straight from the wire: an Example whose only features are `image` (one
 * 3072-byte value) and `label` (one int64). Anything else gives undefined, and the caller takes
 * the general (and more talkative) path.
 */
export function parseCifarExample(bytes: Uint8Array): {image: Uint8Array; label: number} | undefined {
  let image: Uint8Array | undefined
  let label: number | undefined
  let pos = 0
  const varint = (end: number): number => {
    let v = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (pos >= end) return -1
      const b = bytes[pos++]
      v += (b & 0x7f) * scale
      scale *= 128
      if (b < 0x80) return v
    }
    return -1
  }
  // Reads a length-delimited field at pos; returns [start, end] or undefined.
  const delimited = (end: number): [number, number] | undefined => {
    const len = varint(end)
    if (len < 0 || pos + len > end) return undefined
    const at = pos
    pos += len
    return [at, pos]
  }
  const fieldOf = (end: number): [number, number] | undefined => {
    const tag = varint(end)
    return tag < 0 ? undefined : [tag >>> 3, tag & 7]
  }
  // Example { features = 1 }
  const exTag = fieldOf(bytes.length)
  if (!exTag || exTag[0] !== 1 || exTag[1] !== 2) return undefined
  const features = delimited(bytes.length)
  if (!features || pos !== bytes.length) return undefined
  pos = features[0]
  while (pos < features[1]) {
    // Features { map<string, Feature> feature = 1 }
    const entryTag = fieldOf(features[1])
    if (!entryTag || entryTag[0] !== 1 || entryTag[1] !== 2) return undefined
    const entry = delimited(features[1])
    if (!entry) return undefined
    pos = entry[0]
    let key = ''
    let feature: [number, number] | undefined
    while (pos < entry[1]) {
      const t = fieldOf(entry[1])
      if (!t || t[1] !== 2) return undefined
      const body = delimited(entry[1])
      if (!body) return undefined
      if (t[0] === 1) key = Buffer.from(bytes.buffer, bytes.byteOffset + body[0], body[1] - body[0]).toString('latin1')
      else if (t[0] === 2) feature = body
      else return undefined
    }
    if (!feature) return undefined
    pos = feature[0]
    const kind = fieldOf(feature[1])
    if (!kind || kind[1] !== 2) return undefined
    const list = delimited(feature[1])
    if (!list || pos !== feature[1]) return undefined
    pos = list[0]
    if (key === 'image' && kind[0] === 1 && image === undefined) {
      const v = fieldOf(list[1])
      if (!v || v[0] !== 1 || v[1] !== 2) return undefined
      const value = delimited(list[1])
      if (!value || pos !== list[1] || value[1] - value[0] !== CIFAR_IMAGE_BYTES) return undefined
      image = bytes.subarray(value[0], value[1])
    } else if (key === 'label' && kind[0] === 3 && label === undefined) {
      const v = fieldOf(list[1])
      if (!v || v[0] !== 1) return undefined
      if (v[1] === 2) {
        const packed = delimited(list[1])
        if (!packed) return undefined
        pos = packed[0]
      } else if (v[1] !== 0) return undefined
      label = varint(list[1])
      if (label < 0 || pos !== list[1]) return undefined
    } else return undefined
    pos = entry[1]
  }
  return image && label !== undefined ? {image, label} : undefined
}
