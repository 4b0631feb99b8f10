/**
 * The evaluation contract of the local pool (src/evaluation/pool.ts: jobs in, results in job
 * order) over the Redis queue, so that `axq search --queue URL` runs its evaluations on
 * `axq worker` processes. Jobs get the sweep's content ids (src/sweep/grid.ts).
 */
import type {EvaluationJob, EvaluationResult} from '../evaluation/job.js'
import type {JobEvaluator} from '../evaluation/pool.js'
import {evaluationJobId, jobLabel, multipliersOf, tableChecksums} from '../sweep/grid.js'
import type {QueueRunner} from './queueRunner.js'

export class QueueEvaluator implements JobEvaluator {
  private readonly checksums = new Map<string, string>()

  constructor(private readonly runner: QueueRunner) {}

  async run(jobs: readonly EvaluationJob[], onResult?: (index: number, result: EvaluationResult) => void): Promise<EvaluationResult[]> {
    const results: EvaluationResult[] = new Array(jobs.length)
    const positions = new Map<string, number[]>()
    const runnable = []
    for (const [index, job] of jobs.entries()) {
      const id = evaluationJobId(job, tableChecksums(multipliersOf(job), job.multDirs, this.checksums))
      const at = positions.get(id)
      if (at) at.push(index)
      else {
        positions.set(id, [index])
        runnable.push({id, label: jobLabel(job), job})
      }
    }
    await this.runner.run(runnable, (outcome) => {
      for (const index of positions.get(outcome.id) ?? []) {
        results[index] = outcome.result
        onResult?.(index, outcome.result)
      }
    })
    return results
  }

  /** The runner's connections are closed by whoever opened it (`await runner.close()`). */
  close(): void {}
}
