/**
 * The evaluation of one configuration as a pure job: model + data + configuration → result.
 *
 * An `EvaluationJob` is plain JSON (paths with their sha256, so a worker on another machine can
 * check it has the same files); `evaluate(job)` runs it with `runInference` (src/infer) and
 * returns an `EvaluationResult`: accuracy exactly as `axq infer` prints it, its Wilson 95 %
 * interval, the per-image correctness (base64 bitset, for paired tests), the relative
 * multiplication power (src/mults/power.ts) and the multipliers with their table checksums.
 *
 * The same job always gives the same result, whatever thread count or worker runs it. The job's
 * `mult` + `layerMults` reproduce it on the command line:
 *   axq infer MODEL --data DATA --batch-size B --iterations I --mult M --layer-mult L ... [--tune]
 * (`jobCommand` writes that line). Batches of jobs run on a local pool: src/evaluation/pool.ts.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../errors.js'
import {openDataSource, type DataSource} from '../data/dataSource.js'
import {fileProblem} from '../fileProblem.js'
import {readGraph} from '../graph/graphIO.js'
import {isOnnxFile, readOnnxModel} from '../formats/onnx/onnxModel.js'
import {summarizeOnnx} from '../formats/onnx/onnxSummary.js'
import {APPROXIMATE_ONNX_OPS} from '../runtime/ops/onnx/qlinearConv.js'
import {summarizeGraph} from '../graph/graphSummary.js'
import {APPROXIMATE_OPS, applyLayerMultipliers, configureApproximateLayers, runInference, type LayerSetting, type MultiplierUsed} from '../infer/inference.js'
import {PowerTable, relativePower} from '../mults/power.js'
import {EXACT_MULTIPLIER, EXACT_SIGNED_MULTIPLIER, signednessMismatch} from '../mults/table.js'
import {resolveMultiplier} from '../mults/resolve.js'
import {encodeHits} from './hits.js'
import {wilsonInterval} from './statistics.js'

export interface FileRef {
  path: string
  /** sha256 of the file's bytes; checked before the job runs. */
  sha256: string
}

export interface EvaluationJob {
  model: FileRef
  data: FileRef
  batchSize: number
  iterations: number
  /** Multiplier of every approximate layer not named in `layerMults`. */
  mult: string
  /** `INDEX=MULT` or `NODE=MULT`, as `axq infer --layer-mult`. */
  layerMults: string[]
  tune: boolean
  /** `--mult-dir` folders, highest priority first. */
  multDirs: string[]
  input?: string
  output?: string
}

export interface EvaluatedMultiplier extends MultiplierUsed {
  /** mW; null when unknown. */
  powerMw: number | null
}

export interface EvaluationResult {
  /** As `axq infer` reports it: the mean of the batches' accuracies. */
  accuracy: number
  correct: number
  images: number
  /** Wilson 95 % interval of correct / images. */
  ci95: [number, number]
  /** Per-image correctness, image i of the run order = bit i (src/evaluation/hits.ts). */
  hits: string
  /** Σ MACs·P(mult) / Σ MACs·P(exact) over the approximate layers, ALWANN's MAC count; null if a power is unknown. */
  relativePower: number | null
  /** The same on computed MACs (output positions × filter size). */
  relativePowerComputed: number | null
  layers: LayerSetting[]
  multipliers: EvaluatedMultiplier[]
  seconds: number
}

export interface EvaluateOptions {
  /** Native threads of this evaluation (results never depend on it). */
  threads?: number
}

interface HashEntry {
  size: number
  mtimeMs: number
  sha256: string
}
const hashes = new Map<string, HashEntry>()

/** sha256 of a file, memoised by path, size and modification time. */
export function fileSha256(file: string): string {
  const abs = path.resolve(file)
  let stat: fs.Stats
  try {
    stat = fs.statSync(abs)
  } catch (error) {
    throw new AxqError(`cannot read ${file}: ${fileProblem(error)}`, {subject: file})
  }
  const hit = hashes.get(abs)
  if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.sha256
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(abs)
  } catch (error) {
    throw new AxqError(`cannot read ${file}: ${fileProblem(error)}`, {subject: file})
  }
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex')
  hashes.set(abs, {size: stat.size, mtimeMs: stat.mtimeMs, sha256})
  return sha256
}

export function fileRef(file: string): FileRef {
  return {path: path.resolve(file), sha256: fileSha256(file)}
}

/** A job for files on this machine (hashes computed here). */
export function makeJob(spec: Omit<EvaluationJob, 'model' | 'data' | 'layerMults' | 'multDirs'> & {model: string; data: string; layerMults?: string[]; multDirs?: string[]}): EvaluationJob {
  return {
    ...spec,
    model: fileRef(spec.model),
    data: fileRef(spec.data),
    layerMults: spec.layerMults ?? [],
    multDirs: (spec.multDirs ?? []).map((d) => path.resolve(d)),
  }
}

/** The `axq infer` command line that reproduces a job's accuracy. */
export function jobCommand(job: EvaluationJob): string {
  const parts = ['axq infer', job.model.path, '--data', job.data.path, '--batch-size', String(job.batchSize), '--iterations', String(job.iterations)]
  if (job.mult !== EXACT_MULTIPLIER) parts.push('--mult', job.mult)
  for (const l of job.layerMults) parts.push('--layer-mult', l)
  parts.push(job.tune ? '--tune' : '--no-tune')
  for (const d of job.multDirs) parts.push('--mult-dir', d)
  if (job.input) parts.push('--input', job.input)
  if (job.output) parts.push('--output', job.output)
  return parts.join(' ')
}

function checkFile(ref: FileRef, what: string): void {
  const actual = fileSha256(ref.path)
  if (actual !== ref.sha256) throw new AxqError(`${what} ${ref.path} has sha256 ${actual}, the job expects ${ref.sha256}`, {subject: ref.path})
}

export interface LayerMacs {
  name: string
  /** ALWANN's convention (inspect's mults/image). */
  macs: number
  /** Output positions × filter size. */
  computedMacs: number
  /**
   * The operands the layer multiplies: 'unsigned' (AxConv2D, uint8×uint8 ONNX layers), 'signed'
   * (int8×int8 ONNX layers) or 'mixed' (uint8×int8 ONNX layers, which run exact only).
   */
  operands: OperandKind
}

export type OperandKind = 'unsigned' | 'signed' | 'mixed'

/** The exact multiplier of a layer's operands (the power model's reference); null for mixed layers. */
export function exactMultiplierOf(operands: OperandKind): string | null {
  return operands === 'unsigned' ? EXACT_MULTIPLIER : operands === 'signed' ? EXACT_SIGNED_MULTIPLIER : null
}

const macsByModel = new Map<string, LayerMacs[]>()

/**
 * Multiplications per image of each approximate layer, in graph order (memoised by model hash).
 * ONNX models are counted by `loadApproximateLayerMacs` (it runs the model once); call it first.
 */
export function approximateLayerMacs(model: FileRef): LayerMacs[] {
  let hit = macsByModel.get(model.sha256)
  if (!hit) {
    if (isOnnxFile(model.path)) throw new Error(`internal: the layers of ${model.path} were not counted (loadApproximateLayerMacs)`)
    const graph = readGraph(model.path)
    const approximate = new Set(graph.node.filter((n) => APPROXIMATE_OPS.has(n.op)).map((n) => n.name))
    hit = summarizeGraph(graph)
      .layers.filter((l) => approximate.has(l.name))
      .map((l) => ({name: l.name, macs: l.macsPerImage ?? Number.NaN, computedMacs: l.outputMacsPerImage ?? Number.NaN, operands: 'unsigned' as const}))
    macsByModel.set(model.sha256, hit)
  }
  return hit
}

/**
 * `approximateLayerMacs` for any model: ONNX layers (QLinearConv, QLinearMatMul, QGemm after QDQ
 * fusion, the layers `--layer-mult` addresses) are counted by `axq inspect`'s summary, with their
 * operand kind from the types of their activation zero point and weights.
 */
export async function loadApproximateLayerMacs(model: FileRef): Promise<LayerMacs[]> {
  if (!isOnnxFile(model.path) || macsByModel.has(model.sha256)) return approximateLayerMacs(model)
  const onnx = readOnnxModel(model.path)
  const summary = new Map((await summarizeOnnx(model.path)).layers.map((l) => [l.name, l]))
  const dtype = (key: string | undefined) => (key ? onnx.constants[key]?.dtype : undefined)
  const hit = onnx.graph.node
    .filter((n) => APPROXIMATE_ONNX_OPS.has(n.op))
    .map((n): LayerMacs => {
      const xSigned = dtype(n.input[2]) === 'int8'
      const wSigned = (dtype(n.input[3]) ?? dtype(n.input[5])) === 'int8'
      const macs = summary.get(n.name)?.macsPerImage ?? Number.NaN
      return {name: n.name, macs, computedMacs: macs, operands: xSigned !== wSigned ? 'mixed' : xSigned ? 'signed' : 'unsigned'}
    })
  macsByModel.set(model.sha256, hit)
  return hit
}

/** Relative power of per-layer multipliers (null if a power or a MAC count is unknown). */
export function configurationPower(
  macs: readonly LayerMacs[],
  layers: readonly {name: string; mult: string}[],
  powers: PowerTable,
): {relativePower: number | null; relativePowerComputed: number | null} {
  const byName = new Map(macs.map((m) => [m.name, m]))
  const loads = layers.map((l) => {
    const m = byName.get(l.name)
    const exactName = m ? exactMultiplierOf(m.operands) : null
    const exact = exactName === null ? null : powers.of(exactName)
    // The exact table computes the exact product on operands of either signedness.
    const p = l.mult === EXACT_MULTIPLIER || l.mult === exactName ? exact : powers.of(l.mult)
    return {m, p, exact}
  })
  if (loads.length === 0 || loads.some((x) => !x.m || x.p === null || x.exact === null)) return {relativePower: null, relativePowerComputed: null}
  const finite = (v: number) => (Number.isFinite(v) ? v : null)
  return {
    relativePower: finite(relativePower(loads.map((x) => ({macs: x.m!.macs, powerMw: x.p!, exactPowerMw: x.exact!})))),
    relativePowerComputed: finite(relativePower(loads.map((x) => ({macs: x.m!.computedMacs, powerMw: x.p!, exactPowerMw: x.exact!})))),
  }
}

/** Relative power of an `axq infer` run's layers (null when a power is unknown or there is no approximate layer). */
export async function inferencePower(graph: string, layers: readonly {name: string; mult: string}[], multDirs: readonly string[] = []): Promise<{relativePower: number | null; relativePowerComputed: number | null}> {
  return configurationPower(await loadApproximateLayerMacs(fileRef(graph)), layers, powerTableFor(multDirs.map((d) => path.resolve(d))))
}

/**
 * Relative power of `mult` on every approximate layer with `layerMults` overrides (as infer takes
 * them), without running anything. Unknown multipliers are an AxqError; unknown power gives null.
 */
export async function layerwisePower(graph: string, mult: string, layerMults: readonly string[], multDirs: readonly string[] = []): Promise<{relativePower: number | null; relativePowerComputed: number | null}> {
  const onnx = isOnnxFile(graph)
  const def = onnx ? readOnnxModel(graph).graph : readGraph(graph)
  const layers = configureApproximateLayers(def, mult, false, onnx ? APPROXIMATE_ONNX_OPS : APPROXIMATE_OPS)
  applyLayerMultipliers(def, layers, layerMults, onnx ? 'quantized Conv/MatMul/Gemm' : 'AxConv2D')
  const macs = await loadApproximateLayerMacs(fileRef(graph))
  for (const [i, l] of layers.entries()) {
    const resolved = resolveMultiplier(l.mult, {multDirs})
    const operands = macs[i]?.operands ?? 'unsigned'
    // As the layers check when they run: an exact table fits every layer, others their own signedness only.
    if (l.mult === EXACT_MULTIPLIER || l.mult === exactMultiplierOf(operands)) continue
    if (operands === 'mixed') throw new AxqError(`layer '${l.name}' multiplies uint8 activations by int8 weights and runs exact only; multiplier '${l.mult}' cannot be used there`, {subject: l.mult})
    if (resolved.signed !== (operands === 'signed')) throw new AxqError(`layer '${l.name}': ${signednessMismatch(l.mult, resolved.signed ? 'signed' : 'unsigned', 'it')}`, {subject: l.mult})
  }
  return configurationPower(macs, layers, powerTableFor(multDirs.map((d) => path.resolve(d))))
}

const powerTables = new Map<string, PowerTable>()
function powerTableFor(multDirs: string[]): PowerTable {
  const key = JSON.stringify(multDirs)
  let table = powerTables.get(key)
  if (!table) powerTables.set(key, (table = new PowerTable({multDirs})))
  return table
}

const datasets = new Map<string, DataSource>()
/**
 * The job's data file (CIFAR .bin/pickle/.tfrecords, .npz, or an .npy without labels), read once
 * per process (keyed by its hash; the last two data sets are kept).
 */
function datasetFor(ref: FileRef): DataSource {
  let hit = datasets.get(ref.sha256)
  if (!hit) {
    if (datasets.size >= 2) datasets.delete(datasets.keys().next().value!)
    datasets.set(ref.sha256, (hit = openDataSource(ref.path)))
  }
  return hit
}

/** Run one job. Errors are AxqErrors (unknown multiplier, changed file, …). */
export async function evaluate(job: EvaluationJob, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  checkFile(job.model, 'model')
  checkFile(job.data, 'data')
  const started = process.hrtime.bigint()
  const hits: number[] = []
  const result = await runInference(
    {
      graph: job.model.path,
      data: job.data.path,
      dataset: datasetFor(job.data),
      batchSize: job.batchSize,
      iterations: job.iterations,
      mult: job.mult,
      tune: job.tune,
      layerMults: job.layerMults,
      multDirs: job.multDirs,
      input: job.input,
      output: job.output,
      threads: options.threads,
    },
    {
      onPredictions: (_index, predicted, labels) => {
        for (let i = 0; i < predicted.length; i++) hits.push(predicted[i] === labels[i] ? 1 : 0)
      },
    },
  )
  const correct = result.runs.reduce((s, r) => s + r.correct, 0)
  const powers = powerTableFor(job.multDirs)
  const power = configurationPower(await loadApproximateLayerMacs(job.model), result.layers, powers)
  return {
    accuracy: result.accuracy,
    correct,
    images: result.images,
    ci95: wilsonInterval(correct, result.images),
    hits: encodeHits(hits),
    ...power,
    layers: result.layers,
    multipliers: result.multipliers.map((m) => ({...m, powerMw: powers.of(m.name)})),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  }
}
