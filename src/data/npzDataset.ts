/**
 * Data already in the model's input form: an .npz with `x` (float32, preprocessed, e.g.
 * [N, 3, 32, 32] for an NCHW ONNX model) and `y` (integer labels [N]). Batches are cut in file
 * order and wrap around, as for CIFAR files.
 */
import {AxqError} from '../errors.js'
import {elementAsNumber, makeTensor, numElements, shapeString} from '../core/tensor.js'
import type {Batch} from './dataset.js'
import {readNpz} from './npz.js'

export interface NpzDataset {
  readonly count: number
  readonly source: string
  batch(start: number, size: number): Batch
}

export function openNpzDataset(file: string): NpzDataset {
  const arrays = readNpz(file)
  const x = arrays.get('x')
  const y = arrays.get('y')
  if (!x || !y) throw new AxqError(`${file}: an .npz data file needs arrays 'x' (float32 inputs) and 'y' (labels); it has ${[...arrays.keys()].join(', ') || 'none'}`, {subject: file})
  if (x.dtype !== 'float32') throw new AxqError(`${file}: x must be float32, got ${x.dtype}`, {subject: file})
  if (!['int64', 'int32', 'uint8', 'int16', 'int8'].includes(y.dtype) || y.shape.length !== 1) throw new AxqError(`${file}: y must be a 1-D integer array, got ${y.dtype} ${shapeString(y.shape)}`, {subject: file})
  const count = y.shape[0]
  if (x.shape.length < 1 || x.shape[0] !== count || count === 0) throw new AxqError(`${file}: x ${shapeString(x.shape)} and y ${shapeString(y.shape)} must hold the same, non-zero number of records`, {subject: file})
  const per = numElements(x.shape.slice(1))
  const labels = Int32Array.from({length: count}, (_, i) => elementAsNumber(y, i))
  const data = x.data as Float32Array
  return {
    count,
    source: file,
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
