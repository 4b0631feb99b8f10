/** Const NodeDefs: one made from a tensor, and the tensor a node carries. */
import {AxqError} from '../errors.js'
import {ENUM_BY_DTYPE, type Tensor} from '../core/tensor.js'
import {tensorFromProto, tensorToProto, type TensorProtoForm} from './tensorProto.js'
import type {NodeDef} from './types.js'

/**
 * A Const node holding `t` (attrs dtype, value). 'content' is how TensorFlow's graph transforms
 * write new constants (AsProtoTensorContent); see tensorToProto for the other forms.
 */
export function constNode(name: string, t: Tensor, form: TensorProtoForm = 'content'): NodeDef {
  return {name, op: 'Const', input: [], attr: {dtype: {type: ENUM_BY_DTYPE[t.dtype]}, value: {tensor: tensorToProto(t, form)}}}
}

/** The tensor in attr `key` of a node (a Const's `value`); an AxqError naming the node when it has none. */
export function constTensor(node: NodeDef, key = 'value'): Tensor {
  const proto = node.attr[key]?.tensor
  if (!proto) throw new AxqError(`node '${node.name}' has no tensor attr '${key}'`, {subject: node.name})
  return tensorFromProto(proto, `node '${node.name}'`)
}
