/**
 * The messages between a parent and an evaluation child process (src/evaluation/worker.ts):
 * the parent sends `{id, job, threads}`, the child answers `{id, result}` or `{id, error}`.
 * Used by the local pool (pool.ts) and the queue worker's timed evaluator (src/queue/).
 */
import {fork, type ChildProcess} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {AxqError} from '../errors.js'
import type {EvaluationJob, EvaluationResult} from './job.js'

export interface EvaluationRequest {
  id: number
  job: EvaluationJob
  threads?: number
}

export interface EvaluationReply {
  id: number
  result?: EvaluationResult
  error?: {message: string; user: boolean; exitCode: number; subject?: string}
}

const workerScript = fileURLToPath(new URL('./worker.js', import.meta.url))

/** A new evaluation child process (stdout ignored, stderr shared). */
export function forkEvaluationWorker(): ChildProcess {
  return fork(workerScript, [], {stdio: ['ignore', 'ignore', 'inherit', 'ipc']})
}

/** The reply as a result, or as the error to reject with (user errors stay AxqErrors). */
export function replyOutcome(reply: EvaluationReply): {result: EvaluationResult} | {error: Error} {
  if (reply.result) return {result: reply.result}
  const e = reply.error!
  return {error: e.user ? new AxqError(e.message, {exitCode: e.exitCode, subject: e.subject}) : new Error(e.message)}
}
