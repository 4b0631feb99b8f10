/**
 * How evaluation jobs get run: a `JobRunner` takes jobs and reports each result as it arrives.
 * `localRunner` uses the local evaluation pool (src/evaluation/pool.ts); src/queue/queueRunner.ts
 * hands them to `axq worker` processes through Redis.
 */
import os from 'node:os'
import type {EvaluationJob, EvaluationResult} from '../evaluation/job.js'
import {EvaluationPool} from '../evaluation/pool.js'

export interface RunnableJob {
  /** Stable id of the job (src/sweep/jobId.ts). */
  id: string
  /** For logs: "mul8u_L40 tune". */
  label: string
  job: EvaluationJob
}

export interface JobOutcome {
  id: string
  result: EvaluationResult
  /** Who evaluated it ('local:HOST', or a queue worker's name). */
  worker: string
  /** Wall seconds of the evaluation where it ran. */
  wallSeconds: number
}

export interface JobRunner {
  /** Evaluate `jobs`, calling `onDone` once per job as it finishes; rejects on the first job that fails for good. */
  run(jobs: readonly RunnableJob[], onDone: (outcome: JobOutcome) => void): Promise<void>
  close(): Promise<void>
}

/** The local pool as a JobRunner: `workers` child processes (1: this process), `threads` native threads each. */
export function localRunner(options: {workers: number; threads?: number}): JobRunner {
  const pool = new EvaluationPool({workers: options.workers, threadsPerWorker: options.threads})
  const worker = `local:${os.hostname()}`
  return {
    async run(jobs, onDone) {
      await pool.run(jobs.map((j) => j.job), (index, result) => {
        onDone({id: jobs[index].id, result, worker, wallSeconds: result.seconds})
      })
    },
    async close() {
      pool.close()
    },
  }
}
