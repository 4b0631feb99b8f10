/**
 * `axq tune GRAPH --out OUT.pb`: bake weight tuning into a graph. For every AxConv2D node the
 * quantized filter (input 1, with its range inputs 4 and 5) is evaluated once — constant weights
 * that TensorFlow's pipeline quantizes at run time (Const → Min/Max → QuantizeV2) are folded into
 * a quint8 Const — and every weight code w is replaced by w* from the layer's tuning map. The
 * nodes then get AxMult = the multiplier and AxTune = false, and nodes nothing reads any more are
 * removed.
 *
 * What baking changes, exactly: AxConv2D computes Σ T[x][w] − x·zf − w·zi + zi·zf. AxTune replaces
 * only the table column (T[x][w*]) and keeps −w·zi; baked weights replace w everywhere, so the
 * result differs from AxTune by zi·Σ(w* − w) over the filter taps of each output channel. It is
 * bit-identical to AxTune whenever the layer's input zero point zi is 0 (inputs ranging from 0,
 * e.g. after ReLU), and otherwise a (slightly different) network whose weight codes really are w*.
 *
 * With `activationHistograms`, each layer's map minimises Σ_i h[i]·|i·w − T[i][w*]| with that
 * layer's histogram h of activation codes instead of uniform weights.
 */
import {makeAttr} from '../graph/attrs.js'
import {cloneGraph} from '../graph/graphIO.js'
import {parseInput} from '../graph/names.js'
import {constNode} from '../graph/constNodes.js'
import type {GraphDef, NodeDef} from '../graph/types.js'
import {AxqError} from '../errors.js'
import {Session} from '../runtime/session.js'
import {sinkNames} from '../graph/endpoints.js'
import '../runtime/ops/index.js'
import type {Tensor} from '../core/tensor.js'
import type {ProductTable} from './table.js'
import {tuneMapping} from './tune.js'

export const TUNABLE_OPS = new Set(['AxConv2D'])

export interface BakeOptions {
  /** Multiplier name written into AxMult. */
  mult: string
  table: ProductTable
  /** Per layer (node name) activation-code histograms (256 counts) for calibrated tuning. */
  activationHistograms?: Map<string, ArrayLike<number>>
  threads?: number
}

export interface BakedLayer {
  name: string
  /** The filter was computed at run time (QuantizeV2 of a constant) and is now a Const. */
  folded: boolean
  remapped: number
  /** Number of filter weights whose code changed. */
  changedWeights: number
  calibrated: boolean
  mapping: number[]
}

export interface BakeResult {
  graph: GraphDef
  layers: BakedLayer[]
  removedNodes: number
}

function uniqueName(taken: Set<string>, base: string): string {
  let name = base
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`
  taken.add(name)
  return name
}

export async function bakeTuning(source: GraphDef, options: BakeOptions): Promise<BakeResult> {
  const graph = cloneGraph(source)
  const sinks = sinkNames(graph)
  const targets = graph.node.filter((n) => TUNABLE_OPS.has(n.op))
  if (targets.length === 0) throw new AxqError('the graph has no AxConv2D node: nothing to tune')
  for (const node of targets) {
    if (node.input.length < 6) throw new AxqError(`node '${node.name}' (${node.op}): expected 6 inputs, has ${node.input.length}`, {subject: node.name})
  }
  // Evaluate every filter and its range once, without feeds: they must be constant.
  const session = new Session(graph, {threads: options.threads, resolveMultiplier: () => options.table})
  const fetches = targets.flatMap((n) => [n.input[1], n.input[4], n.input[5]])
  let values: Tensor[]
  try {
    values = await session.run({}, fetches)
  } catch (error) {
    throw new AxqError(`the AxConv2D filters must be constant to bake tuning into them: ${(error as Error).message}`, {cause: error})
  }
  const uniform = options.activationHistograms && options.activationHistograms.size === targets.length ? undefined : tuneMapping(options.table)
  const taken = new Set(graph.node.map((n) => n.name))
  const inserts = new Map<string, NodeDef[]>()
  const layers: BakedLayer[] = []
  targets.forEach((node, k) => {
    const [filter, min, max] = values.slice(3 * k, 3 * k + 3)
    if (filter.dtype !== 'quint8') throw new AxqError(`node '${node.name}' (${node.op}): filter is ${filter.dtype}, expected quint8`, {subject: node.name})
    const histogram = options.activationHistograms?.get(node.name)
    const map = histogram ? tuneMapping(options.table, histogram) : (uniform ?? tuneMapping(options.table))
    const codes = filter.data as Uint8Array
    const tuned = new Uint8Array(codes.length)
    let changed = 0
    for (let i = 0; i < codes.length; i++) {
      tuned[i] = map[codes[i]]
      if (tuned[i] !== codes[i]) changed++
    }
    const producer = graph.node.find((n) => n.name === parseInput(node.input[1]).node)
    const filterConst = constNode(uniqueName(taken, `${node.name}/axq_tuned_filter`), {dtype: 'quint8', shape: [...filter.shape], data: tuned}, 'auto')
    const minConst = constNode(uniqueName(taken, `${node.name}/axq_tuned_filter_min`), min, 'auto')
    const maxConst = constNode(uniqueName(taken, `${node.name}/axq_tuned_filter_max`), max, 'auto')
    inserts.set(node.name, [filterConst, minConst, maxConst])
    node.input[1] = filterConst.name
    node.input[4] = minConst.name
    node.input[5] = maxConst.name
    node.attr.AxMult = makeAttr.string(options.mult)
    node.attr.AxTune = makeAttr.bool(false)
    layers.push({
      name: node.name,
      folded: producer?.op !== 'Const',
      remapped: map.reduce((s, v, w) => s + (v !== w ? 1 : 0), 0),
      changedWeights: changed,
      calibrated: Boolean(histogram),
      mapping: Array.from(map),
    })
  })
  // New Consts go right before their consumer; then keep only what the original sinks need.
  graph.node = graph.node.flatMap((n) => [...(inserts.get(n.name) ?? []), n])
  const byName = new Map(graph.node.map((n) => [n.name, n]))
  const keep = new Set<string>()
  const stack = [...sinks]
  while (stack.length > 0) {
    const name = stack.pop() as string
    if (keep.has(name)) continue
    keep.add(name)
    for (const input of byName.get(name)?.input ?? []) stack.push(parseInput(input).node)
  }
  const before = graph.node.length
  graph.node = graph.node.filter((n) => keep.has(n.name) || n.op === 'Placeholder' || n.op === 'PlaceholderV2')
  return {graph, layers, removedNodes: before - graph.node.length}
}

/**
 * Activation-code histograms of every AxConv2D input (input 0, quint8) over calibration images,
 * with all AxConv2D nodes running `mult` with uniform tuning upstream. Padding taps (which use the
 * zero-point code) are not counted.
 */
export async function activationHistograms(
  graph: GraphDef,
  options: {mult: string; table: ProductTable; input: string; batches: Tensor[]; threads?: number},
): Promise<Map<string, Float64Array>> {
  const g = cloneGraph(graph)
  const targets = g.node.filter((n) => TUNABLE_OPS.has(n.op))
  for (const n of targets) {
    n.attr.AxMult = makeAttr.string(options.mult)
    n.attr.AxTune = makeAttr.bool(true)
  }
  const session = new Session(g, {threads: options.threads, resolveMultiplier: () => options.table})
  const hist = new Map(targets.map((n) => [n.name, new Float64Array(256)]))
  for (const images of options.batches) {
    const outs = await session.run({[options.input]: images}, targets.map((n) => n.input[0]))
    outs.forEach((t, k) => {
      if (t.dtype !== 'quint8') throw new AxqError(`node '${targets[k].name}': input is ${t.dtype}, expected quint8`, {subject: targets[k].name})
      const h = hist.get(targets[k].name) as Float64Array
      for (const code of t.data as Uint8Array) h[code]++
    })
  }
  return hist
}
