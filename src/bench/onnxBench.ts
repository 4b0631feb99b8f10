/**
 * `axq bench --graph MODEL.onnx --data D`: timed end-to-end inferences of an ONNX model, with
 * the approximate table (--mult) and, when that is not the exact product, again with the exact
 * one. Per layer (QLinearConv, fused QDQ convolutions, QGemm, QLinearMatMul, and float Conv,
 * Gemm, MatMul): shapes, kind (conv, depthwise, grouped, dense), MACs per image, time and CPU
 * time over the run, GMAC/s from both; the rest of the time per op type; the whole run's wall
 * and CPU time and GMAC/s over all layers' MACs.
 */
import {runInference} from '../infer/inference.js'
import {summarizeOnnx} from '../formats/onnx/onnxSummary.js'
import type {LayerSummary} from '../graph/graphSummary.js'
import type {EndToEndOptions} from './convBench.js'

export type OnnxLayerKind = 'conv' | 'depthwise' | 'grouped' | 'dense'

export interface OnnxLayerTiming {
  name: string
  op: string
  kind: OnnxLayerKind
  /** Groups of a convolution (1 for dense layers). */
  group: number
  inputShape: number[] | null
  filterShape: number[] | null
  outputShape: number[] | null
  strides: number[] | null
  macsPerImage: number | null
  calls: number
  seconds: number
  /** Process CPU seconds (all threads) while the layer ran. */
  cpuSeconds: number
  /** MACs over the run / wall seconds and / CPU seconds, in 10⁹ per second. */
  gmacsPerSecond: number | null
  gmacsPerCpuSecond: number | null
  /** Share of the whole run's CPU seconds. */
  cpuShare: number
}

export interface OnnxRunTiming {
  mult: string
  tune: boolean
  images: number
  seconds: number
  /** CPU seconds of the whole process during the run (all threads). */
  cpuSeconds: number
  imagesPerSecond: number
  gmacsPerSecond: number
  gmacsPerCpuSecond: number
  accuracy: number
  layers: OnnxLayerTiming[]
  /** Everything else, per op type. */
  otherOps: {op: string; calls: number; seconds: number; cpuSeconds: number}[]
}

export interface OnnxBenchResult {
  graph: string
  macsPerImage: number
  /** The run with --mult first, then (when --mult is not exact) the exact one. */
  runs: OnnxRunTiming[]
}

export interface OnnxBenchOptions extends EndToEndOptions {
  /** Also run with this (exact) multiplier when it differs from `mult`. */
  exactMult?: string
}

function layerKind(l: LayerSummary): {kind: OnnxLayerKind; group: number} {
  const x = l.inputShape
  const w = l.filterShape
  if (!x || !w || w.length !== 4 || x.length !== 4) return {kind: w && w.length === 4 ? 'conv' : 'dense', group: 1}
  const group = Math.max(1, Math.round(x[1] / w[1]))
  return {kind: group === 1 ? 'conv' : group === x[1] ? 'depthwise' : 'grouped', group}
}

async function timedRun(options: EndToEndOptions, layers: LayerSummary[], macsPerImage: number): Promise<OnnxRunTiming> {
  const cpu0 = process.cpuUsage()
  const r = await runInference({...options, profile: true, profileNodes: true})
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const byNode = new Map((r.nodeProfile ?? []).map((p) => [p.node, p]))
  const layerNames = new Set(layers.map((l) => l.name))
  const timings = layers.map((l): OnnxLayerTiming => {
    const p = byNode.get(l.name)
    const macs = l.macsPerImage === null ? null : l.macsPerImage * r.images
    const seconds = p?.seconds ?? 0
    const cpu = p?.cpuSeconds ?? 0
    return {
      name: l.name,
      op: p?.op ?? l.op,
      ...layerKind(l),
      inputShape: l.inputShape,
      filterShape: l.filterShape,
      outputShape: l.outputShape,
      strides: l.strides,
      macsPerImage: l.macsPerImage,
      calls: p?.calls ?? 0,
      seconds,
      cpuSeconds: cpu,
      gmacsPerSecond: macs !== null && seconds > 0 ? macs / seconds / 1e9 : null,
      gmacsPerCpuSecond: macs !== null && cpu > 0 ? macs / cpu / 1e9 : null,
      cpuShare: cpuSeconds > 0 ? cpu / cpuSeconds : 0,
    }
  })
  const other = new Map<string, {op: string; calls: number; seconds: number; cpuSeconds: number}>()
  for (const p of r.nodeProfile ?? []) {
    if (layerNames.has(p.node)) continue
    const o = other.get(p.op) ?? {op: p.op, calls: 0, seconds: 0, cpuSeconds: 0}
    o.calls += p.calls
    o.seconds += p.seconds
    o.cpuSeconds += p.cpuSeconds
    other.set(p.op, o)
  }
  const total = macsPerImage * r.images
  return {
    mult: options.mult,
    tune: options.tune,
    images: r.images,
    seconds: r.seconds,
    cpuSeconds,
    imagesPerSecond: r.images / r.seconds,
    gmacsPerSecond: total / r.seconds / 1e9,
    gmacsPerCpuSecond: total / cpuSeconds / 1e9,
    accuracy: r.accuracy,
    layers: timings,
    otherOps: [...other.values()].sort((a, b) => b.cpuSeconds - a.cpuSeconds),
  }
}

export async function benchOnnx(options: OnnxBenchOptions, onRun?: (run: OnnxRunTiming) => void): Promise<OnnxBenchResult> {
  const summary = await summarizeOnnx(options.graph)
  const runs: OnnxRunTiming[] = []
  const mults = [options.mult, ...(options.exactMult && options.exactMult !== options.mult ? [options.exactMult] : [])]
  for (const mult of mults) {
    const run = await timedRun({...options, mult, tune: mult === options.mult ? options.tune : false}, summary.layers, summary.macsPerImage)
    onRun?.(run)
    runs.push(run)
  }
  return {graph: options.graph, macsPerImage: summary.macsPerImage, runs}
}
