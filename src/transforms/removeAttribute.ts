/** remove_attribute(attribute_name=a [, op_name=Op]): delete attr a from every node, or from nodes of op_name (remove_attribute.cc). */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {AttrValue, GraphDef} from '../graph/types.js'

export function removeAttribute(graph: GraphDef, context: TransformContext): GraphDef {
  if (context.count('attribute_name') !== 1) {
    throw new AxqError("remove_attribute expects exactly one 'attribute_name' argument, e.g. remove_attribute(op_name=Mul, attribute_name=foo)", {subject: 'remove_attribute'})
  }
  if (context.count('op_name') > 1) {
    throw new AxqError(`remove_attribute expects a single op_name argument, but found ${context.count('op_name')}`, {subject: 'remove_attribute'})
  }
  const opName = context.has('op_name') ? context.all('op_name')[0] : '*'
  const name = context.all('attribute_name')[0]
  return {
    node: graph.node.map((n) => {
      if ((opName !== '*' && opName !== n.op) || !Object.prototype.hasOwnProperty.call(n.attr, name)) return n
      const attr: Record<string, AttrValue> = {}
      for (const [k, v] of Object.entries(n.attr)) if (k !== name) attr[k] = v
      return {...n, attr}
    }),
  }
}

registerTransform({name: 'remove_attribute', summary: 'delete an attr from every node (or from nodes of op_name)', params: ['attribute_name', 'op_name'], run: removeAttribute})
