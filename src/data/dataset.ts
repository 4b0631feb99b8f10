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
import type {Tensor} from '../runtime/tensor.js'
import {CIFAR_IMAGE_BYTES, CIFAR_RECORD_BYTES, cifarBatch, parseCifarBin, type CifarRecords} from './cifar.js'
import {decodeExample, featureBytes, featureInt64} from './example.js'
import {parseCifarPickle} from './pickle.js'
import {iterateTFRecords, looksLikeTFRecord} from './tfrecord.js'

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
  /** float32 NHWC [n, 32, 32, 3], values 0..255. */
  images: Tensor
  labels: Int32Array
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
  let size = 0
  try {
    const fd = fs.openSync(file, 'r')
    try {
      got = fs.readSync(fd, head, 0, head.length, 0)
      size = fs.fstatSync(fd).size
    } finally {
      fs.closeSync(fd)
    }
  } catch (error) {
    throw readError(file, error)
  }
  if (got === 0) throw new AxqError(`${file}: empty file, not a CIFAR-10 data file`, {subject: file})
  const ext = path.extname(file).toLowerCase()
  if (ext === '.tfrecords' || ext === '.tfrecord') return 'tfrecord'
  if (ext === '.bin') return 'cifar-bin'
  if (head[0] === 0x80 && got >= 2 && head[1] >= 2 && head[1] <= 5) return 'cifar-pickle'
  if (looksLikeTFRecord(head.subarray(0, got))) return 'tfrecord'
  if (size % CIFAR_RECORD_BYTES === 0 && head[0] < 10) return 'cifar-bin'
  throw new AxqError(`${file}: not a CIFAR-10 data file (TFRecord of tf.train.Example, binary batch or python batch)`, {subject: file})
}

/** CIFAR records from a TFRecord file of Examples with `image` (3072 CHW bytes) and `label`. */
export function readCifarTFRecords(file: string): CifarRecords {
  const images: Uint8Array[] = []
  const labels: number[] = []
  for (const record of iterateTFRecords(file)) {
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

function readAll(file: string): Uint8Array {
  try {
    return fs.readFileSync(file)
  } catch (error) {
    throw readError(file, error)
  }
}

function readError(file: string, error: unknown): AxqError {
  const code = (error as NodeJS.ErrnoException).code
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code ?? (error as Error).message
  return new AxqError(`cannot read ${file}: ${why}`, {subject: file, cause: error})
}
