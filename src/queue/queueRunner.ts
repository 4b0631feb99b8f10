/**
 * A JobRunner over a BullMQ queue on Redis (`axq sweep --queue URL`, `axq search --queue URL`):
 * every job is added under its stable id, `axq worker` processes take them, and the results come
 * back through the queue's event stream. BullMQ gives the retries: a worker that dies mid-job
 * stops renewing its lock and the job goes back to the queue for another worker (`attempts`
 * covers jobs that fail or time out). A job already completed in the queue (an earlier, killed
 * run) is not run again. Each job's result is reported once.
 */
import {Job, Queue, QueueEvents} from 'bullmq'
import {AxqError} from '../errors.js'
import type {EvaluationJob, EvaluationResult} from '../evaluation/job.js'
import type {JobOutcome, JobRunner, RunnableJob} from '../sweep/runner.js'
import {checkRedis, QUEUE_NAME, redisOptions} from './redisConnection.js'

/** What a queue job carries. */
export interface QueueJobData {
  job: EvaluationJob
  /** Per-job time limit the worker enforces. */
  timeoutSeconds?: number
  /** For the worker's log: "mul8u_L40 tune". */
  label: string
}

/** What a worker returns. */
export interface QueueJobResult {
  result: EvaluationResult
  worker: string
  seconds: number
}

export interface QueueRunnerOptions {
  url: string
  timeoutSeconds?: number
  /** Tries per job when it fails or times out (a worker dying mid-job is retried on top of this). */
  attempts?: number
  /** Queue notices (a job stalled and went back to the queue). */
  onNotice?: (message: string) => void
}

const KEEP = {age: 7 * 24 * 3600, count: 100_000}

export class QueueRunner implements JobRunner {
  private queue: Queue | undefined
  private events: QueueEvents | undefined

  constructor(private readonly options: QueueRunnerOptions) {}

  /** Check the server and subscribe to the queue's events. */
  async open(): Promise<void> {
    await checkRedis(this.options.url)
    const connection = redisOptions(this.options.url)
    this.queue = new Queue(QUEUE_NAME, {connection})
    this.events = new QueueEvents(QUEUE_NAME, {connection})
    this.queue.on('error', () => {})
    this.events.on('error', () => {})
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()])
  }

  /** Enqueue the jobs and wait for all of them; `onDone` once per job, in completion order. */
  async run(jobs: readonly RunnableJob[], onDone: (outcome: JobOutcome) => void): Promise<void> {
    if (!this.queue) await this.open()
    const queue = this.queue!
    const events = this.events!
    const pending = new Map(jobs.map((j) => [j.id, j]))
    await new Promise<void>((resolve, reject) => {
      let finished = false
      const finish = (error?: Error) => {
        if (finished) return
        finished = true
        events.off('completed', onCompleted)
        events.off('failed', onFailed)
        events.off('stalled', onStalled)
        clearInterval(sweepTimer)
        if (error) reject(error)
        else resolve()
      }
      const settle = (job: Job | undefined | null) => {
        if (!job?.id || !pending.has(job.id) || finished) return
        const value = job.returnvalue as QueueJobResult | null
        if (!value?.result) return
        pending.delete(job.id)
        try {
          onDone({id: job.id, result: value.result, worker: value.worker, wallSeconds: value.seconds})
        } catch (error) {
          finish(error as Error)
          return
        }
        if (pending.size === 0) finish()
      }
      const fail = (id: string, reason: string) => {
        const job = pending.get(id)
        if (!job || finished) return
        finish(new AxqError(`job ${id} (${job.label}) failed: ${reason}`))
      }
      const onCompleted = ({jobId}: {jobId: string}) => {
        if (pending.has(jobId)) void Job.fromId(queue, jobId).then(settle, () => {})
      }
      const onFailed = ({jobId, failedReason}: {jobId: string; failedReason: string}) => fail(jobId, failedReason)
      const onStalled = ({jobId}: {jobId: string}) => {
        const job = pending.get(jobId)
        if (job) this.options.onNotice?.(`job ${jobId} (${job.label}) stalled (its worker stopped?): back in the queue`)
      }
      events.on('completed', onCompleted)
      events.on('failed', onFailed)
      events.on('stalled', onStalled)
      // Events can be missed across a reconnect: look at the outstanding jobs now and then.
      const reconcile = async () => {
        for (const id of [...pending.keys()]) {
          if (finished) return
          const job = await Job.fromId(queue, id)
          if (!job) continue
          const state = await job.getState()
          if (state === 'completed') settle(job)
          else if (state === 'failed') fail(id, job.failedReason)
        }
      }
      const sweepTimer = setInterval(() => void reconcile().catch(() => {}), 10_000)
      const enqueue = async () => {
        for (const j of jobs) {
          const data: QueueJobData = {job: j.job, label: j.label, ...(this.options.timeoutSeconds ? {timeoutSeconds: this.options.timeoutSeconds} : {})}
          const existing = await Job.fromId(queue, j.id)
          if (existing && (await existing.getState()) === 'failed') await existing.remove()
          await queue.add('evaluate', data, {
            jobId: j.id,
            attempts: this.options.attempts ?? 2,
            backoff: {type: 'fixed', delay: 1000},
            removeOnComplete: KEEP,
            removeOnFail: KEEP,
          })
        }
        // Jobs completed before this run (or before the subscription) report now.
        await reconcile()
      }
      enqueue().catch((error: Error) => finish(new AxqError(`--queue ${this.options.url}: ${error.message}`, {cause: error})))
    })
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events?.close(), this.queue?.close()])
  }
}
