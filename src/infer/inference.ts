/**
 * `axq infer`: accuracy of a (quantized, approximate) graph on a CIFAR-style data set, the way
 * tf-approximate's cifar10_ax_inference.py measures it: every AxConv2D node gets the multiplier
 * and tuning flag, then `iterations` batches of `batchSize` records are run in file order
 * (wrapping around at the end), each scored by argmax of the logits against the label.
 */
import type {GraphDef} from '../graph/types.js'
import {makeAttr} from '../graph/attrs.js'
import type {Tensor} from '../core/tensor.js'
import {checkLabels} from '../data/dataset.js'
import {imageGeometry, openDataSource, type DataSource} from '../data/dataSource.js'
import {encodeNpyFloat32} from '../data/npz.js'
import {writeFileAtomic} from '../atomicWrite.js'
import {APPROXIMATE_OPS, openInferModel, type Preprocessing} from './inferModel.js'
import {describeSource, resolveMultiplier} from '../mults/resolve.js'
import {tableSha256} from '../mults/metricsCache.js'
import type {AnyProductTable} from '../mults/table.js'
import {AxqError} from '../errors.js'
import type {RsqrtMode} from '../runtime/eigenRsqrt.js'
import {recordCodeForm} from '../runtime/codeForms.js'

export {APPROXIMATE_OPS}

/** Float value of each 8-bit code: the code itself. */
const CODE_VALUES = Float32Array.from({length: 256}, (_, v) => v)

export interface InferOptions {
  graph: string
  /**
   * A data file (.tfrecords, .bin, pickle batch, .npz, .npy), a folder holding a CIFAR file, or
   * an image folder (one sub-folder of JPEG/PNG files per class); see src/data/dataSource.ts.
   */
  data: string
  /** `data` already opened (callers running many configurations read it once). */
  dataset?: DataSource
  /** Labels for an .npy of inputs (another .npy); without them there is no accuracy. */
  labels?: string
  batchSize: number
  iterations: number
  mult: string
  tune: boolean
  input?: string
  output?: string
  /**
   * Per-layer multipliers, ALWANN style: `SPEC=MULT`, where SPEC is an AxConv2D node name or its
   * 0-based index among the AxConv2D nodes in graph order. Other layers use `mult`.
   */
  layerMults?: string[]
  multDirs?: string[]
  threads?: number
  profile?: boolean
  /** With profile: also the time per node (nodeProfile). */
  profileNodes?: boolean
  /** float32 rsqrt of batch norm: TF 1.x's Eigen fast-math (default) or correctly rounded. */
  rsqrt?: RsqrtMode
  /** Pixel preprocessing (overrides the model's metadata_props); GraphDefs use only resize/crop. */
  preprocessing?: Partial<Preprocessing>
  /** Write the float32 logits [images, classes], in data order, to this .npy file. */
  saveLogits?: string
}

export interface RunResult {
  /** correct / images (NaN without labels). (The reference computes it in float32; printed to 5 decimals they agree.) */
  accuracy: number
  correct: number
  seconds: number
  images: number
}

export interface LayerSetting {
  name: string
  mult: string
  tune: boolean
  /** Where the multiplier's table came from: 'built-in', '<folder kind> <file>' or 'path <file>' (set once resolved). */
  source?: string
}

/** A multiplier as it was resolved: enough to reproduce a run. */
export interface MultiplierUsed {
  name: string
  /** 'built-in', or the .bin file it was read from. */
  source: string
  /** The same for people: 'built-in', 'user folder FILE', 'mult-dir FILE', 'AXQ_MULT_PATH FILE' or 'path FILE'. */
  origin: string
  signed: boolean
  /** SHA-256 of the table's 131,072 bytes. */
  sha256: string
}

export interface InferResult {
  graph: string
  data: string
  mult: string
  tune: boolean
  batchSize: number
  iterations: number
  images: number
  /** NaN (null in JSON) when the data has no labels. */
  accuracy: number
  /** False when the data has no labels: no accuracy, see `predictions`. */
  labelled: boolean
  /** Without labels: the predicted class of every image, in data order. */
  predictions?: number[]
  seconds: number
  runs: RunResult[]
  layers: LayerSetting[]
  /** Every multiplier the layers use, as resolved (file and table checksum). */
  multipliers: MultiplierUsed[]
  input: string
  output: string
  /** Per op type: node executions, wall seconds, and process CPU seconds (all threads). */
  profile?: {op: string; calls: number; seconds: number; cpuSeconds: number}[]
  /** The same per node (with profile), in the order nodes first ran. */
  nodeProfile?: {node: string; op: string; calls: number; seconds: number; cpuSeconds: number}[]
}

export interface InferEvents {
  /** Called once the graph is configured, before the first batch. */
  onLayers?(layers: LayerSetting[]): void
  /** A remark for the user (stderr), e.g. records reused or flags without effect. */
  onNotice?(message: string): void
  /** Called when a batch's images are decoded, just before the graph runs on them. */
  onBatchDecoded?(index: number): void
  /** Called after each batch. */
  onRun?(index: number, run: RunResult): void
  /** Image folders: images decoded so far, of `total` (progress while decoding). */
  onDecoded?(decoded: number, total: number): void
  /** Each batch's predicted classes and labels (for per-image comparisons, src/evaluation). */
  onPredictions?(index: number, predicted: Int32Array, labels: Int32Array): void
}

/** Set AxMult/AxTune on every approximate node; returns the settings in graph order. */
export function configureApproximateLayers(graph: GraphDef, mult: string, tune: boolean, ops: ReadonlySet<string> = APPROXIMATE_OPS): LayerSetting[] {
  const layers: LayerSetting[] = []
  for (const node of graph.node) {
    if (!ops.has(node.op)) continue
    node.attr.AxMult = makeAttr.string(mult)
    node.attr.AxTune = makeAttr.bool(tune)
    layers.push({name: node.name, mult, tune})
  }
  return layers
}

/** Apply `SPEC=MULT` overrides (node name or index among the approximate layers). */
export function applyLayerMultipliers(graph: GraphDef, layers: LayerSetting[], specs: readonly string[], layerKind = 'AxConv2D'): void {
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=')
    const key = eq > 0 ? spec.slice(0, eq) : ''
    const mult = eq > 0 ? spec.slice(eq + 1) : ''
    if (!key || !mult) throw new AxqError(`--layer-mult '${spec}': expected NODE=MULT or INDEX=MULT`, {subject: '--layer-mult'})
    const index = /^\d+$/.test(key) ? Number(key) : layers.findIndex((l) => l.name === key)
    if (index < 0 || index >= layers.length) {
      const names = layers.map((l, i) => `${i}=${l.name}`).join(', ')
      throw new AxqError(`--layer-mult '${spec}': no ${layerKind} layer '${key}' (layers: ${names || 'none'})`, {subject: '--layer-mult'})
    }
    layers[index].mult = mult
    const node = graph.node.find((n) => n.name === layers[index].name)
    if (node) node.attr.AxMult = makeAttr.string(mult)
  }
}

/** Index of the largest logit of each row; the first one on ties (tf.argmax). */
export function argmaxRows(logits: Tensor): Int32Array {
  if (logits.shape.length !== 2) throw new AxqError(`the output must be a [batch, classes] tensor, got shape [${logits.shape.join(',')}]`)
  const [rows, cols] = logits.shape
  const data = logits.data as Float32Array
  const out = new Int32Array(rows)
  for (let r = 0; r < rows; r++) {
    let best = 0
    let bestValue = data[r * cols]
    for (let c = 1; c < cols; c++) {
      const v = data[r * cols + c]
      if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
        best = c
        bestValue = v
      }
    }
    out[r] = best
  }
  return out
}

/** How many predictions equal their label. */
export function countCorrect(predicted: Int32Array, labels: Int32Array): number {
  let correct = 0
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++
  return correct
}

export async function runInference(options: InferOptions, events: InferEvents = {}): Promise<InferResult> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new AxqError('--batch-size must be a positive integer', {subject: '--batch-size'})
  if (!Number.isInteger(options.iterations) || options.iterations < 1) throw new AxqError('--iterations must be a positive integer', {subject: '--iterations'})
  // Multipliers are resolved lazily by the ops, and eagerly below (an unknown name fails fast).
  const tables = new Map<string, AnyProductTable>()
  const multipliers: MultiplierUsed[] = []
  const resolve = (name: string): AnyProductTable => {
    let table = tables.get(name)
    if (!table) {
      const resolved = resolveMultiplier(name, {multDirs: options.multDirs})
      table = resolved.table
      tables.set(name, table)
      multipliers.push({name, source: resolved.source, origin: describeSource(resolved), signed: resolved.signed, sha256: tableSha256(table)})
    }
    return table
  }
  const model = openInferModel(
    {graph: options.graph, input: options.input, output: options.output, preprocessing: options.preprocessing},
    {threads: options.threads, resolveMultiplier: resolve, profile: options.profile, rsqrt: options.rsqrt},
  )
  const {graph, input, output} = model
  const layers = configureApproximateLayers(graph, options.mult, options.tune, model.approximateOps)
  applyLayerMultipliers(graph, layers, options.layerMults ?? [], model.layerKind)
  if (layers.length === 0) events.onNotice?.(`${options.graph} has no ${model.layerKind} node: --mult and --tune have no effect`)

  for (const layer of layers) {
    resolve(layer.mult)
    layer.source = multipliers.find((m) => m.name === layer.mult)?.origin
  }

  const requested = options.batchSize * options.iterations
  const dataset =
    options.dataset ??
    openDataSource(options.data, {
      labels: options.labels,
      // The model's preprocessing (ONNX: flags over metadata_props) or, for GraphDefs, the flags.
      images: imageGeometry(model.preprocessing ?? options.preprocessing ?? {}, model.imageSize),
      onDecoded: events.onDecoded && ((n) => events.onDecoded!(n, requested)),
    })
  const labelled = dataset.labelled !== false
  if (requested > dataset.count) {
    events.onNotice?.(`${dataset.source} holds ${dataset.count} records; ${requested} requested, so records are reused (batches wrap around)`)
  }
  const geometry = options.preprocessing && (options.preprocessing.resize !== undefined || options.preprocessing.crop !== undefined)
  if (geometry && !dataset.classes) events.onNotice?.(`resize and crop apply to image folders; the images of ${dataset.source} are used as they are`)
  if (dataset.skipped) events.onNotice?.(`${dataset.source}: ${dataset.skipped} file(s) that are not .jpg, .jpeg or .png left out`)
  if (!labelled) events.onNotice?.(`${dataset.source} has no labels (give --labels FILE.npy): predictions only, no accuracy`)
  events.onLayers?.(layers)

  const runs: RunResult[] = []
  const saved: Tensor[] = []
  const predictions: number[] = []
  let position = 0
  for (let it = 0; it < options.iterations; it++) {
    const started = process.hrtime.bigint()
    const batch = await dataset.batch(position, options.batchSize)
    position = (position + options.batchSize) % dataset.count
    events.onBatchDecoded?.(it)
    // Pixels as 8-bit codes: ops on them can work on 256 values (src/runtime/codeForms.ts).
    if (batch.codes && batch.images.dtype === 'float32') recordCodeForm(batch.images.data as Float32Array, {codes: batch.codes, depth: 1, table: CODE_VALUES})
    const logits = flattenLogits(await model.run(batch.images, dataset.preprocessed === true), batch.labels.length, output)
    if (options.saveLogits) saved.push(logits)
    if (labelled) checkLabels(batch.labels, logits.shape[1], dataset.source)
    const predicted = argmaxRows(logits)
    if (!labelled) predictions.push(...predicted)
    const correct = labelled ? countCorrect(predicted, batch.labels) : 0
    events.onPredictions?.(it, predicted, batch.labels)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const run = {accuracy: labelled ? correct / batch.labels.length : NaN, correct, seconds, images: batch.labels.length}
    runs.push(run)
    events.onRun?.(it, run)
  }
  const images = runs.reduce((s, r) => s + r.images, 0)
  if (options.saveLogits) writeLogits(options.saveLogits, saved)
  const seconds = runs.reduce((s, r) => s + r.seconds, 0)
  // The mean over runs, as the reference's results line reports it.
  const accuracy = runs.reduce((s, r) => s + r.accuracy, 0) / runs.length
  return {
    graph: options.graph,
    data: dataset.source,
    mult: options.mult,
    tune: options.tune,
    batchSize: options.batchSize,
    iterations: options.iterations,
    images,
    accuracy,
    seconds,
    runs,
    layers,
    multipliers,
    input,
    output,
    ...(options.profile ? {profile: model.profile()} : {}),
    ...(options.profile && options.profileNodes ? {nodeProfile: model.nodeProfile()} : {}),
    labelled,
    ...(labelled ? {} : {predictions}),
  }
}

/**
 * Logits as [batch, classes]: the reference reshapes the output to [batch, classes]. Only a
 * [batch, classes] tensor, or one with 1s between (a [batch, 1, 1, classes] conv head), is
 * logits; anything else (a feature map named by --output) would be scored as garbage.
 */
function flattenLogits(logits: Tensor, batch: number, output: string): Tensor {
  const s = logits.shape
  if (batch === 0 || s.length < 2 || s[0] !== batch || s.slice(1, -1).some((d) => d !== 1) || s[s.length - 1] < 1 || logits.dtype !== 'float32') {
    throw new AxqError(`output '${output}' is a ${logits.dtype} tensor of shape [${s.join(',')}], not [${batch}, classes] float32 logits (choose the logits with --output)`, {subject: output})
  }
  return {...logits, shape: [batch, s[s.length - 1]]}
}

/** The logits of all batches as one float32 [images, classes] .npy (written atomically). */
function writeLogits(file: string, batches: Tensor[]): void {
  const classes = batches[0]?.shape[1] ?? 0
  const rows = batches.reduce((s, t) => s + t.shape[0], 0)
  const data = new Float32Array(rows * classes)
  let offset = 0
  for (const t of batches) {
    if (t.dtype !== 'float32') throw new AxqError(`--save-logits: the output is ${t.dtype}, not float32`, {subject: '--save-logits'})
    data.set(t.data as Float32Array, offset)
    offset += t.data.length
  }
  writeFileAtomic(file, encodeNpyFloat32([rows, classes], data))
}
