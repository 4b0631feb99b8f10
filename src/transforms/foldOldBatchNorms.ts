/**
 * fold_old_batch_norms (fold_old_batch_norms.cc): a BatchNormWithGlobalNormalization or
 * FusedBatchNorm whose statistics are Consts and whose input is `Conv2D(x, Const w)` is folded
 * into the weights plus a BiasAdd named after the batch norm (offset Const `<conv>_bn_offset`):
 *   scale_c = (1/sqrtf(var_c + eps)) · gamma_c   (no gamma when scale_after_normalization=false)
 *   offset_c = −mean_c · scale_c + beta_c        (float32 arithmetic throughout)
 * Variants through BatchToSpaceND (`<conv>/biasadd`) and through ConcatV2|Concat of two convs
 * (`<concat>_bn_in0/1`). Each variant repeats until no match is left. A training-mode
 * FusedBatchNorm (empty mean/variance) is an error, as in TensorFlow.
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {GraphDef, NodeDef} from '../graph/types.js'
import {replaceMatchingOpTypes, type NodeMatch, type OpTypePattern} from './graphMatcher.js'
import {constNode, constTensor} from '../graph/constNodes.js'
import {makeTensor} from '../core/tensor.js'

const f32 = Math.fround

function vector(node: NodeDef, label: string, width: number): Float32Array {
  const t = constTensor(node)
  if (t.shape.length !== 1 || t.shape[0] !== width) {
    throw new AxqError(`fold_old_batch_norms: ${label} input '${node.name}' to batch norm has bad shape [${t.shape.join(',')}], expected [${width}]`, {subject: node.name})
  }
  if (t.dtype !== 'float32') throw new AxqError(`fold_old_batch_norms: '${node.name}' is not a float tensor`, {subject: node.name})
  return t.data as Float32Array
}

function scaleAndOffset(match: NodeMatch): {scale: Float32Array; offset: Float32Array} {
  const bn = match.node
  const fused = bn.op === 'FusedBatchNorm'
  const [meanIdx, varIdx, betaIdx, gammaIdx] = fused ? [3, 4, 2, 1] : [1, 2, 3, 4]
  const epsAttr = fused ? 'epsilon' : 'variance_epsilon'
  const scaleAfter = fused || Boolean(bn.attr.scale_after_normalization?.b)
  const meanT = constTensor(match.inputs[meanIdx].node)
  if (meanT.shape.length < 1) throw new AxqError(`fold_old_batch_norms: mean input of '${bn.name}' is not a vector`, {subject: bn.name})
  const cols = meanT.shape[0]
  if (cols === 0) {
    throw new AxqError(`fold_old_batch_norms: the mean input '${match.inputs[meanIdx].node.name}' of '${bn.name}' is empty (a FusedBatchNorm in training mode has no statistics to fold)`, {subject: bn.name})
  }
  const mean = vector(match.inputs[meanIdx].node, 'mean', cols)
  const variance = vector(match.inputs[varIdx].node, 'variance', cols)
  const beta = vector(match.inputs[betaIdx].node, 'beta', cols)
  const gamma = vector(match.inputs[gammaIdx].node, 'gamma', cols)
  const eps = f32(bn.attr[epsAttr]?.f ?? 0)
  const scale = new Float32Array(cols)
  const offset = new Float32Array(cols)
  for (let i = 0; i < cols; i++) {
    const inv = f32(1 / f32(Math.sqrt(f32(variance[i] + eps))))
    scale[i] = scaleAfter ? f32(inv * gamma[i]) : inv
  }
  for (let i = 0; i < cols; i++) offset[i] = f32(f32(-mean[i] * scale[i]) + beta[i])
  return {scale, offset}
}

function fuseIntoConv(scale: Float32Array, offset: Float32Array, convMatch: NodeMatch, outputName: string, out: NodeDef[]): void {
  const conv = convMatch.node
  const input = convMatch.inputs[0].node
  const weightsNode = convMatch.inputs[1].node
  const weights = constTensor(weightsNode)
  const cols = weights.shape[3]
  if (cols !== scale.length) throw new AxqError(`fold_old_batch_norms: '${weightsNode.name}' has ${cols} output channels, the batch norm ${scale.length}`, {subject: weightsNode.name})
  const w = weights.data as Float32Array
  const scaled = new Float32Array(w.length)
  for (let i = 0; i < w.length; i++) scaled[i] = w[i] * scale[i % cols]
  out.push(constNode(weightsNode.name, makeTensor('float32', weights.shape, scaled)), input, conv)
  const offsetNode = constNode(`${conv.name}_bn_offset`, makeTensor('float32', [cols], offset.slice()))
  out.push(offsetNode)
  const attr: NodeDef['attr'] = {}
  if (conv.attr.data_format) attr.data_format = conv.attr.data_format
  attr.T = conv.attr.T
  out.push({name: outputName, op: 'BiasAdd', input: [conv.name, offsetNode.name], attr})
}

const CONV: OpTypePattern = {op: 'Conv2D', inputs: [{op: '*'}, {op: 'Const'}]}
const STATS: OpTypePattern[] = [{op: 'Const'}, {op: 'Const'}, {op: 'Const'}, {op: 'Const'}]
const BN = 'BatchNormWithGlobalNormalization|FusedBatchNorm'

function repeat(graph: GraphDef, pattern: OpTypePattern, fuse: (m: NodeMatch, out: NodeDef[]) => void): GraphDef {
  let current = graph
  let changed: boolean
  do {
    changed = false
    current = replaceMatchingOpTypes(current, pattern, (m, _i, _o, out) => {
      fuse(m, out)
      changed = true
    })
  } while (changed)
  return current
}

export function foldOldBatchNorms(graph: GraphDef): GraphDef {
  let g = repeat(graph, {op: BN, inputs: [CONV, ...STATS]}, (m, out) => {
    const {scale, offset} = scaleAndOffset(m)
    fuseIntoConv(scale, offset, m.inputs[0], m.node.name, out)
  })
  g = repeat(g, {op: BN, inputs: [{op: 'BatchToSpaceND', inputs: [CONV, {op: 'Const'}, {op: 'Const'}]}, ...STATS]}, (m, out) => {
    const {scale, offset} = scaleAndOffset(m)
    const b2s = m.inputs[0]
    const conv = b2s.inputs[0]
    const biasadd = `${conv.node.name}/biasadd`
    fuseIntoConv(scale, offset, conv, biasadd, out)
    out.push(b2s.inputs[1].node, b2s.inputs[2].node, {...b2s.node, name: m.node.name, input: [biasadd, ...b2s.node.input.slice(1)]})
  })
  g = repeat(g, {op: BN, inputs: [{op: 'ConcatV2|Concat', inputs: [CONV, CONV, {op: 'Const'}]}, ...STATS]}, (m, out) => {
    const {scale, offset} = scaleAndOffset(m)
    const concat = m.inputs[0]
    const axis = constTensor(concat.inputs[2].node)
    let [s0, o0, s1, o1] = [scale, offset, scale, offset]
    if (Number((axis.data as ArrayLike<number>)[0]) === 3) {
      const split = constTensor(concat.inputs[0].inputs[1].node).shape[3]
      ;[s0, o0, s1, o1] = [scale.slice(0, split), offset.slice(0, split), scale.slice(split), offset.slice(split)]
    }
    const in0 = `${concat.node.name}_bn_in0`
    const in1 = `${concat.node.name}_bn_in1`
    fuseIntoConv(s0, o0, concat.inputs[0], in0, out)
    fuseIntoConv(s1, o1, concat.inputs[1], in1, out)
    out.push(concat.inputs[2].node, {...concat.node, name: m.node.name, input: [in0, in1, ...concat.node.input.slice(2)]})
  })
  return g
}

registerTransform({name: 'fold_old_batch_norms', summary: 'fold inference-mode batch norms after Conv2D into weights + BiasAdd', params: [], run: foldOldBatchNorms})
