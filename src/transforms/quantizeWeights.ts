/**
 * quantize_weights [minimum_size=1024] (quantize_weights.cc): every float Const with at least
 * minimum_size elements becomes `<w>_quantized_const` (quint8), `<w>_quantized_min`,
 * `<w>_quantized_max` (float scalars) and a Dequantize(MIN_FIRST) that keeps the name `<w>`, so
 * consumers are unaffected. The range is [min(values, 0), max(values, 0)] (a degenerate range is
 * widened); values are quantized with TensorFlow's double-precision FloatToQuantized<quint8>.
 * Smaller or non-float Consts are left alone.
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {GraphDef, NodeDef} from '../graph/types.js'
import {replaceMatchingOpTypes} from './graphMatcher.js'
import {tensorToProto} from '../graph/tensorProto.js'
import {constNode, constTensor} from '../graph/constNodes.js'
import {makeTensor, scalar} from '../core/tensor.js'
import {floatToQuantizedU8, quantizationRangeOfWeights} from './weightQuantization.js'

const utf8 = new TextEncoder()

export function floatConst(name: string, value: number): NodeDef {
  return constNode(name, scalar('float32', value))
}

export function quantizeWeights(graph: GraphDef, context: TransformContext): GraphDef {
  const minimumSize = context.int32('minimum_size', 1024)
  return replaceMatchingOpTypes(graph, {op: 'Const'}, (match, _i, _o, newNodes) => {
    const node = match.node
    if (!node.attr.dtype) throw new AxqError(`quantize_weights: no 'dtype' attribute for Const node '${node.name}'`, {subject: node.name})
    if (!node.attr.value) throw new AxqError(`quantize_weights: no 'value' attribute for Const node '${node.name}'`, {subject: node.name})
    const dtype = node.attr.dtype.type ?? 0
    const tensor = constTensor(node)
    if (dtype !== 1 || tensor.data.length < minimumSize) {
      newNodes.push(node)
      return
    }
    const values = tensor.data as Float32Array
    const [min, max] = quantizationRangeOfWeights(values)
    const codes = new Uint8Array(values.length)
    for (let i = 0; i < values.length; i++) codes[i] = floatToQuantizedU8(values[i], min, max)
    const quantized: NodeDef = {
      name: `${node.name}_quantized_const`,
      op: 'Const',
      input: [],
      attr: {dtype: {type: 12}, value: {tensor: tensorToProto(makeTensor('quint8', tensor.shape, codes), 'content')}},
    }
    const minNode = floatConst(`${node.name}_quantized_min`, min)
    const maxNode = floatConst(`${node.name}_quantized_max`, max)
    newNodes.push(quantized, minNode, maxNode, {
      name: node.name,
      op: 'Dequantize',
      input: [quantized.name, minNode.name, maxNode.name],
      attr: {T: {type: 12}, mode: {s: utf8.encode('MIN_FIRST')}},
    })
  })
}

registerTransform({name: 'quantize_weights', summary: 'store large float Consts as 8-bit with a Dequantize', params: ['minimum_size'], run: quantizeWeights})
