/**
 * `axq sensitivity`: how much each approximate layer suffers from each multiplier. For every
 * (layer, multiplier) pair, that layer alone uses the multiplier and every other layer stays
 * exact; the accuracy (with its Wilson interval) and the relative power of that configuration.
 */
import {loadApproximateLayerMacs, makeJob, type EvaluationJob} from '../evaluation/job.js'
import {evaluateAll} from '../evaluation/pool.js'
import {AxqError} from '../errors.js'
import {PowerTable} from '../mults/power.js'
import {EXACT_MULTIPLIER} from '../mults/table.js'
import {chooseCandidates, searchSignedness, type Candidate} from './candidates.js'

export interface SensitivitySettings {
  graph: string
  data: string
  mults?: string[]
  multDirs?: string[]
  tune: boolean
  /** Images per evaluation (one batch). */
  images: number
  workers: number
  input?: string
  output?: string
}

export interface SensitivityCell {
  layer: number
  mult: string
  accuracy: number
  ci95: [number, number]
  /** Relative power of the whole configuration (this layer approximate, the rest exact). */
  relativePower: number | null
  /** `--layer-mult` reproducing it. */
  layerMult: string
}

export interface SensitivityResult {
  layers: {name: string; macs: number}[]
  mults: Candidate[]
  exact: {accuracy: number; ci95: [number, number]}
  /** cells[layer][mult], in the order of `layers` and `mults`. */
  cells: SensitivityCell[][]
  images: number
  evaluations: number
  seconds: number
}

export async function layerSensitivity(s: SensitivitySettings, onEvaluation?: (done: number, total: number) => void): Promise<SensitivityResult> {
  if (!Number.isInteger(s.images) || s.images < 1) throw new AxqError('--images must be a positive integer', {subject: '--images', exitCode: 2})
  const started = Date.now()
  const base = makeJob({model: s.graph, data: s.data, batchSize: s.images, iterations: 1, mult: EXACT_MULTIPLIER, tune: s.tune, multDirs: s.multDirs, input: s.input, output: s.output})
  const layers = await loadApproximateLayerMacs(base.model)
  if (layers.length === 0) throw new AxqError(`${s.graph} has no approximate layer (AxConv2D, QLinearConv, QLinearMatMul, QGemm)`, {subject: s.graph})
  const powers = new PowerTable({multDirs: base.multDirs})
  const mults = chooseCandidates(s.mults, base.multDirs, powers, '--mults', searchSignedness(s.graph, layers))
  const jobs: EvaluationJob[] = [base]
  for (let l = 0; l < layers.length; l++) for (const m of mults) jobs.push({...base, layerMults: [`${l}=${m.name}`]})
  let done = 0
  const results = await evaluateAll(jobs, {workers: s.workers, threadsPerWorker: s.workers > 1 ? 1 : undefined}, () => onEvaluation?.(++done, jobs.length))
  const cells = layers.map((_, l) =>
    mults.map((m, k): SensitivityCell => {
      const r = results[1 + l * mults.length + k]
      return {layer: l, mult: m.name, accuracy: r.accuracy, ci95: r.ci95, relativePower: r.relativePower, layerMult: `${l}=${m.name}`}
    }),
  )
  return {
    layers: layers.map((l) => ({name: l.name, macs: l.macs})),
    mults,
    exact: {accuracy: results[0].accuracy, ci95: results[0].ci95},
    cells,
    images: results[0].images,
    evaluations: jobs.length,
    seconds: (Date.now() - started) / 1000,
  }
}
