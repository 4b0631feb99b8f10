/**
 * fold_batch_norms (fold_batch_norms.cc): `Mul(Conv2D|MatMul|DepthwiseConv2dNative(x, Const w),
 * Const scale)` becomes the conv with weights w·scale (per output column), renamed to the Mul's
 * name so consumers read it directly. The scale must be a vector with one entry per weight
 * column. If the conv, weights or scale are used outside the pattern, nothing changes.
 * (Training-mode FusedBatchNorm is not matched; see fold_old_batch_norms.)
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {GraphDef, NodeDef} from '../graph/types.js'
import {replaceMatchingOpTypes} from './graphMatcher.js'
import {constNode, constTensor} from '../graph/constNodes.js'
import {makeTensor, type Tensor} from '../core/tensor.js'

function requireFloat(t: Tensor, node: NodeDef): Float32Array {
  if (t.dtype !== 'float32') throw new AxqError(`node '${node.name}': expected a float tensor, found ${t.dtype}`, {subject: node.name})
  return t.data as Float32Array
}

export function foldBatchNorms(graph: GraphDef): GraphDef {
  return replaceMatchingOpTypes(
    graph,
    {op: 'Mul', inputs: [{op: 'Conv2D|MatMul|DepthwiseConv2dNative', inputs: [{op: '*'}, {op: 'Const'}]}, {op: 'Const'}]},
    (match, _i, outputNodes, newNodes) => {
      const mul = match.node
      const conv = match.inputs[0].node
      const input = match.inputs[0].inputs[0].node
      const weightsNode = match.inputs[0].inputs[1].node
      const scaleNode = match.inputs[1].node
      if ([conv, weightsNode, scaleNode].some((n) => outputNodes.has(n.name))) {
        newNodes.push(mul, conv, input, weightsNode, scaleNode)
        return
      }
      const weights = constTensor(weightsNode)
      const scale = constTensor(scaleNode)
      const dims = weights.shape
      const cols = conv.op === 'Conv2D' ? dims[3] : conv.op === 'DepthwiseConv2dNative' ? dims[2] * dims[3] : dims[1]
      if (scale.shape.length !== 1 || scale.shape[0] !== cols) {
        throw new AxqError(`fold_batch_norms: Mul constant input to batch norm '${scaleNode.name}' has bad shape [${scale.shape.join(',')}], expected [${cols}]`, {subject: scaleNode.name})
      }
      const w = requireFloat(weights, weightsNode)
      const s = requireFloat(scale, scaleNode)
      const scaled = new Float32Array(w.length)
      for (let i = 0; i < w.length; i++) scaled[i] = w[i] * s[i % cols]
      newNodes.push(constNode(weightsNode.name, makeTensor('float32', dims, scaled)), input, {...conv, name: mul.name})
    },
  )
}

registerTransform({name: 'fold_batch_norms', summary: 'fold a Mul by constants after Conv2D/MatMul into the weights', params: [], run: foldBatchNorms})
