/**
 * round_weights [num_steps=256] (round_weights.cc): float Consts with at least 16 elements keep
 * their dtype but every value is snapped to the centre of one of num_steps equal buckets over
 * [min, max] (so the graph compresses well while still running in float). As in TensorFlow, the
 * range starts from FLT_MAX/FLT_MIN and is not widened to include 0, and the maximum itself
 * falls into an extra bucket above the range. Arithmetic is float32.
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {GraphDef} from '../graph/types.js'
import {replaceMatchingOpTypes} from './graphMatcher.js'
import {makeTensor} from '../core/tensor.js'
import {constNode, constTensor} from '../graph/constNodes.js'

const f32 = Math.fround

export function roundWeights(graph: GraphDef, context: TransformContext): GraphDef {
  const steps = context.int32('num_steps', 256)
  return replaceMatchingOpTypes(graph, {op: 'Const'}, (match, _i, _o, out) => {
    const node = match.node
    if (!node.attr.dtype) throw new AxqError(`round_weights: no 'dtype' attribute for Const node '${node.name}'`, {subject: node.name})
    if (!node.attr.value) throw new AxqError(`round_weights: no 'value' attribute for Const node '${node.name}'`, {subject: node.name})
    const tensor = constTensor(node)
    if (node.attr.dtype.type !== 1 || tensor.data.length < 16) {
      out.push(node)
      return
    }
    const values = tensor.data as Float32Array
    let min = 3.4028234663852886e38
    let max = 1.1754943508222875e-38
    for (const v of values) {
      if (v < min) min = v
      if (max < v) max = v
    }
    if (min === max) {
      if (Math.abs(min) < f32(0.000001)) max = f32(min + 1)
      else if (min > 0) max = f32(2 * min)
      else min = f32(2 * max)
    }
    const width = f32(f32(max - min) / steps)
    const rounded = new Float32Array(values.length)
    for (let i = 0; i < values.length; i++) {
      const bucket = Math.floor(f32(f32(values[i] - min) / width)) | 0
      rounded[i] = f32(min + f32(width * f32(bucket + 0.5)))
    }
    out.push(constNode(node.name, makeTensor('float32', tensor.shape, rounded)))
  })
}

registerTransform({name: 'round_weights', summary: 'snap large float Consts to num_steps levels (stays float)', params: ['num_steps'], run: roundWeights})
