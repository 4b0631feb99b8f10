/**
 * Range adjustments onnxruntime's quantizers make before computing activation parameters
 * (base_quantizer.adjust_tensor_ranges): the input of a Relu or Clip that feeds only that node
 * takes the node's output range (so the activation can be dropped and a convolution's output is
 * quantized to the clipped range), and a Softmax output's range is [0, 1].
 */
import type {TensorRange} from './params.js'

/** The parts of an ONNX NodeProto this needs. */
export interface GraphNode {
  opType?: string | null
  name?: string | null
  input?: string[] | null
  output?: string[] | null
}

/** Ranges after onnxruntime's adjustments; `quantized(node)` says whether a node is to be quantized. */
export function adjustRanges(
  nodes: readonly GraphNode[],
  calibrated: ReadonlyMap<string, TensorRange>,
  quantized: (node: GraphNode) => boolean = () => true,
): Map<string, TensorRange> {
  const ranges = new Map(calibrated)
  const consumers = new Map<string, number>()
  for (const node of nodes) for (const input of node.input ?? []) consumers.set(input, (consumers.get(input) ?? 0) + 1)
  for (const node of nodes) {
    const input = node.input?.[0]
    const output = node.output?.[0]
    if (input === undefined || output === undefined || !quantized(node)) continue
    if (node.opType === 'Relu' || node.opType === 'Clip') {
      if (consumers.get(input) !== 1) continue
      const out = ranges.get(output)
      if (out === undefined || !ranges.has(input)) continue
      ranges.set(input, out)
    } else if (node.opType === 'Softmax') {
      ranges.set(output, {lowest: 0, highest: 1})
    }
  }
  return ranges
}
