/**
 * What both of onnxruntime's static quantization rewrites (QDQ, QOperator) start from: the
 * options, the op types quantize_static quantizes by default, and the working copy of the model
 * with its initializers and the activation parameters of every calibrated tensor (after
 * onnxruntime's range adjustments).
 */
import {activationParams, type QuantParams, type QuantType, type TensorRange} from './params.js'
import {adjustRanges} from './ranges.js'
import {onnx, opsetOf, type GraphProto, type ModelProto, type NodeProto, type TensorProto} from './tensorProto.js'

export interface QuantizeOptions {
  activationType: QuantType
  weightType: QuantType
  perChannel: boolean
  reduceRange: boolean
  /** names of nodes to leave float */
  nodesToExclude: ReadonlySet<string>
}

/** Every op onnxruntime's quantize_static quantizes by default (both formats' registries). */
export const QUANTIZED_OP_TYPES = new Set([
  'ArgMax', 'Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Mul', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid',
  'MaxPool', 'GlobalAveragePool', 'Split', 'Pad', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Resize',
  'AveragePool', 'Concat', 'Softmax', 'Where', 'Gather', 'GatherElements', 'Transpose', 'EmbedLayerNormalization',
  'Slice', 'InstanceNormalization', 'LayerNormalization', 'BatchNormalization', 'TopK', 'CumSum',
])

export interface Rewrite {
  /** a copy of the model, to be rewritten in place */
  out: ModelProto
  graph: GraphProto
  /** the float model's nodes, in order */
  nodes: NodeProto[]
  initializers: Map<string, TensorProto>
  opset: number
  shouldQuantize: (node: NodeProto) => boolean
  /** calibrated ranges after onnxruntime's adjustments */
  ranges: Map<string, TensorRange>
  /** activation scale and zero point of every tensor with a range */
  params: Map<string, QuantParams>
}

/** The starting point of a rewrite of `model` (not modified) with the calibrated ranges. */
export function startRewrite(model: ModelProto, calibrated: ReadonlyMap<string, TensorRange>, options: QuantizeOptions): Rewrite {
  const out = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish())
  const graph = out.graph!
  const nodes: NodeProto[] = [...(graph.node ?? [])]
  const initializers = new Map<string, TensorProto>((graph.initializer ?? []).map((i) => [i.name!, i]))
  const shouldQuantize = (n: NodeProto) => QUANTIZED_OP_TYPES.has(n.opType!) && !options.nodesToExclude.has(n.name ?? '')
  const ranges = adjustRanges(nodes, calibrated, shouldQuantize)
  const params = new Map<string, QuantParams>()
  for (const [tensor, range] of ranges) params.set(tensor, activationParams(range, options.activationType))
  return {out, graph, nodes, initializers, opset: opsetOf(out), shouldQuantize, ranges, params}
}
