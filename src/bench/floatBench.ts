/**
 * `axq bench --float`: the warm CPU time of a float graph's inference, measured the way
 * scripts/speed/tf_float_resnet8.py measures TensorFlow (one session, one warm-up run, then timed
 * runs), so that the two can be run interleaved and compared.
 *
 * The model is opened once (runInference with 1 + runs batches): the first batch warms up (reads
 * the Consts, fills the Session's buffer pools); every following batch is timed, in CPU seconds
 * of the whole process (all threads, user + system):
 * - `cpuSeconds`: from the decoded images to the predictions (the graph, then the arg-max over
 *   [batch, classes] logits) — what TensorFlow's script times (`sess.run` on decoded images);
 * - `batchCpuSeconds`: from the end of the previous batch, i.e. also decoding the records;
 * and in wall seconds (runInference's per-batch time, decoding included).
 */
import {runInference} from '../infer/inference.js'

export interface FloatBenchOptions {
  graph: string
  data: string
  threads?: number
  batchSize: number
  /** Timed batches after the warm-up batch. */
  runs: number
  /** Any multiplier name: a float graph has no approximate layer, so it is never used. */
  mult: string
}

export interface FloatBenchRun {
  images: number
  seconds: number
  cpuSeconds: number
  batchCpuSeconds: number
  accuracy: number
}

export interface FloatBenchResult {
  warmup: FloatBenchRun
  runs: FloatBenchRun[]
  /** Median and best CPU seconds (graph + arg-max) of one timed batch. */
  medianCpuSeconds: number
  bestCpuSeconds: number
  /** The timed batches together. */
  images: number
  seconds: number
  /** Sums over the timed batches: graph + arg-max, and with decoding. */
  cpuSeconds: number
  batchCpuSeconds: number
  imagesPerSecond: number
  accuracy: number
  peakRssMb: number
}

function cpuNow(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

export async function benchFloat(options: FloatBenchOptions): Promise<FloatBenchResult> {
  const measured: FloatBenchRun[] = []
  let batchStart = cpuNow()
  let graphStart = batchStart
  await runInference(
    {graph: options.graph, data: options.data, batchSize: options.batchSize, iterations: options.runs + 1, mult: options.mult, tune: false, threads: options.threads},
    {
      onBatchDecoded() {
        graphStart = cpuNow()
      },
      onRun(_index, run) {
        const now = cpuNow()
        measured.push({images: run.images, seconds: run.seconds, cpuSeconds: now - graphStart, batchCpuSeconds: now - batchStart, accuracy: run.accuracy})
        batchStart = now
      },
    },
  )
  const [warmup, ...runs] = measured
  const cpus = runs.map((r) => r.cpuSeconds).sort((a, b) => a - b)
  const images = runs.reduce((s, r) => s + r.images, 0)
  const seconds = runs.reduce((s, r) => s + r.seconds, 0)
  return {
    warmup,
    runs,
    medianCpuSeconds: cpus.length % 2 ? cpus[(cpus.length - 1) / 2] : (cpus[cpus.length / 2 - 1] + cpus[cpus.length / 2]) / 2,
    bestCpuSeconds: cpus[0],
    images,
    seconds,
    cpuSeconds: runs.reduce((s, r) => s + r.cpuSeconds, 0),
    batchCpuSeconds: runs.reduce((s, r) => s + r.batchCpuSeconds, 0),
    imagesPerSecond: images / seconds,
    accuracy: runs.reduce((s, r) => s + r.accuracy, 0) / runs.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
}
