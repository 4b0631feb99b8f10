/**
 * CIFAR-10 record layout and the binary batch format (`data_batch_N.bin`, `test_batch.bin`):
 * each record is 3073 bytes, the label (0..9), then the 32×32 image as 1024 R, 1024 G and 1024 B
 * bytes, each plane row-major (CHW). The python batches and the TFRecords of the reference's
 * generate_cifar10_tfrecords.py store the same 3072 CHW bytes per image.
 */
import {AxqError} from '../errors.js'
import {MAX_BATCH} from '../limits.js'
import {writeFileAtomic} from '../atomicWrite.js'
import type {Tensor} from '../core/tensor.js'

export const CIFAR_HEIGHT = 32
export const CIFAR_WIDTH = 32
export const CIFAR_CHANNELS = 3
/** Bytes of one image (CHW). */
export const CIFAR_IMAGE_BYTES = CIFAR_HEIGHT * CIFAR_WIDTH * CIFAR_CHANNELS
/** Bytes of one binary-batch record: label byte + image. */
export const CIFAR_RECORD_BYTES = 1 + CIFAR_IMAGE_BYTES
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

/** Images (CHW bytes, one after another) and their labels. */
export interface CifarRecords {
  /** count × 3072 bytes, each image in CHW order. */
  images: Uint8Array
  labels: Int32Array
}

/** Parse a binary batch. A size that is not a multiple of 3073 is an error naming `source`. */
export function parseCifarBin(bytes: Uint8Array, source: string): CifarRecords {
  if (bytes.length === 0) throw new AxqError(`${source}: empty file, not a CIFAR-10 binary batch`, {subject: source})
  if (bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new AxqError(
      `${source}: ${bytes.length} bytes is not a whole number of CIFAR-10 records (${CIFAR_RECORD_BYTES} bytes each: label + 32x32x3 image)`,
      {subject: source},
    )
  }
  const count = bytes.length / CIFAR_RECORD_BYTES
  const images = new Uint8Array(count * CIFAR_IMAGE_BYTES)
  const labels = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const at = i * CIFAR_RECORD_BYTES
    labels[i] = bytes[at]
    images.set(bytes.subarray(at + 1, at + CIFAR_RECORD_BYTES), i * CIFAR_IMAGE_BYTES)
  }
  return {images, labels}
}

/** One 3073-byte record. */
export function encodeCifarRecord(label: number, image: Uint8Array): Uint8Array {
  checkImage(image, label)
  const out = new Uint8Array(CIFAR_RECORD_BYTES)
  out[0] = label
  out.set(image, 1)
  return out
}

/** A whole binary batch from CHW images and labels. */
export function encodeCifarBin(records: CifarRecords): Uint8Array {
  const count = records.labels.length
  if (records.images.length !== count * CIFAR_IMAGE_BYTES) {
    throw new AxqError(`internal error: ${count} labels but ${records.images.length / CIFAR_IMAGE_BYTES} images`)
  }
  const out = new Uint8Array(count * CIFAR_RECORD_BYTES)
  for (let i = 0; i < count; i++) {
    out.set(encodeCifarRecord(records.labels[i], records.images.subarray(i * CIFAR_IMAGE_BYTES, (i + 1) * CIFAR_IMAGE_BYTES)), i * CIFAR_RECORD_BYTES)
  }
  return out
}

/** Write a binary batch atomically. */
export function writeCifarBin(file: string, records: CifarRecords): void {
  writeFileAtomic(file, encodeCifarBin(records))
}

function checkImage(image: Uint8Array, label: number): void {
  if (image.length !== CIFAR_IMAGE_BYTES) throw new AxqError(`internal error: a CIFAR image has ${CIFAR_IMAGE_BYTES} bytes, got ${image.length}`)
  if (!Number.isInteger(label) || label < 0 || label > 255) throw new AxqError(`internal error: CIFAR label ${label} does not fit in a byte`)
}

/**
 * Records `start, start+1, …` (wrapping around at the end) as the reference pipeline feeds them:
 * float32 NHWC [n, 32, 32, 3] with values 0..255, and int32 labels; `codes` holds the same
 * values as bytes (NHWC).
 */
export function cifarBatch(records: CifarRecords, start: number, size: number, source = 'data set'): {images: Tensor; labels: Int32Array; codes: Uint8Array} {
  const count = records.labels.length
  if (count === 0) throw new AxqError(`${source}: no records`)
  if (!Number.isInteger(size) || size < 1) throw new AxqError(`batch size must be a positive integer, got ${size}`, {subject: '--batch-size'})
  if (size > MAX_BATCH) throw new AxqError(`--batch-size ${size} is more than axq runs at once (at most ${MAX_BATCH} images per batch; use --iterations for more)`, {subject: '--batch-size'})
  if (!Number.isInteger(start) || start < 0) throw new AxqError(`batch start must be a non-negative integer, got ${start}`)
  const plane = CIFAR_HEIGHT * CIFAR_WIDTH
  const data = new Float32Array(size * CIFAR_IMAGE_BYTES)
  const codes = new Uint8Array(size * CIFAR_IMAGE_BYTES)
  const labels = new Int32Array(size)
  for (let i = 0; i < size; i++) {
    const r = (start + i) % count
    labels[i] = records.labels[r]
    const src = records.images.subarray(r * CIFAR_IMAGE_BYTES, (r + 1) * CIFAR_IMAGE_BYTES)
    const base = i * CIFAR_IMAGE_BYTES
    for (let p = 0; p < plane; p++) {
      const o = base + p * 3
      codes[o] = src[p]
      codes[o + 1] = src[plane + p]
      codes[o + 2] = src[2 * plane + p]
    }
  }
  data.set(codes)
  return {images: {dtype: 'float32', shape: [size, CIFAR_HEIGHT, CIFAR_WIDTH, CIFAR_CHANNELS], data}, labels, codes}
}
