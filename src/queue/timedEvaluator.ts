/**
 * Evaluation jobs in a child process (src/evaluation/worker.ts, the local pool's child) with a
 * time limit: a job that overruns kills the child, which is started afresh for the next job. The
 * queue worker's own event loop stays free, so it keeps renewing its job locks while a job runs.
 */
import {fork, type ChildProcess} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {AxqError} from '../errors.js'
import type {EvaluationJob, EvaluationResult} from '../evaluation/job.js'

const childScript = fileURLToPath(new URL('../evaluation/worker.js', import.meta.url))

/** The job ran longer than its limit (the queue retries it elsewhere). */
export class JobTimeout extends Error {}

interface Reply {
  id: number
  result?: EvaluationResult
  error?: {message: string; user: boolean; exitCode: number; subject?: string}
}

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
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return
        cleanup()
        if (reply.result) resolve(reply.result)
        else {
          const e = reply.error!
          reject(e.user ? new AxqError(e.message, {exitCode: e.exitCode, subject: e.subject}) : new Error(e.message))
        }
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
    return fork(childScript, [], {stdio: ['ignore', 'ignore', 'inherit', 'ipc']})
  }
}
