/**
 * Evaluation jobs on a local pool of child processes (one Session each, `threadsPerWorker`
 * native threads). With one worker the jobs run in this process. Results come back in job
 * order whatever order they finish in, so callers see the same thing for any pool size.
 */
import type {ChildProcess} from 'node:child_process'
import {AxqError} from '../errors.js'
import {evaluate, type EvaluationJob, type EvaluationResult} from './job.js'
import {forkEvaluationWorker, replyOutcome, type EvaluationReply} from './workerProtocol.js'

export interface PoolOptions {
  /** Child processes (≤ 1: evaluate in this process). */
  workers: number
  /** Native threads per evaluation (default 1 with several workers, all cores with one). */
  threadsPerWorker?: number
}

/**
 * What runs batches of evaluation jobs: this pool, or another runner with the same contract
 * (src/queue/queueEvaluator.ts hands the jobs to \`axq worker\` processes through Redis).
 */
export interface JobEvaluator {
  /** Evaluate `jobs`; results in job order, `onResult` as each finishes. */
  run(jobs: readonly EvaluationJob[], onResult?: (index: number, result: EvaluationResult) => void): Promise<EvaluationResult[]>
  close(): void
}

export class EvaluationPool implements JobEvaluator {
  private readonly children: ChildProcess[] = []
  private nextId = 0

  constructor(private readonly options: PoolOptions) {}

  get size(): number {
    return Math.max(1, this.options.workers)
  }

  /** Evaluate `jobs`; `onResult` is called as each finishes (in completion order). */
  async run(jobs: readonly EvaluationJob[], onResult?: (index: number, result: EvaluationResult) => void): Promise<EvaluationResult[]> {
    const results: EvaluationResult[] = new Array(jobs.length)
    if (this.options.workers <= 1) {
      for (let i = 0; i < jobs.length; i++) {
        results[i] = await evaluate(jobs[i], {threads: this.options.threadsPerWorker})
        onResult?.(i, results[i])
      }
      return results
    }
    while (this.children.length < Math.min(this.options.workers, Math.max(jobs.length, 1))) this.children.push(this.spawn())
    let next = 0
    let failed: Error | undefined
    const busy = this.children.slice(0, Math.min(this.children.length, jobs.length)).map(async (child) => {
      while (next < jobs.length && !failed) {
        const index = next++
        try {
          results[index] = await this.send(child, jobs[index])
          onResult?.(index, results[index])
        } catch (error) {
          failed ??= error as Error
        }
      }
    })
    await Promise.all(busy)
    if (failed) throw failed
    return results
  }

  close(): void {
    for (const child of this.children.splice(0)) if (child.connected) child.disconnect()
  }

  private spawn(): ChildProcess {
    const child = forkEvaluationWorker()
    child.setMaxListeners(0)
    return child
  }

  private send(child: ChildProcess, job: EvaluationJob): Promise<EvaluationResult> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const onMessage = (reply: EvaluationReply) => {
        if (reply.id !== id) return
        cleanup()
        const outcome = replyOutcome(reply)
        if ('result' in outcome) resolve(outcome.result)
        else reject(outcome.error)
      }
      const onExit = (code: number | null, signal: string | null) => {
        cleanup()
        reject(new AxqError(`an evaluation worker stopped (${signal ?? `exit code ${code}`})`, {exitCode: 70}))
      }
      const cleanup = () => {
        child.off('message', onMessage)
        child.off('exit', onExit)
      }
      child.on('message', onMessage)
      child.on('exit', onExit)
      child.send({id, job, threads: this.options.threadsPerWorker ?? 1})
    })
  }
}

/** Evaluate jobs on a temporary pool. */
export async function evaluateAll(jobs: readonly EvaluationJob[], options: PoolOptions, onResult?: (index: number, result: EvaluationResult) => void): Promise<EvaluationResult[]> {
  const pool = new EvaluationPool(options)
  try {
    return await pool.run(jobs, onResult)
  } finally {
    pool.close()
  }
}
