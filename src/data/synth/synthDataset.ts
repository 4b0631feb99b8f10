/**
 * axq's own synthetic image data set: ten classes of rendered shapes (see shapes.ts) in the
 * CIFAR-10 layout, generated deterministically from a seed. Image i of a split depends only on
 * (seed, split, i), so a smaller count is a prefix of a larger one; labels come in blocks of ten,
 * each block a shuffled permutation of the ten classes, so any count is class-balanced to ±1.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import {AxqError} from '../../errors.js'
import {writeFileAtomic} from '../../atomicWrite.js'
import {Xoshiro128, mixSeed} from './prng.js'
import {IMAGE_BYTES, renderImage} from './render.js'
import {SYNTH_CLASSES} from './shapes.js'
import {encodeCifarBatch, encodeExampleFile} from './exampleRecords.js'

export const SYNTH_GENERATOR_VERSION = 1
export const SYNTH_DEFAULT_SEED = 1
export type SynthSplit = 'train' | 'test'
export const SYNTH_SPLITS: readonly SynthSplit[] = ['train', 'test']
export const SYNTH_DEFAULT_COUNT: Record<SynthSplit, number> = {train: 20000, test: 1000}
export const SYNTH_MAX_COUNT = 1_000_000

/** File names per split: the names `axq infer --data-dir` looks for, as CIFAR-10 uses them. */
export const SYNTH_FILES: Record<SynthSplit, {tfrecords: string; bin: string}> = {
  train: {tfrecords: 'train.tfrecords', bin: 'train_batch.bin'},
  test: {tfrecords: 'eval.tfrecords', bin: 'test_batch.bin'},
}
export const SYNTH_META_FILE = 'batches.meta.txt'

const SPLIT_ID: Record<SynthSplit, number> = {train: 0x7a41, test: 0x7e57}

export interface SynthOptions {
  count: number
  seed: number
  split: SynthSplit
}

export interface SynthImages {
  /** count × 3072 bytes, each image CHW (1024 R, 1024 G, 1024 B), row-major. */
  images: Uint8Array
  labels: Uint8Array
  options: SynthOptions
}

export function validateSynthOptions(options: SynthOptions): void {
  const {count, seed, split} = options
  if (!Number.isInteger(count) || count < 1 || count > SYNTH_MAX_COUNT) {
    throw new AxqError(`--count must be an integer from 1 to ${SYNTH_MAX_COUNT}, got ${count}`, {subject: '--count'})
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new AxqError(`--seed must be an integer from 0 to 4294967295, got ${seed}`, {subject: '--seed'})
  }
  if (!SYNTH_SPLITS.includes(split)) {
    throw new AxqError(`--split must be one of ${SYNTH_SPLITS.join(', ')}, got ${split}`, {subject: '--split'})
  }
}

/** The label of every image: blocks of ten, each a seeded permutation of 0..9. */
export function synthLabels(options: SynthOptions): Uint8Array {
  const labels = new Uint8Array(options.count)
  const classes = SYNTH_CLASSES.length
  for (let block = 0; block * classes < options.count; block++) {
    const rng = new Xoshiro128(mixSeed(options.seed, SPLIT_ID[options.split], 0x6c61626c, block))
    const perm = Array.from({length: classes}, (_, i) => i)
    for (let i = classes - 1; i > 0; i--) {
      const j = rng.int(i + 1)
      ;[perm[i], perm[j]] = [perm[j], perm[i]]
    }
    for (let i = 0; i < classes && block * classes + i < options.count; i++) labels[block * classes + i] = perm[i]
  }
  return labels
}

/** Render image `index` of the split. */
export function synthImage(options: Pick<SynthOptions, 'seed' | 'split'>, index: number, label: number): Uint8Array {
  const rng = new Xoshiro128(mixSeed(options.seed, SPLIT_ID[options.split], 0x696d6167, index))
  return renderImage(rng, label)
}

export function generateSynth(options: SynthOptions): SynthImages {
  validateSynthOptions(options)
  const labels = synthLabels(options)
  const images = new Uint8Array(options.count * IMAGE_BYTES)
  for (let i = 0; i < options.count; i++) images.set(synthImage(options, i, labels[i]), i * IMAGE_BYTES)
  return {images, labels, options}
}

export interface SynthManifest {
  generator: 'axq-synth'
  version: number
  split: SynthSplit
  seed: number
  count: number
  classes: string[]
  files: Record<string, {bytes: number; sha256: string}>
}

export function synthManifestFile(split: SynthSplit): string {
  return `synth-${split}.json`
}

/**
 * Write a split into `dir` (created if needed): the TFRecord file, the CIFAR-10 .bin batch,
 * batches.meta.txt and a manifest (synth-<split>.json) with every file's size and SHA-256.
 * Every file is written atomically. Returns the manifest.
 */
export function writeSynth(dir: string, options: SynthOptions): SynthManifest {
  validateSynthOptions(options)
  try {
    fs.mkdirSync(dir, {recursive: true})
  } catch (error) {
    throw new AxqError(`cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {subject: dir})
  }
  const {images, labels} = generateSynth(options)
  const names = SYNTH_FILES[options.split]
  const contents: Array<[string, Uint8Array]> = [
    [names.tfrecords, encodeExampleFile(images, labels, IMAGE_BYTES)],
    [names.bin, encodeCifarBatch(images, labels, IMAGE_BYTES)],
    [SYNTH_META_FILE, new TextEncoder().encode(SYNTH_CLASSES.join('\n') + '\n')],
  ]
  const manifest: SynthManifest = {
    generator: 'axq-synth',
    version: SYNTH_GENERATOR_VERSION,
    split: options.split,
    seed: options.seed,
    count: options.count,
    classes: [...SYNTH_CLASSES],
    files: {},
  }
  for (const [name, bytes] of contents) {
    writeFileAtomic(path.join(dir, name), bytes)
    manifest.files[name] = {bytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex')}
  }
  writeFileAtomic(path.join(dir, synthManifestFile(options.split)), JSON.stringify(manifest, null, 2) + '\n')
  return manifest
}

/**
 * The manifest of a split already in `dir` if it was written with these options by this
 * generator version and its files are intact (sizes match), else undefined.
 */
export function existingSynth(dir: string, options: SynthOptions): SynthManifest | undefined {
  let manifest: SynthManifest
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, synthManifestFile(options.split)), 'utf8')) as SynthManifest
  } catch {
    return undefined
  }
  if (
    manifest.generator !== 'axq-synth' ||
    manifest.version !== SYNTH_GENERATOR_VERSION ||
    manifest.split !== options.split ||
    manifest.seed !== options.seed ||
    manifest.count !== options.count
  ) return undefined
  for (const [name, info] of Object.entries(manifest.files ?? {})) {
    try {
      if (fs.statSync(path.join(dir, name)).size !== info.bytes) return undefined
    } catch {
      return undefined
    }
  }
  return manifest
}
