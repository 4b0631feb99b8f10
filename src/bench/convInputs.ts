/**
 * Inputs for benchmarking a conv layer: either captured from a real inference (the graph run on
 * a batch of a data set, every AxConv2D/QuantizedConv2D node's input codes, filter codes and zero
 * points fetched from the Session), or synthetic codes shaped like what ResNet-8 feeds its
 * layers (measured on CIFAR-10: the inputs of most layers are quantized ReLU outputs whose
 * range starts below 0, so the most common code, 45–80% of all, is the zero point itself).
 */
import type {ConvLayer} from './convLayers.js'
import {readGraph} from '../graph/graphIO.js'
import {Session} from '../runtime/session.js'
import '../runtime/ops/index.js'
import {openDataset} from '../data/dataset.js'
import {requireUnsigned, resolveMultiplier} from '../mults/resolve.js'
import type {ProductTable} from '../mults/table.js'
import {quint8ZeroPoint} from '../runtime/ops/quantizedConv2D.js'
import {AxqError} from '../errors.js'
import type {Tensor} from '../core/tensor.js'

export type ActivationModel = 'typical' | 'uniform' | 'real'

export interface ConvInputs {
  /** quint8 codes NHWC, batch × H × W × C. */
  input: Uint8Array
  batch: number
  filter: Uint8Array
  zi: number
  zf: number
}

/** Small deterministic PRNG (mulberry32): synthetic inputs are the same on every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Synthetic codes. 'relu': the code `zeroPoint` with probability `floor` (the ReLU floor), else
 * zeroPoint + an exponentially distributed offset (mean 24 codes), capped at 255. 'uniform':
 * every code equally likely (an image, or the worst case for cache locality).
 */
export function syntheticCodes(size: number, kind: 'relu' | 'uniform', seed: number, zeroPoint = 0, floor = 0.5): Uint8Array {
  const rand = prng(seed)
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    if (kind === 'uniform') out[i] = Math.floor(rand() * 256)
    else out[i] = rand() < floor ? zeroPoint : Math.min(255, zeroPoint + 1 + Math.floor(-24 * Math.log(1 - rand())))
  }
  return out
}

/** Weight codes around the zero point 128, as quantize_weights produces for symmetric weights. */
export function syntheticFilter(size: number, seed: number): Uint8Array {
  const rand = prng(seed)
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
    out[i] = Math.max(0, Math.min(255, Math.round(128 + 30 * gauss)))
  }
  return out
}

/** Synthetic inputs for a layer: its `typical` statistics, or uniform codes. */
export function syntheticInputs(layer: ConvLayer, batch: number, model: 'typical' | 'uniform', seed: number): ConvInputs {
  const size = batch * layer.H * layer.W * layer.C
  const filter = layer.filter ?? syntheticFilter(layer.KH * layer.KW * layer.C * layer.K, seed + 1)
  const typical = layer.typical ?? {kind: 'relu' as const, zeroPoint: 128, floor: 0.6}
  if (model === 'uniform' || typical.kind === 'uniform') {
    return {input: syntheticCodes(size, 'uniform', seed), batch, filter, zi: typical.zeroPoint, zf: 128}
  }
  return {input: syntheticCodes(size, 'relu', seed, typical.zeroPoint, typical.floor), batch, filter, zi: typical.zeroPoint, zf: 128}
}

export interface CaptureOptions {
  graph: string
  data: string
  batch: number
  mult: string
  tune: boolean
  multDirs?: string[]
  threads?: number
}

/** Runs the graph on the first `batch` records and returns every conv node's inputs. */
export async function captureConvInputs(options: CaptureOptions, layers: readonly ConvLayer[]): Promise<Map<string, ConvInputs>> {
  const graph = readGraph(options.graph)
  const placeholders = graph.node.filter((n) => n.op === 'Placeholder' || n.op === 'PlaceholderV2')
  if (placeholders.length !== 1) throw new AxqError(`${options.graph}: expected one Placeholder, found ${placeholders.length}`, {subject: options.graph})
  const table = requireUnsigned(resolveMultiplier(options.mult, {multDirs: options.multDirs}), 'axq bench (the quint8 AxConv2D kernels)')
  for (const node of graph.node) {
    if (node.op === 'AxConv2D') {
      node.attr.AxMult = {s: new TextEncoder().encode(options.mult)}
      node.attr.AxTune = {b: options.tune}
    }
  }
  const session = new Session(graph, {threads: options.threads, resolveMultiplier: (): ProductTable => table})
  const dataset = openDataset(options.data)
  const batch = dataset.batch(0, Math.min(options.batch, dataset.count))
  const nodes = layers.map((l) => {
    const node = graph.node.find((n) => n.name === l.name)
    if (!node) throw new AxqError(`${options.graph}: no node '${l.name}'`, {subject: l.name})
    return node
  })
  const fetches = nodes.flatMap((n) => n.input.slice(0, 6))
  const values = await session.run({[placeholders[0].name]: batch.images}, fetches)
  const out = new Map<string, ConvInputs>()
  nodes.forEach((node, i) => {
    const [input, filter, minIn, maxIn, minF, maxF] = values.slice(i * 6, i * 6 + 6)
    const first = (t: Tensor) => (t.data as Float32Array)[0]
    out.set(node.name, {
      input: input.data as Uint8Array,
      batch: input.shape[0],
      filter: filter.data as Uint8Array,
      zi: quint8ZeroPoint(first(minIn), first(maxIn)),
      zf: quint8ZeroPoint(first(minF), first(maxF)),
    })
  })
  return out
}
