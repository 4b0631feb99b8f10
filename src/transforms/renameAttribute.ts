/**
 * rename_attribute(old_attribute_name=a, new_attribute_name=b [, op_name=Op]) (rename_attribute.cc):
 * moves attr a to b on every node (or only nodes of op_name). An existing attr b is kept as it
 * was (TensorFlow inserts without overwriting), and a is removed either way.
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {AttrValue, GraphDef} from '../graph/types.js'

export function renameAttribute(graph: GraphDef, context: TransformContext): GraphDef {
  if (context.count('old_attribute_name') !== 1 || context.count('new_attribute_name') !== 1) {
    throw new AxqError(
      "rename_attribute expects exactly one 'old_attribute_name' and one 'new_attribute_name' argument, e.g. rename_attribute(old_attribute_name=foo, new_attribute_name=bar)",
      {subject: 'rename_attribute'},
    )
  }
  const opName = context.has('op_name') ? context.all('op_name')[0] : '*'
  const from = context.all('old_attribute_name')[0]
  const to = context.all('new_attribute_name')[0]
  return {
    node: graph.node.map((n) => {
      if ((opName !== '*' && opName !== n.op) || !Object.prototype.hasOwnProperty.call(n.attr, from)) return n
      const attr: Record<string, AttrValue> = {}
      for (const [k, v] of Object.entries(n.attr)) if (k !== from) attr[k] = v
      if (!Object.prototype.hasOwnProperty.call(attr, to)) attr[to] = n.attr[from]
      return {...n, attr}
    }),
  }
}

registerTransform({
  name: 'rename_attribute',
  summary: 'rename an attr on every node (or on nodes of op_name)',
  params: ['old_attribute_name', 'new_attribute_name', 'op_name'],
  run: renameAttribute,
})
