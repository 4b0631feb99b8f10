/**
 * `axq bench`: the reference AxConv2D loop (one thread, one table look-up per multiplication, as
 * tf-approximate's reference kernel) against the fast path (all threads), on the same inputs in
 * the same process, per layer; they must agree bit for bit. Rates come from wall time and from
 * CPU time (robust when other processes compete for the cores). Optionally an end-to-end
 * inference of a whole graph (runInference, quantized or float), with its throughput, CPU time
 * and peak memory.
 */
import {axConv, axconvInfo, axconvPreparedFilter, defaultThreads} from '../native/axconv.js'
import {AxqError} from '../errors.js'
import type {ProductTable} from '../mults/table.js'
import {layerMacs, type ConvLayer} from './convLayers.js'
import {runInference} from '../infer/inference.js'
import {syntheticInputs, type ActivationModel, type ConvInputs} from './convInputs.js'

export type {ActivationModel} from './convInputs.js'

export interface LayerBenchResult {
  name: string
  /** Multiply-accumulates per image. */
  macs: number
  /** Rates from wall time: the reference on 1 thread, the fast path on `threads`. */
  referenceGmacs: number
  fastGmacs: number
  /** Rates per CPU-second (the fast path: of all its threads, i.e. per-core throughput). */
  fastCpuGmacs: number
  referenceCpuGmacs: number
  speedup: number
  /** Best time of one call (wall), and best CPU time of one fast call. */
  referenceSeconds: number
  fastSeconds: number
  fastCpuSeconds: number
  /** One-off time to build the layer's product rows (cached across batches in a Session). */
  prepareSeconds: number
  /** The fast kernel's path ('windows': few taps, whole windows per pixel; 'rows': all product rows kept; 'rows-built': some built per call). */
  path: string
  /** Bytes of product rows kept for the layer (its precomputed data, at most 256 MiB). */
  rowBytes: number
}

export interface EndToEndResult {
  images: number
  seconds: number
  /** CPU seconds of the whole process during the run (all threads). */
  cpuSeconds: number
  imagesPerSecond: number
  peakRssMb: number
  accuracy: number
}

export interface BenchResult {
  threads: number
  fastVariant: string
  mult: string
  tune: boolean
  batch: number
  activations: ActivationModel
  layers: LayerBenchResult[]
  /** Geometric mean of the per-layer speedups. */
  speedup: number
  endToEnd: EndToEndResult | null
}

export interface BenchOptions {
  layers: readonly ConvLayer[]
  /** The product table as the kernels see it (already tuned when tuning is on). */
  table: ProductTable
  mult: string
  tune: boolean
  /** Images per layer call (synthetic inputs). */
  batch: number
  threads?: number
  activations?: ActivationModel
  /** Captured inputs by layer name (activations 'real'). */
  inputs?: Map<string, ConvInputs>
  /** Minimum measuring time of the fast path per layer, seconds. */
  minFastSeconds?: number
  onLayer?(result: LayerBenchResult): void
}

function firstMismatch(a: Int32Array, b: Int32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return a.length === b.length ? -1 : a.length
}

export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return 0
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length)
}

export async function benchLayers(options: BenchOptions): Promise<Omit<BenchResult, 'endToEnd'>> {
  const threads = options.threads ?? defaultThreads()
  const activations = options.activations ?? 'typical'
  const minFast = options.minFastSeconds ?? 0.3
  if (!Number.isInteger(options.batch) || options.batch < 1) throw new AxqError('--batch must be a positive integer', {subject: '--batch'})
  const results: LayerBenchResult[] = []
  let batch = options.batch
  for (const [index, layer] of options.layers.entries()) {
    let data: ConvInputs
    if (activations === 'real') {
      const captured = options.inputs?.get(layer.name)
      if (!captured) throw new AxqError(`layer '${layer.name}': no captured inputs (real activations need --graph and --data)`, {subject: layer.name})
      data = captured
    } else {
      data = syntheticInputs(layer, options.batch, activations, 1000 + 10 * index)
    }
    batch = data.batch
    const inputShape = [data.batch, layer.H, layer.W, layer.C]
    const filterShape = [layer.KH, layer.KW, layer.C, layer.K]
    const common = {
      input: data.input, inputShape, filter: data.filter, filterShape, table: options.table, stride: layer.stride, padding: layer.padding,
      originRule: 'tf-approximate' as const, zi: data.zi, zf: data.zf, where: `layer '${layer.name}'`,
    }
    const reference = await axConv({...common, kernel: 'reference', threads: 1})
    const prepared = axconvPreparedFilter()
    const first = await axConv({...common, kernel: 'fast', threads, prepared})
    const mismatch = firstMismatch(first.output, reference.output)
    if (mismatch !== -1) {
      throw new AxqError(`layer '${layer.name}': the fast path disagrees with the reference at output element ${mismatch} (${first.output[mismatch]} vs ${reference.output[mismatch]})`, {subject: layer.name})
    }
    // Best-of timing (as timeit does): interference from other processes only ever adds time.
    // The reference runs up to 3 times unless a run is long; the fast path (product rows already
    // prepared, as in a Session) repeats for at least --min-time seconds.
    let referenceSeconds = reference.seconds
    let referenceCpuSeconds = reference.cpuSeconds
    for (let run = 1; run < 3 && referenceSeconds < 1 && minFast > 0; run++) {
      const again = await axConv({...common, kernel: 'reference', threads: 1})
      referenceSeconds = Math.min(referenceSeconds, again.seconds)
      referenceCpuSeconds = Math.min(referenceCpuSeconds, again.cpuSeconds)
    }
    let fastTotal = 0
    let fastSeconds = Infinity
    let fastCpuSeconds = Infinity
    let calls = 0
    while (calls < 3 || (fastTotal < minFast && calls < 200)) {
      const r = await axConv({...common, kernel: 'fast', threads, prepared})
      fastTotal += r.seconds
      fastSeconds = Math.min(fastSeconds, r.seconds)
      fastCpuSeconds = Math.min(fastCpuSeconds, r.cpuSeconds)
      calls++
    }
    const macs = layerMacs(layer)
    const total = macs * data.batch
    const referenceGmacs = total / referenceSeconds / 1e9
    const fastGmacs = total / fastSeconds / 1e9
    const fastCpuGmacs = fastCpuSeconds > 0 ? total / fastCpuSeconds / 1e9 : fastGmacs
    const referenceCpuGmacs = referenceCpuSeconds > 0 ? total / referenceCpuSeconds / 1e9 : referenceGmacs
    const result: LayerBenchResult = {
      name: layer.name,
      macs,
      referenceGmacs,
      fastGmacs,
      fastCpuGmacs,
      referenceCpuGmacs,
      speedup: fastGmacs / referenceGmacs,
      referenceSeconds,
      fastSeconds,
      fastCpuSeconds,
      prepareSeconds: first.prepareSeconds,
      path: first.path,
      rowBytes: first.rowBytes,
    }
    results.push(result)
    options.onLayer?.(result)
  }
  return {
    threads,
    fastVariant: axconvInfo().fastVariant,
    mult: options.mult,
    tune: options.tune,
    batch,
    activations,
    layers: results,
    speedup: geometricMean(results.map((r) => r.speedup)),
  }
}

export interface EndToEndOptions {
  graph: string
  data: string
  mult: string
  tune: boolean
  multDirs?: string[]
  threads?: number
  batchSize: number
  iterations: number
}

/** A whole `axq infer` run, timed (wall and CPU), with the process's peak resident memory. */
export async function benchEndToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const cpu0 = process.cpuUsage()
  const result = await runInference({
    graph: options.graph,
    data: options.data,
    batchSize: options.batchSize,
    iterations: options.iterations,
    mult: options.mult,
    tune: options.tune,
    multDirs: options.multDirs,
    threads: options.threads,
  })
  const cpu = process.cpuUsage(cpu0)
  return {
    images: result.images,
    seconds: result.seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    imagesPerSecond: result.images / result.seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    accuracy: result.accuracy,
  }
}
