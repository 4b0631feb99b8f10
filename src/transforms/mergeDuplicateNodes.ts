/**
 * merge_duplicate_nodes (quantize_nodes.cc `MergeDuplicateNodes`), also the sixth step of
 * quantize_nodes. Repeats until a pass merges nothing: hash every node with its name blanked
 * (unless named in --inputs/--outputs), group by hash, walk the groups in ascending hash order;
 * the first node of a group survives, later non-stateful nodes are dropped and their consumers
 * rewired to the survivor. Equal hash counts as equal: there is no further comparison.
 * The output is in ascending hash order, which is why reproducing TensorFlow's node order needs
 * its exact hash (nodeHash.ts).
 */
import type {GraphDef, NodeDef} from '../graph/types.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import {hashNodeDef} from './nodeHash.js'
import {renameNodeInputs} from './graphMatcher.js'
import {isStateful} from './opDefs.js'

export function mergeDuplicateNodes(graph: GraphDef, context: TransformContext): GraphDef {
  const named = new Set([...context.inputNames, ...context.outputNames])
  let current = graph
  let found: boolean
  do {
    found = false
    const groups = new Map<bigint, NodeDef[]>()
    for (const node of current.node) {
      const h = hashNodeDef(node, named.has(node.name) ? node.name : '')
      const list = groups.get(h)
      if (list) list.push(node)
      else groups.set(h, [node])
    }
    const hashes = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const renames = new Map<string, string>()
    const merged: NodeDef[] = []
    for (const h of hashes) {
      const list = groups.get(h)!
      list.forEach((node, i) => {
        if (i > 0 && !isStateful(node.op)) {
          renames.set(`${node.name}:*`, list[0].name)
          found = true
        } else {
          merged.push(node)
        }
      })
    }
    current = renameNodeInputs({node: merged}, renames)
  } while (found)
  return current
}

registerTransform({name: 'merge_duplicate_nodes', summary: 'merge identical non-stateful nodes (TensorFlow node hash)', params: [], run: mergeDuplicateNodes})
