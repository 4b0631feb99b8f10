/**
 * A child process of the evaluation pool (src/evaluation/pool.ts): receives `{id, job, threads}`
 * messages, answers `{id, result}` or `{id, error}`; exits when its parent goes away.
 */
import {AxqError} from '../errors.js'
import {evaluate} from './job.js'
import type {EvaluationReply, EvaluationRequest} from './workerProtocol.js'

// With a callback a failed send (the parent has gone) is not an 'error' event: the worker just ends.
const reply = (message: EvaluationReply) => {
  if (process.connected) process.send?.(message, undefined, {}, () => {})
}

process.on('message', (message: EvaluationRequest) => {
  evaluate(message.job, {threads: message.threads}).then(
    (result) => reply({id: message.id, result}),
    (error: unknown) => {
      const e = error as Error
      reply({
        id: message.id,
        error: {message: e.message, user: error instanceof AxqError, exitCode: error instanceof AxqError ? error.exitCode : 70, subject: error instanceof AxqError ? error.subject : undefined},
      })
    },
  )
})
process.on('disconnect', () => process.exit(0))
