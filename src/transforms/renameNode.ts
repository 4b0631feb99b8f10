/**
 * rename_node(old_node_name=a, new_node_name=b) (rename_node.cc): renames node a and every input
 * that refers to it, keeping `^` and `:k`. A node already named b is an error.
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {GraphDef} from '../graph/types.js'
import {inputParts} from './inputNames.js'

export function renameNode(graph: GraphDef, context: TransformContext): GraphDef {
  if (context.count('old_node_name') !== 1 || context.count('new_node_name') !== 1) {
    throw new AxqError("rename_node expects exactly one 'old_node_name' and one 'new_node_name' argument, e.g. rename_node(old_node_name=super/deep/output, new_node_name=output)", {subject: 'rename_node'})
  }
  const from = context.all('old_node_name')[0]
  const to = context.all('new_node_name')[0]
  return {
    node: graph.node.map((n) => {
      if (n.name === to) throw new AxqError(`rename_node: a node is already named '${to}'`, {subject: to})
      const input = n.input.map((s) => {
        const p = inputParts(s)
        return p.node === from ? p.prefix + to + p.suffix : s
      })
      return {...n, name: n.name === from ? to : n.name, input}
    }),
  }
}

registerTransform({name: 'rename_node', summary: 'rename one node and every reference to it', params: ['old_node_name', 'new_node_name'], run: renameNode})
