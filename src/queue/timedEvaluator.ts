/**
 * Evaluation jobs in a child process (src/evaluation/worker.ts, the local pool's child) with a
 * time limit: a job that overruns kills the child, which is started afresh for the next job. The
 * queue worker's own event loop stays free, so it keeps renewing its job locks while a job runs.
 */
import type {ChildProcess} from 'node:child_process'
import type {EvaluationJob, EvaluationResult} from '../evaluation/job.js'
import {forkEvaluationWorker, replyOutcome, type EvaluationReply} from '../evaluation/workerProtocol.js'

/** The job ran longer than its limit (the queue retries it elsewhere). */
export class JobTimeout extends Error {}

export class TimedEvaluator {
  private child: ChildProcess | undefined
  private nextId = 0

  constructor(private readonly threads?: number) {}

  evaluate(job: EvaluationJob, timeoutMs: number | undefined): Promise<EvaluationResult> {
    const child = (this.child ??= this.spawn())
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        cleanup()
        this.kill()
        reject(new JobTimeout(`timed out after ${timeoutMs / 1000} s`))
      }, timeoutMs)
      const onMessage = (reply: EvaluationReply) => {
        if (reply.id !== id) return
        cleanup()
        const outcome = replyOutcome(reply)
        if ('result' in outcome) resolve(outcome.result)
        else reject(outcome.error)
      }
      const onExit = (code: number | null, signal: string | null) => {
        cleanup()
        this.child = undefined
        reject(new Error(`the evaluation process stopped (${signal ?? `exit code ${code}`})`))
      }
      const cleanup = () => {
        if (timer) clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
      }
      child.on('message', onMessage)
      child.on('exit', onExit)
      child.send({id, job, threads: this.threads})
    })
  }

  close(): void {
    if (this.child?.connected) this.child.disconnect()
    this.child = undefined
  }

  private kill(): void {
    this.child?.kill('SIGKILL')
    this.child = undefined
  }

  private spawn(): ChildProcess {
    return forkEvaluationWorker()
  }
}
