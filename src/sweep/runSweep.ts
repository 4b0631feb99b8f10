/**
 * `axq sweep`: SPEC → grid of jobs → (this shard's share) → the jobs not yet in the results file →
 * a runner → one appended results line per finished job.
 */
import {AxqError} from '../errors.js'
import {jobLabel, sweepJobs, type SweepJob} from './grid.js'
import {jobId} from './jobId.js'
import {readResults, ResultsWriter, type ResultLine} from './resultsFile.js'
import type {JobOutcome, JobRunner} from './runner.js'
import {formatShard, inShard, type Shard} from './shard.js'
import type {SweepSpec} from './spec.js'

export interface SweepOptions {
  spec: SweepSpec
  out: string
  runner: JobRunner
  shard?: Shard
  /** Recorded in every line. */
  axqVersion: string
}

export interface SweepEvents {
  /** Before the first job: this run's jobs, and how many of them the results file already holds. */
  onStart?(info: {grid: number; jobs: number; done: number; todo: number}): void
  onResult?(line: ResultLine, finished: number, todo: number): void
  /** A partial last line (a killed writer) was cut off the results file. */
  onNotice?(message: string): void
}

export interface SweepResult {
  /** Jobs in the whole grid. */
  grid: number
  /** This run's share of the grid. */
  jobs: SweepJob[]
  /** Their results, in grid order (from earlier runs and this one). */
  lines: ResultLine[]
  /** Jobs found in the results file and not run again. */
  skipped: number
  ran: number
}

/** The id of a whole sweep: the hash of its job ids in grid order. */
export function sweepId(jobs: readonly SweepJob[]): string {
  return jobId(jobs.map((j) => j.id))
}

export function resultLine(job: SweepJob, outcome: JobOutcome, context: {sweep: string; of: number; shard?: Shard; axqVersion: string}): ResultLine {
  const {result} = outcome
  return {
    id: job.id,
    sweep: context.sweep,
    index: job.index,
    of: context.of,
    ...(context.shard ? {shard: formatShard(context.shard)} : {}),
    graph: job.graph,
    data: job.data,
    mult: job.mult,
    tune: job.tune,
    layerMults: job.layerMults,
    accuracy: result.accuracy,
    ci95: result.ci95,
    ...(result.relativePower !== null ? {relativePower: result.relativePower} : {}),
    tables: job.tables,
    wallSeconds: outcome.wallSeconds,
    axq: context.axqVersion,
    worker: outcome.worker,
    job: job.job,
    result,
  }
}

export async function runSweep(options: SweepOptions, events: SweepEvents = {}): Promise<SweepResult> {
  const grid = sweepJobs(options.spec)
  if (grid.length === 0) throw new AxqError(`${options.spec.file}: the sweep has no jobs`, {subject: options.spec.file})
  const sweep = sweepId(grid)
  const jobs = options.shard ? inShard(grid, options.shard) : grid
  const existing = readResults(options.out)
  if (existing.partial) events.onNotice?.(`${options.out}: cut off a partial last line (a sweep was killed while writing)`)
  const mine = new Set(jobs.map((j) => j.id))
  const done = new Map<string, ResultLine>()
  for (const line of existing.lines) {
    if (line.sweep !== sweep) {
      throw new AxqError(`${options.out} holds results of another sweep (the SPEC, its files or multipliers changed): give another --out`, {subject: options.out})
    }
    if (mine.has(line.id)) done.set(line.id, line)
  }
  const todo = jobs.filter((j) => !done.has(j.id))
  events.onStart?.({grid: grid.length, jobs: jobs.length, done: jobs.length - todo.length, todo: todo.length})
  const byId = new Map(todo.map((j) => [j.id, j]))
  const writer = new ResultsWriter(options.out, existing.partial ? existing.wholeBytes : undefined)
  let finished = 0
  try {
    if (todo.length > 0) {
      await options.runner.run(todo.map((j) => ({id: j.id, label: jobLabel(j), job: j.job})), (outcome) => {
        const job = byId.get(outcome.id)
        // A result arrives once per job even when a queue ran it twice (a worker died mid-job).
        if (!job || done.has(job.id)) return
        const line = resultLine(job, outcome, {sweep, of: grid.length, shard: options.shard, axqVersion: options.axqVersion})
        writer.append(line)
        done.set(job.id, line)
        events.onResult?.(line, ++finished, todo.length)
      })
    }
  } finally {
    writer.close()
  }
  const lines = jobs.map((j) => done.get(j.id)).filter((l): l is ResultLine => l !== undefined)
  return {grid: grid.length, jobs, lines, skipped: jobs.length - todo.length, ran: finished}
}
