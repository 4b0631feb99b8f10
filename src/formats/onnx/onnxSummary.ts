/**
 * `axq inspect` for ONNX models: nodes, ops, inputs, outputs and the multiply-heavy layers
 * (Conv, QLinearConv, Gemm, QGemm, MatMul, QLinearMatMul) with shapes and multiplications per
 * image. Shapes come from running the model once on one zero image (symbolic sizes as 1), so
 * they are the shapes the executor really uses. MACs count what a layer computes: output
 * positions × (input channels / group) × kernel size.
 */
import {makeTensor, numElements} from '../../core/tensor.js'
import type {GraphSummary, LayerSummary} from '../../graph/graphSummary.js'
import {readOnnxModel} from './onnxModel.js'
import {OnnxSession} from './onnxSession.js'
import {readAttr} from '../../graph/attrs.js'

const CONV_OPS = new Set(['Conv', 'QLinearConv'])
const LAYER_OPS = new Set(['Conv', 'QLinearConv', 'Gemm', 'QGemm', 'MatMul', 'QLinearMatMul'])

export async function summarizeOnnx(file: string, inputShapes: Record<string, number[]> = {}): Promise<GraphSummary> {
  const model = readOnnxModel(file)
  const nodes = model.graph.node.filter((n) => model.domains.get(n.name) !== 'tf')
  const ops: Record<string, number> = {}
  for (const n of nodes) ops[n.op] = (ops[n.op] ?? 0) + 1
  const sortedOps = Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
  const layers = nodes.filter((n) => LAYER_OPS.has(n.op))
  const feeds = Object.fromEntries(
    model.inputs.map((i) => {
      const shape = inputShapes[i.name] ?? (i.shape ?? [1]).map((d) => (d > 0 ? d : 1))
      return [i.name, makeTensor(i.dtype ?? 'float32', shape)]
    }),
  )
  const session = new OnnxSession(model, {threads: 1})
  // Fetch every layer's data input and output by executor key.
  const fetchKeys = layers.flatMap((n) => [n.input[0], `${n.name}:0`])
  const all = {...model.constants}
  for (const [name, t] of Object.entries(feeds)) all[session.key(name)] = t
  const values = fetchKeys.length > 0 ? await session.session.run(all, fetchKeys) : []
  const summaries: LayerSummary[] = layers.map((n, i) => {
    const x = values[2 * i].shape
    const y = values[2 * i + 1].shape
    const weightKey = n.input[n.op.startsWith('Q') ? 3 : 1]
    const w = model.constants[weightKey]?.shape ?? null
    let macs: number | null = null
    if (CONV_OPS.has(n.op) && w && y.length === 4) macs = numElements(y.slice(1)) * numElements(w.slice(1))
    else if (w && w.length === 2) macs = numElements(y.slice(1)) * (x[x.length - 1] ?? 0)
    const strides = n.attr.strides ? (n.attr.strides.list?.i ?? []).map(Number) : CONV_OPS.has(n.op) ? [1, 1] : null
    const padding = n.attr.pads ? `pads ${(n.attr.pads.list?.i ?? []).map(Number).join(',')}` : n.attr.auto_pad ? readAttr.string(n.attr.auto_pad) : null
    const group = n.attr.group ? Number(n.attr.group.i) : 1
    return {name: n.name, op: group > 1 ? `${n.op}(group ${group})` : n.op, inputShape: x, filterShape: w, outputShape: y, strides, padding, macsPerImage: macs, outputMacsPerImage: macs}
  })
  const total = summaries.reduce((s, l) => s + (l.macsPerImage ?? 0), 0)
  const batch = Object.values(feeds)[0]?.shape[0] ?? 1
  return {
    nodes: nodes.length,
    ops: sortedOps,
    inputs: model.inputs.map((i) => i.name),
    inputDetails: model.inputs.map((i) => ({name: i.name, dtype: i.dtype ?? null, shape: i.shape ?? null})),
    outputs: model.outputs.map((o) => o.name),
    layers: summaries,
    macsPerImage: total / batch,
    unknownLayers: summaries.filter((l) => l.macsPerImage === null).map((l) => l.name),
  }
}
