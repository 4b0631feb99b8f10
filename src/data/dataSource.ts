/**
 * The one way commands open labelled image data by path: an .npz file (x already in the model's
 * input form, y labels) or anything openDataset reads (CIFAR binary/python batches, TFRecords, a
 * folder holding one of them). `preprocessed` says whether the images are the model's input as
 * they are (npz) or raw pixels (NHWC 0..255) still to be preprocessed.
 */
import {openDataset, type Batch} from './dataset.js'
import {openNpzDataset} from './npzDataset.js'

export interface DataSource {
  readonly count: number
  readonly source: string
  batch(start: number, size: number): Batch
}

export function openDataSource(path: string): {dataset: DataSource; preprocessed: boolean} {
  const npz = /\.npz$/i.test(path)
  return {dataset: npz ? openNpzDataset(path) : openDataset(path), preprocessed: npz}
}
