/**
 * `axq worker --queue URL`: takes evaluation jobs from the queue, one at a time, evaluates each in
 * a child process with the job's time limit (src/queue/timedEvaluator.ts), and posts the result.
 * A job this machine cannot run as asked (a model or data file that is missing or has another
 * checksum, an unknown multiplier) is refused: it fails at once, without retries, with the reason,
 * and the sweep that sent it stops with that line. A job that times out or whose evaluation
 * process dies is retried (BullMQ's attempts); a worker killed mid-job stops renewing the job's
 * lock, and after `lockSeconds` the job goes back to the queue for another worker.
 */
import os from 'node:os'
import {UnrecoverableError, Worker, type Job} from 'bullmq'
import {AxqError} from '../errors.js'
import type {QueueJobData, QueueJobResult} from './queueRunner.js'
import {checkRedis, QUEUE_NAME, redisOptions} from './redisConnection.js'
import {TimedEvaluator} from './timedEvaluator.js'

export interface WorkerOptions {
  url: string
  /** Shown in results and logs (default HOST:PID). */
  name?: string
  threads?: number
  /** How long a job's lock lasts without renewal: a dead worker's job is requeued after about this long. */
  lockSeconds?: number
}

export interface WorkerEvents {
  onJob?(event: {id: string; label: string; state: 'started' | 'done' | 'refused' | 'failed'; seconds?: number; accuracy?: number; message?: string}): void
}

export class QueueWorker {
  readonly name: string
  private worker: Worker | undefined
  private readonly evaluator: TimedEvaluator

  constructor(private readonly options: WorkerOptions, private readonly events: WorkerEvents = {}) {
    this.name = options.name ?? `${os.hostname()}:${process.pid}`
    this.evaluator = new TimedEvaluator(options.threads)
  }

  async start(): Promise<void> {
    await checkRedis(this.options.url)
    const lockDuration = (this.options.lockSeconds ?? 30) * 1000
    this.worker = new Worker(QUEUE_NAME, (job: Job<QueueJobData>) => this.process(job), {
      connection: redisOptions(this.options.url),
      concurrency: 1,
      lockDuration,
      stalledInterval: lockDuration,
      // a job whose worker died is requeued up to this many times before it fails
      maxStalledCount: 3,
    })
    this.worker.on('error', () => {})
    await this.worker.waitUntilReady()
  }

  /** Stop taking jobs; waits for the running one unless `force`. */
  async close(force = false): Promise<void> {
    await this.worker?.close(force)
    this.evaluator.close()
  }

  private async process(job: Job<QueueJobData>): Promise<QueueJobResult> {
    const id = job.id ?? '?'
    const {label} = job.data
    this.events.onJob?.({id, label, state: 'started'})
    const started = process.hrtime.bigint()
    const timeoutMs = job.data.timeoutSeconds ? job.data.timeoutSeconds * 1000 : undefined
    try {
      const result = await this.evaluator.evaluate(job.data.job, timeoutMs)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      this.events.onJob?.({id, label, state: 'done', seconds, accuracy: result.accuracy})
      return {result, worker: this.name, seconds}
    } catch (error) {
      const message = (error as Error).message
      if (error instanceof AxqError) {
        this.events.onJob?.({id, label, state: 'refused', message})
        throw new UnrecoverableError(`worker ${this.name} refuses it: ${message}`)
      }
      this.events.onJob?.({id, label, state: 'failed', message})
      throw new Error(`worker ${this.name}: ${message}`)
    }
  }
}
