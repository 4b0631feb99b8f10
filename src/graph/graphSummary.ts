/**
 * What `axq inspect` reports about a graph: node and op counts, inputs (placeholders) and outputs
 * (sinks), and every multiply-heavy layer (Conv2D, QuantizedConv2D, AxConv2D, MatMul) with its
 * shapes and multiplications per image.
 *
 * Multiplications per image follow the convention of axq's issue tracker for ALWANN-style
 * reports: a convolution counts `input height × input width × filter height × filter width ×
 * input channels × output channels` (every input position, so a stride-2 layer counts as much as
 * a stride-1 one); a MatMul counts `inner × output columns` per row. `outputShape` is reported
 * beside it for the strided view.
 */
import type {GraphDef} from './types.js'
import {inferShapes} from './shapeInference.js'
import {int64ToNumber} from './attrs.js'
import {placeholderNames, sinkNames} from './endpoints.js'
import {dtypeFromEnum} from '../core/tensor.js'

export const LAYER_OPS = new Set(['Conv2D', 'QuantizedConv2D', 'AxConv2D', 'MatMul'])

export interface LayerSummary {
  name: string
  op: string
  inputShape: number[] | null
  filterShape: number[] | null
  outputShape: number[] | null
  strides: number[] | null
  padding: string | null
  macsPerImage: number | null
  /** Multiplications a strided implementation performs: output positions × filter size. */
  outputMacsPerImage: number | null
}

export interface GraphSummary {
  nodes: number
  ops: Record<string, number>
  inputs: string[]
  inputDetails: {name: string; dtype: string | null; shape: number[] | null}[]
  outputs: string[]
  layers: LayerSummary[]
  /** Sum over the layers whose multiplications are known (see unknownLayers). */
  macsPerImage: number
  /** Layers whose shapes (hence multiplications) are unknown, left out of macsPerImage. */
  unknownLayers: string[]
}

function product(dims: number[]): number {
  return dims.reduce((p, d) => p * d, 1)
}

export function summarizeGraph(graph: GraphDef, inputShapes: Record<string, number[]> = {}): GraphSummary {
  const ops: Record<string, number> = {}
  for (const n of graph.node) ops[n.op] = (ops[n.op] ?? 0) + 1
  const sortedOps = Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
  const shapes = inferShapes(graph, inputShapes)
  const inputs = placeholderNames(graph)
  const byName = new Map(graph.node.map((n) => [n.name, n]))
  const inputDetails = inputs.map((name) => {
    const node = byName.get(name)!
    const t = node.attr?.dtype?.type
    let dtype: string | null = null
    try {
      dtype = t === undefined ? null : dtypeFromEnum(t)
    } catch {
      dtype = null
    }
    return {name, dtype, shape: shapes.shape(name) ?? null}
  })
  const layers: LayerSummary[] = []
  let total = 0
  const unknownLayers: string[] = []
  for (const node of graph.node) {
    if (!LAYER_OPS.has(node.op)) continue
    const data = node.input.filter((s) => !s.startsWith('^'))
    const input = data[0] === undefined ? undefined : shapes.shape(data[0])
    const filter = data[1] === undefined ? undefined : shapes.shape(data[1])
    const output = shapes.shape(node.name)
    let macs: number | null = null
    let outputMacs: number | null = null
    if (node.op === 'MatMul') {
      if (filter && filter.length === 2 && filter.every((d) => d >= 0)) macs = outputMacs = filter[0] * filter[1]
    } else if (input && filter && input.length === 4 && filter.length === 4) {
      const nchw = new TextDecoder().decode(node.attr.data_format?.s ?? new Uint8Array()).startsWith('NC')
      const spatial = nchw ? [input[2], input[3]] : [input[1], input[2]]
      const kernel = filter[0] * filter[1] * filter[2]
      if ([...spatial, ...filter].every((d) => d >= 0)) macs = product(spatial) * product(filter)
      const outSpatial = output && output.length === 4 ? (nchw ? [output[2], output[3]] : [output[1], output[2]]) : undefined
      const outC = output && output.length === 4 ? output[nchw ? 1 : 3] : -1
      if (outSpatial && [...outSpatial, outC].every((d) => d >= 0) && kernel >= 0) outputMacs = product(outSpatial) * outC * kernel
    }
    if (macs !== null) total += macs
    else unknownLayers.push(node.name)
    const strides = node.attr.strides?.list?.i?.map(int64ToNumber) ?? null
    const padding = node.attr.padding?.s ? new TextDecoder().decode(node.attr.padding.s) : null
    layers.push({
      name: node.name,
      op: node.op,
      inputShape: input ?? null,
      filterShape: filter ?? null,
      outputShape: output ?? null,
      strides,
      padding,
      macsPerImage: macs,
      outputMacsPerImage: outputMacs,
    })
  }
  return {nodes: graph.node.length, ops: sortedOps, inputs, inputDetails, outputs: sinkNames(graph), layers, macsPerImage: total, unknownLayers}
}
