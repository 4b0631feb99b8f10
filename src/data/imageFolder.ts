/**
 * A folder of image files with one sub-folder per class, as torchvision's ImageFolder reads it
 * (and as ImageNet validation sets are laid out after the usual sorting script):
 *   - classes are the sub-folders' names, sorted; the label is the index in that order;
 *   - each class folder is walked recursively, folders in sorted path order, files sorted by name;
 *   - files ending .jpg, .jpeg or .png (any case) are images; other files are skipped (counted);
 *     files directly in the top folder are ignored, as torchvision ignores them.
 * Images are decoded by sharp (libvips: libjpeg-turbo-family JPEG decoder, libpng), converted
 * to 8-bit RGB as PIL's .convert('RGB') does (grey replicated, alpha dropped without compositing,
 * palette expanded; embedded ICC profiles and EXIF orientation ignored, as PIL ignores them;
 * 16-bit PNGs keep their high byte, as PIL does for 16-bit RGB, where PIL's 16-bit grey clips
 * to 255 instead), then resized and cropped (imageTransforms.ts). Only one batch is held in memory: files are
 * decoded when a batch is asked for, a few at a time, off the event loop.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {imageCodec} from '../imageCodec.js'
import {AxqError} from '../errors.js'
import {fileProblem} from '../fileProblem.js'
import {makeTensor} from '../core/tensor.js'
import type {Batch} from './dataset.js'
import {centerCrop, resizeShorterSide, type RgbImage} from './imageTransforms.js'

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png']

/** Images larger than this many pixels are refused (decoding one would take ~120 MB and more). */
export const MAX_IMAGE_PIXELS = 40_000_000

export interface ImageGeometry {
  /** The shorter side is resized to this first. */
  resize?: number
  /** Then the centre [height, width] is cropped. Without a crop every image must come out the same size. */
  crop?: [number, number]
}

export interface ImageFolderListing {
  classes: string[]
  files: string[]
  labels: Int32Array
  /** Files that are not .jpg/.jpeg/.png, left out. */
  skipped: number
}

export interface ImageFolderOptions extends ImageGeometry {
  /** Called after each decoded image with the number decoded so far (progress display). */
  onDecoded?(decoded: number): void
}

export interface ImageFolder extends ImageFolderListing {
  readonly count: number
  readonly source: string
  batch(start: number, size: number): Promise<Batch>
}

/** Whether a file name is one of IMAGE_EXTENSIONS. */
export function isImageExtension(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase())
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, {withFileTypes: true})
  } catch (error) {
    throw new AxqError(`cannot read folder ${dir}: ${fileProblem(error)}`, {subject: dir, cause: error})
  }
}

/** Sorted as Python sorts str: by code point. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function isDirectory(entry: fs.Dirent, dir: string): boolean {
  if (entry.isDirectory()) return true
  if (!entry.isSymbolicLink()) return false
  try {
    return fs.statSync(path.join(dir, entry.name)).isDirectory()
  } catch {
    return false
  }
}

/** The class folders, images and labels of an image folder, in torchvision's order. */
export function listImageFolder(dir: string): ImageFolderListing {
  const classes = readDir(dir)
    .filter((e) => isDirectory(e, dir))
    .map((e) => e.name)
    .sort(byCodePoint)
  if (classes.length === 0) {
    const any = readDir(dir).some((e) => e.isFile())
    throw new AxqError(
      any
        ? `${dir}: no class sub-folders (an image folder holds one sub-folder of images per class), and no CIFAR-10 data file`
        : `${dir}: empty folder (expected one sub-folder of .jpg/.png images per class, or a CIFAR-10 data file)`,
      {subject: dir},
    )
  }
  const files: string[] = []
  const labels: number[] = []
  let skipped = 0
  classes.forEach((name, label) => {
    // os.walk order, sorted: every folder (by path) with its files (by name).
    const folders: {dir: string; files: string[]}[] = []
    const walk = (folder: string, depth: number): void => {
      if (depth > 32) throw new AxqError(`${folder}: folders nested more than 32 deep (a symbolic link loop?)`, {subject: folder})
      const entries = readDir(folder)
      folders.push({dir: folder, files: entries.filter((e) => !isDirectory(e, folder)).map((e) => e.name)})
      for (const e of entries) if (isDirectory(e, folder)) walk(path.join(folder, e.name), depth + 1)
    }
    walk(path.join(dir, name), 0)
    folders.sort((a, b) => byCodePoint(a.dir, b.dir))
    const before = files.length
    for (const f of folders) {
      for (const name of f.files.sort(byCodePoint)) {
        if (!isImageExtension(name)) {
          skipped++
          continue
        }
        files.push(path.join(f.dir, name))
        labels.push(label)
      }
    }
    if (files.length === before) throw new AxqError(`${path.join(dir, name)}: class folder without any .jpg, .jpeg or .png file`, {subject: path.join(dir, name)})
  })
  return {classes, files, labels: Int32Array.from(labels), skipped}
}

/** One image file as 8-bit RGB (PIL's .convert('RGB')), at its own size. */
export async function decodeImage(file: string): Promise<RgbImage> {
  const sharp = await imageCodec()
  try {
    const {data, info} = await sharp(file, {ignoreIcc: true, limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error'})
      .removeAlpha()
      .toColourspace('srgb')
      .raw({depth: 'uchar'})
      .toBuffer({resolveWithObject: true})
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) throw new Error(`decoded to ${info.channels} channels`)
    return {width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length)}
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const code = (error as NodeJS.ErrnoException).code
    if (code && /^E[A-Z]+$/.test(code)) throw new AxqError(`cannot read ${file}: ${fileProblem(error)}`, {subject: file, cause: error})
    const why = /unsupported image format/i.test(message)
      ? 'not a JPEG or PNG image'
      : /pixel limit/i.test(message)
        ? `larger than ${MAX_IMAGE_PIXELS} pixels`
        : `not a readable image (${message.split('\n')[0].trim()})`
    throw new AxqError(`${file}: ${why}`, {subject: file, cause: error})
  }
}

/** Decode, resize and crop one file. */
export async function loadImage(file: string, geometry: ImageGeometry): Promise<RgbImage> {
  let image = await decodeImage(file)
  if (geometry.resize !== undefined) image = resizeShorterSide(image, geometry.resize)
  if (geometry.crop) image = centerCrop(image, geometry.crop[0], geometry.crop[1])
  return image
}

/** How many files are decoded at once (sharp works on libuv's thread pool). */
function decodeConcurrency(): number {
  return Math.max(2, Math.min(8, os.availableParallelism()))
}

export function openImageFolder(dir: string, options: ImageFolderOptions = {}): ImageFolder {
  const listing = listImageFolder(dir)
  const {files, labels} = listing
  const count = files.length
  let decoded = 0
  let size: {width: number; height: number; file: string} | undefined
  return {
    ...listing,
    count,
    source: dir,
    async batch(start, n) {
      let pixels: Uint8Array | undefined
      const out = new Int32Array(n)
      const put = (i: number, file: string, image: RgbImage): void => {
        if (!size) size = {width: image.width, height: image.height, file}
        if (image.width !== size.width || image.height !== size.height) {
          throw new AxqError(
            `${file}: ${image.width}x${image.height} pixels, ${size.file} has ${size.width}x${size.height}; images of different sizes need --crop (and --resize), or --preprocess`,
            {subject: file},
          )
        }
        pixels ??= new Uint8Array(n * image.width * image.height * 3)
        pixels.set(image.data, i * image.data.length)
      }
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < n) {
          const i = next++
          const r = (start + i) % count
          put(i, files[r], await loadImage(files[r], options))
          out[i] = labels[r]
          options.onDecoded?.(++decoded)
        }
      }
      await Promise.all(Array.from({length: Math.min(n, decodeConcurrency())}, worker))
      return {images: makeTensor('uint8', [n, size!.height, size!.width, 3], pixels!), labels: out}
    },
  }
}
