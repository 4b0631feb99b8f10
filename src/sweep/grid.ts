/**
 * A sweep's grid: every combination of the SPEC's graphs, data, multipliers, layer maps and tune
 * settings, as evaluation jobs with stable ids. Multiplier patterns (globs, `family:NAME`) are
 * expanded against every multiplier axq resolves with the SPEC's folders (src/mults/catalog.ts);
 * the id is the SHA-256 of the canonical job, which names files by their checksums, never by
 * their paths, so the same sweep run from another folder or machine has the same ids.
 */
import {AxqError} from '../errors.js'
import {makeJob, type EvaluationJob} from '../evaluation/job.js'
import {listMultipliers} from '../mults/catalog.js'
import {filterCatalog} from '../mults/catalogQuery.js'
import {tableSha256} from '../mults/metricsCache.js'
import {resolveMultiplier} from '../mults/resolve.js'
import {EXACT_MULTIPLIER} from '../mults/table.js'
import {jobId} from './jobId.js'
import type {SweepSpec} from './spec.js'

export interface SweepJob {
  /** Stable id: hash of the canonical job (first 16 hex digits of its SHA-256). */
  id: string
  /** Position in the grid (0-based), the order shards and summaries use. */
  index: number
  mult: string
  tune: boolean
  layerMults: string[]
  graph: string
  data: string
  /** SHA-256 of every multiplier table the job uses, by name. */
  tables: Record<string, string>
  /** The evaluation job handed to a runner (JSON-serialisable). */
  job: EvaluationJob
}

/** One grid point before it becomes an evaluation job. */
export interface GridPoint {
  graph: string
  data: string
  batchSize: number
  iterations: number
  mult: string
  tune: boolean
  layerMults: string[]
  multDirs: string[]
  input?: string
  output?: string
}

const GLOB = /[*?[]/
const FAMILY = /^family:(.+)$/

/** The multiplier names a SPEC's `mults` stand for, in SPEC order, each once. */
export function expandMultipliers(patterns: readonly string[], multDirs: readonly string[], file: string): string[] {
  const names: string[] = []
  let catalog: ReturnType<typeof listMultipliers> | undefined
  const entries = () => (catalog ??= listMultipliers({multDirs, onProblem: () => {}}))
  for (const pattern of patterns) {
    const family = FAMILY.exec(pattern)
    if (!family && !GLOB.test(pattern)) {
      names.push(pattern)
      continue
    }
    const matched = filterCatalog(entries(), family ? {family: family[1]} : {glob: pattern}).map((e) => e.name)
    if (matched.length === 0) {
      throw new AxqError(`${file}: field 'mults': '${pattern}' matches no multiplier axq resolves (axq list-mults${multDirs.map((d) => ` --mult-dir ${d}`).join('')} lists them)`, {subject: file})
    }
    names.push(...matched)
  }
  return [...new Set(names)]
}

/** The grid points of a SPEC, in a fixed order: graph, data, multiplier, layer map, tune. */
export function gridPoints(spec: SweepSpec): GridPoint[] {
  const mults = spec.mults.length > 0 ? expandMultipliers(spec.mults, spec.multDirs, spec.file) : [EXACT_MULTIPLIER]
  const points: GridPoint[] = []
  for (const graph of spec.graphs) {
    for (const data of spec.data) {
      for (const mult of mults) {
        for (const layerMults of spec.layerMults) {
          for (const tune of spec.tune) {
            points.push({
              graph,
              data,
              batchSize: spec.batchSize,
              iterations: spec.iterations,
              mult,
              tune,
              layerMults,
              multDirs: spec.multDirs,
              ...(spec.input !== undefined ? {input: spec.input} : {}),
              ...(spec.output !== undefined ? {output: spec.output} : {}),
            })
          }
        }
      }
    }
  }
  return points
}

/** For logs: "mul8u_L40 tune", "mul8u_1JFF 0=mul8u_L40 no-tune". */
export function jobLabel(job: {mult: string; layerMults: readonly string[]; tune: boolean}): string {
  return [job.mult, ...job.layerMults, job.tune ? 'tune' : 'no-tune'].join(' ')
}

/** The multiplier names of a job: its base multiplier and those of its layer map. */
export function multipliersOf(job: {mult: string; layerMults: readonly string[]}): string[] {
  return [...new Set([job.mult, ...job.layerMults.map((l) => l.slice(l.lastIndexOf('=') + 1))])]
}

/** SHA-256 of each named multiplier's table as `multDirs` resolve it (memoised in `memo` by folders and name). */
export function tableChecksums(names: readonly string[], multDirs: readonly string[], memo = new Map<string, string>()): Record<string, string> {
  return Object.fromEntries(names.map((name) => {
    const key = JSON.stringify([multDirs, name])
    let sha = memo.get(key)
    if (sha === undefined) memo.set(key, (sha = tableSha256(resolveMultiplier(name, {multDirs}).table)))
    return [name, sha]
  }))
}

/**
 * The id of an evaluation job: what determines its result — file contents and multiplier tables
 * by checksum, never paths — hashed. Sweeps and the queue use it.
 */
export function evaluationJobId(job: EvaluationJob, tables: Record<string, string>): string {
  return jobId({
    model: job.model.sha256,
    data: job.data.sha256,
    batchSize: job.batchSize,
    iterations: job.iterations,
    mult: job.mult,
    layerMults: job.layerMults,
    tune: job.tune,
    input: job.input ?? null,
    output: job.output ?? null,
    tables,
  })
}

/**
 * The SPEC's jobs in grid order. Files are hashed and multiplier names resolved here, so a
 * missing file or an unknown multiplier fails before anything runs.
 */
export function sweepJobs(spec: SweepSpec): SweepJob[] {
  const memo = new Map<string, string>()
  return gridPoints(spec).map((point, index) => {
    const {graph, ...rest} = point
    const job = makeJob({...rest, model: graph})
    let tables: Record<string, string>
    try {
      tables = tableChecksums(multipliersOf(point), point.multDirs, memo)
    } catch (error) {
      throw new AxqError(`${spec.file}: ${(error as Error).message}`, {subject: spec.file, cause: error})
    }
    return {id: evaluationJobId(job, tables), index, mult: point.mult, tune: point.tune, layerMults: point.layerMults, graph: point.graph, data: point.data, tables, job}
  })
}
