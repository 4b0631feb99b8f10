/**
 * add_default_attributes (add_default_attributes.cc → AddDefaultAttrsToGraphDef): every attr an
 * op declares with a default and the node lacks is added with that default (TF 1.14 op
 * registrations, see opDefs.ts). Node order, the rest of the graph and `versions` are unchanged.
 * Ops axq does not know are left as they are (TensorFlow fails on ops it has not registered).
 */
import {registerTransform} from './registry.js'
import type {GraphDef, NodeDef} from '../graph/types.js'
import {opDefaults} from './opDefs.js'

export function addDefaultAttrsToNode(node: NodeDef): NodeDef {
  const defaults = opDefaults(node.op)
  if (!defaults) return node
  let attr = node.attr
  for (const [k, v] of Object.entries(defaults)) {
    if (Object.prototype.hasOwnProperty.call(node.attr, k)) continue
    if (attr === node.attr) attr = {...node.attr}
    attr[k] = v
  }
  return attr === node.attr ? node : {...node, attr}
}

export function addDefaultAttributes(graph: GraphDef): GraphDef {
  return {...graph, node: graph.node.map(addDefaultAttrsToNode)}
}

registerTransform({name: 'add_default_attributes', summary: "add the op's default value for every missing attr", params: [], run: addDefaultAttributes})
