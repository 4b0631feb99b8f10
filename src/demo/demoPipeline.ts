/**
 * `axq demo`: the whole pipeline on the model and data set axq ships itself, offline.
 *   1. the synthetic test split (src/data/synth), generated under the work dir unless there,
 *   2. the ALWANN transform preset on the shipped float model (examples/shapes_resnet.pb),
 *   3. inference of the float model, then of the quantized one with the exact multiplier and a
 *      few built-in approximate ones, each without and with weight tuning.
 * Returns one row per run. Accuracies are deterministic (independent of threads and runs);
 * only the timings vary. Everything is written under `workDir`.
 */
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {AxqError} from '../errors.js'
import {readGraph, writeGraph} from '../graph/graphIO.js'
import {ALWANN_TRANSFORMS, transformGraph} from '../transforms/transformGraph.js'
import {runInference} from '../infer/inference.js'
import {resolveMultiplier} from '../mults/resolve.js'
import {computeMetrics} from '../mults/metrics.js'
import {EXACT_MULTIPLIER} from '../mults/table.js'
import {SYNTH_DEFAULT_SEED, SYNTH_FILES, existingSynth, writeSynth} from '../data/synth/synthDataset.js'

/** The repository / package root (this file is dist/src/demo/demoPipeline.js once compiled). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** The shipped demo model: its file, input and output (see examples/README.md). */
export const DEMO_MODEL = {
  file: path.join(PACKAGE_ROOT, 'examples', 'shapes_resnet.pb'),
  input: 'input',
  output: 'shapes/logits/BiasAdd',
}

/**
 * Built-in multipliers of five families with a spread of error, MAE% 0 (exact), 0.019
 * (truncated, 4 columns), 0.12 (truncated, 6), 0.20 (broken array), 0.36 (DRUM, 6-bit) and 0.93
 * (Mitchell's logarithmic): from harmless through visibly worse to useless, where weight tuning
 * starts to matter. Exact runs once, the others without and with tuning.
 */
export const DEMO_MULTIPLIERS = [
  EXACT_MULTIPLIER,
  'trunc8u_k4',
  'trunc8u_k6',
  'bam8u_h1_v6',
  'drum8u_k6',
  'mitchell8u',
]

/** 500 images: 12 runs stay well under a minute on 2 cores. */
export const DEMO_DEFAULT_COUNT = 500
/** Largest batch: batch norm in training mode normalises with each batch's statistics. */
export const DEMO_MAX_BATCH = 1000

export interface DemoOptions {
  workDir: string
  /** Test images (default 500). */
  count?: number
  seed?: number
  /** Multiplier names (default DEMO_MULTIPLIERS); the exact one runs once, the others twice. */
  mults?: string[]
  multDirs?: string[]
  threads?: number
  /** Also run the float model (default true). */
  includeFloat?: boolean
  /** The float model to use (default the shipped one). */
  model?: string
  /** Progress lines (the command prints them on stderr when it is a terminal). */
  onProgress?: (message: string) => void
}

export interface DemoRow {
  /** 'float' for the float model, else the multiplier name. */
  mult: string
  /** MAE% of the multiplier's table (null for the float model). */
  maePct: number | null
  /** Weight tuning (null for the float model). */
  tune: boolean | null
  /** correct / images. */
  accuracy: number
  correct: number
  images: number
  seconds: number
  imagesPerSecond: number
}

export interface DemoResult {
  workDir: string
  model: string
  quantizedModel: string
  data: string
  count: number
  seed: number
  batchSize: number
  iterations: number
  transformSeconds: number
  rows: DemoRow[]
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 10) {
    throw new AxqError(`--count must be an integer of at least 10, got ${count}`, {subject: '--count'})
  }
  if (count > DEMO_MAX_BATCH && count % DEMO_MAX_BATCH !== 0) {
    throw new AxqError(`--count above ${DEMO_MAX_BATCH} must be a multiple of ${DEMO_MAX_BATCH} (batches of ${DEMO_MAX_BATCH}), got ${count}`, {subject: '--count'})
  }
}

/** Where the demo writes inside its work dir. */
export function demoPaths(workDir: string): {data: string; quantized: string} {
  return {data: path.join(workDir, 'data'), quantized: path.join(workDir, 'shapes_resnet_quant_ax.pb')}
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const count = options.count ?? DEMO_DEFAULT_COUNT
  checkCount(count)
  const seed = options.seed ?? SYNTH_DEFAULT_SEED
  const model = options.model ?? DEMO_MODEL.file
  const mults = options.mults ?? DEMO_MULTIPLIERS
  if (mults.length === 0) throw new AxqError('give at least one multiplier', {subject: '--mult'})
  const progress = options.onProgress ?? (() => {})
  if (!fs.existsSync(model)) throw new AxqError(`the demo model ${model} is missing (it ships in examples/ of the axq package)`, {subject: model})
  try {
    fs.mkdirSync(options.workDir, {recursive: true})
  } catch (error) {
    throw new AxqError(`cannot create the work dir ${options.workDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {subject: '--work-dir'})
  }
  const paths = demoPaths(options.workDir)

  // Resolve every multiplier first: a bad name fails before any work.
  const maePct = new Map<string, number>()
  for (const name of mults) {
    const resolved = resolveMultiplier(name, {multDirs: options.multDirs})
    maePct.set(name, computeMetrics(resolved.table).maePct)
  }

  // 1. data
  const synth = {count, seed, split: 'test' as const}
  if (existingSynth(paths.data, synth)) {
    progress(`using the synthetic test split in ${paths.data}`)
  } else {
    progress(`generating ${count} synthetic test images (seed ${seed}) in ${paths.data}`)
    writeSynth(paths.data, synth)
  }
  const dataFile = path.join(paths.data, SYNTH_FILES.test.tfrecords)

  // 2. transform (the alwann preset, as `axq transform --preset alwann`)
  progress(`transforming ${path.basename(model)} with the alwann preset`)
  const started = performance.now()
  const {graph: quantized} = await transformGraph(readGraph(model), ALWANN_TRANSFORMS, {
    inputs: [DEMO_MODEL.input],
    outputs: [DEMO_MODEL.output],
  })
  writeGraph(paths.quantized, quantized)
  const transformSeconds = (performance.now() - started) / 1000

  // 3. inference
  const batchSize = Math.min(count, DEMO_MAX_BATCH)
  const iterations = count / batchSize
  const rows: DemoRow[] = []
  const infer = async (graph: string, mult: string, tune: boolean) => {
    const result = await runInference({
      graph,
      data: dataFile,
      batchSize,
      iterations,
      mult,
      tune,
      input: DEMO_MODEL.input,
      output: DEMO_MODEL.output,
      multDirs: options.multDirs,
      threads: options.threads,
    })
    // each batch accuracy is TF's float32 correct/batch: recover the exact count
    const correct = result.runs.reduce((sum, run) => sum + Math.round(run.accuracy * run.images), 0)
    return {accuracy: correct / result.images, correct, images: result.images, seconds: result.seconds, imagesPerSecond: result.images / result.seconds}
  }
  if (options.includeFloat ?? true) {
    progress('float model')
    rows.push({mult: 'float', maePct: null, tune: null, ...(await infer(model, EXACT_MULTIPLIER, false))})
  }
  for (const mult of mults) {
    // Tuning the exact table maps every weight to itself: one run says it all.
    const tunings = maePct.get(mult) === 0 ? [false] : [false, true]
    for (const tune of tunings) {
      progress(`${mult}${tune ? ' tuned' : ''}`)
      rows.push({mult, maePct: maePct.get(mult)!, tune, ...(await infer(paths.quantized, mult, tune))})
    }
  }
  return {
    workDir: path.resolve(options.workDir),
    model,
    quantizedModel: paths.quantized,
    data: dataFile,
    count,
    seed,
    batchSize,
    iterations,
    transformSeconds,
    rows,
  }
}
