/**
 * Data already in the model's input form (fed unchanged, no pixel preprocessing):
 *   - an .npz with `x` (float32, preprocessed, e.g. [N, 3, 32, 32] for an NCHW ONNX model) and
 *     `y` (integer labels [N]);
 *   - an .npy of inputs x (float32 [N, ...]) with the labels in a second .npy (integer [N]), or
 *     without labels: then there are predictions but no accuracy.
 * Batches are cut in file order and wrap around, as for CIFAR files.
 */
import {AxqError} from '../errors.js'
import {elementAsNumber, makeTensor, numElements, shapeString, type Tensor} from '../core/tensor.js'
import type {Batch} from './dataset.js'
import {decodeNpyTensor, readNpz} from './npz.js'
import {INPUT_LIMITS, readInputFile} from '../inputFile.js'

export interface NpzDataset {
  readonly count: number
  readonly source: string
  /** False for an .npy without labels (the batches' labels are then -1). */
  readonly labelled: boolean
  batch(start: number, size: number): Batch
}

export function openNpzDataset(file: string): NpzDataset {
  const arrays = readNpz(file)
  const x = arrays.get('x')
  const y = arrays.get('y')
  if (!x || !y) throw new AxqError(`${file}: an .npz data file needs arrays 'x' (float32 inputs) and 'y' (labels); it has ${[...arrays.keys()].join(', ') || 'none'}`, {subject: file})
  return tensorDataset(file, x, y, 'x', 'y')
}

/** Inputs from an .npy, labels from another .npy (or none). */
export function openNpyDataset(file: string, labelsFile?: string): NpzDataset {
  const read = (f: string) => decodeNpyTensor(readInputFile(f, {what: 'data file', maxBytes: INPUT_LIMITS.dataBytes}), f)
  const x = read(file)
  return tensorDataset(file, x, labelsFile === undefined ? undefined : read(labelsFile), 'the inputs', labelsFile ?? '')
}

function tensorDataset(file: string, x: Tensor, y: Tensor | undefined, xName: string, yName: string): NpzDataset {
  if (x.dtype !== 'float32') throw new AxqError(`${file}: ${xName} must be float32 (the model's preprocessed input), got ${x.dtype}`, {subject: file})
  if (y && (!['int64', 'int32', 'uint8', 'int16', 'int8'].includes(y.dtype) || y.shape.length !== 1)) throw new AxqError(`${yName}: labels must be a 1-D integer array, got ${y.dtype} ${shapeString(y.shape)}`, {subject: yName})
  const count = y ? y.shape[0] : x.shape[0]
  if (x.shape.length < 1 || x.shape[0] !== count || count === 0) {
    throw new AxqError(y ? `${file}: ${xName} ${shapeString(x.shape)} and ${yName} ${shapeString(y.shape)} must hold the same, non-zero number of records` : `${file}: ${xName} ${shapeString(x.shape)} holds no records`, {subject: file})
  }
  const per = numElements(x.shape.slice(1))
  const labels = y ? Int32Array.from({length: count}, (_, i) => elementAsNumber(y, i)) : new Int32Array(count).fill(-1)
  const data = x.data as Float32Array
  return {
    count,
    source: file,
    labelled: y !== undefined,
    batch(start, size) {
      const images = new Float32Array(size * per)
      const out = new Int32Array(size)
      for (let i = 0; i < size; i++) {
        const r = (start + i) % count
        images.set(data.subarray(r * per, (r + 1) * per), i * per)
        out[i] = labels[r]
      }
      return {images: makeTensor('float32', [size, ...x.shape.slice(1)], images), labels: out}
    },
  }
}
