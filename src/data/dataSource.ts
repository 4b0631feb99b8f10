/**
 * The one way commands open data for a model (`infer`, and all that runs through it):
 * `openDataSource(path)` picks the reader from what the path is:
 *   - FILE.npz: x (preprocessed model input) and y (labels);
 *   - FILE.npy: preprocessed inputs, labels from `labels` (another .npy) or none;
 *   - a CIFAR-10 file (.tfrecords, .bin batch, python batch), or a folder holding one
 *     (DATA_DIR_CANDIDATES): raw 0..255 pixels, preprocessed by the model;
 *   - any other folder: an image folder (one sub-folder of JPEG/PNG files per class), decoded
 *     batch by batch, resized and cropped to `images`, then preprocessed by the model.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../errors.js'
import {DATA_DIR_CANDIDATES, openDataset, type Batch} from './dataset.js'
import {openImageFolder, type ImageGeometry} from './imageFolder.js'
import {openNpyDataset, openNpzDataset} from './npzDataset.js'

export interface DataSource {
  /** Number of records (images). */
  readonly count: number
  /** The file or folder the records come from. */
  readonly source: string
  /** Inputs already in the model's form (.npz, .npy): fed unchanged. Default false. */
  readonly preprocessed?: boolean
  /** False when the data has no labels: predictions, but no accuracy. Default true. */
  readonly labelled?: boolean
  /** Image folders: the class names, index = label. */
  readonly classes?: string[]
  /** Image folders: files left out because they are not .jpg/.jpeg/.png. */
  readonly skipped?: number
  /** `size` records from `start` (mod count), wrapping around at the end. */
  batch(start: number, size: number): Batch | Promise<Batch>
}

export interface DataSourceOptions {
  /** Labels of an .npy of inputs: another .npy of integers. */
  labels?: string
  /** Image folders: resize and crop. */
  images?: ImageGeometry
  /** Image folders: called after each decoded image with the count so far. */
  onDecoded?(decoded: number): void
}

export type DataKind = 'npz' | 'npy' | 'cifar' | 'image-folder'

/** What openDataSource will read at `pathOrDir` (without reading it). */
export function dataKind(pathOrDir: string): DataKind {
  let stat: fs.Stats
  try {
    stat = fs.statSync(pathOrDir)
  } catch {
    throw new AxqError(`data path ${pathOrDir} does not exist`, {subject: pathOrDir})
  }
  if (stat.isDirectory()) {
    const cifar = DATA_DIR_CANDIDATES.some((name) => fs.existsSync(path.join(pathOrDir, name)))
    return cifar ? 'cifar' : 'image-folder'
  }
  if (/\.npz$/i.test(pathOrDir)) return 'npz'
  if (/\.npy$/i.test(pathOrDir)) return 'npy'
  return 'cifar'
}

export function openDataSource(pathOrDir: string, options: DataSourceOptions = {}): DataSource {
  const kind = dataKind(pathOrDir)
  if (options.labels !== undefined && kind !== 'npy') {
    throw new AxqError(`--labels is for an .npy of inputs; ${pathOrDir} carries its own labels`, {subject: '--labels', exitCode: 2})
  }
  switch (kind) {
    case 'npz':
      return {...openNpzDataset(pathOrDir), preprocessed: true}
    case 'npy':
      return {...openNpyDataset(pathOrDir, options.labels), preprocessed: true}
    case 'image-folder':
      return openImageFolder(pathOrDir, {...options.images, onDecoded: options.onDecoded})
    case 'cifar':
      return openDataset(pathOrDir)
  }
}

/**
 * Resize and crop for image files: given values first; without a crop, the model's own image
 * size; without a resize, the shorter side of the crop (so the crop covers the image's centre).
 */
export function imageGeometry(given: ImageGeometry, modelSize?: [number, number]): ImageGeometry {
  const crop = given.crop ?? modelSize
  const resize = given.resize ?? (crop ? Math.min(crop[0], crop[1]) : undefined)
  return {...(resize === undefined ? {} : {resize}), ...(crop === undefined ? {} : {crop})}
}
