/** Small hand-built graphs for the transform tests. */
import type {AttrValue, GraphDef, NodeDef} from '../../src/graph/types.js'
import {tensorFromProto, tensorToProto} from '../../src/graph/tensorProto.js'
import {makeTensor, type DType, type Tensor} from '../../src/core/tensor.js'
import {TransformContext} from '../../src/transforms/transformParams.js'
import {ENUM_BY_DTYPE} from '../../src/core/tensor.js'

export const T_FLOAT: AttrValue = {type: 1}

export function n(name: string, op: string, input: string[] = [], attr: Record<string, AttrValue> = {}): NodeDef {
  return {name, op, input, attr}
}

/** A float node with T=float (what most float ops carry). */
export function f(name: string, op: string, input: string[] = [], extra: Record<string, AttrValue> = {}): NodeDef {
  return n(name, op, input, {T: T_FLOAT, ...extra})
}

export function constOf(name: string, dtype: DType, shape: number[], values: ArrayLike<number>, input: string[] = []): NodeDef {
  const data =
    dtype === 'float32' ? Float32Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : dtype === 'quint8' ? Uint8Array.from(values) : Float32Array.from(values)
  const t = makeTensor(dtype, shape, data)
  return n(name, 'Const', input, {dtype: {type: ENUM_BY_DTYPE[dtype]}, value: {tensor: tensorToProto(t, 'content')}})
}

export function floatConst(name: string, shape: number[], values: ArrayLike<number>, input: string[] = []): NodeDef {
  return constOf(name, 'float32', shape, values, input)
}

export function placeholder(name: string, shape: number[] = [-1]): NodeDef {
  return n(name, 'Placeholder', [], {dtype: T_FLOAT, shape: {shape: {dim: shape.map((size) => ({size}))}}})
}

export function graph(...nodes: NodeDef[]): GraphDef {
  return {node: nodes}
}

export function names(g: GraphDef): string[] {
  return g.node.map((x) => x.name)
}

export function byName(g: GraphDef, name: string): NodeDef {
  const found = g.node.find((x) => x.name === name)
  if (!found) throw new Error(`no node ${name} in [${names(g).join(', ')}]`)
  return found
}

export function valueOf(node: NodeDef): Tensor {
  return tensorFromProto(node.attr.value.tensor!, node.name)
}

export function ctx(transform: string, inputs: string[] = [], outputs: string[] = [], params: Record<string, string[]> = {}): TransformContext {
  return new TransformContext(transform, inputs, outputs, new Map(Object.entries(params)))
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
export const str = (v: AttrValue | undefined): string => new TextDecoder().decode(v?.s ?? new Uint8Array())
