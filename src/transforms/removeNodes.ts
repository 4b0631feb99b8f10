/**
 * remove_nodes(op=Identity, op=CheckNumerics [, max_inputs=1]) (remove_nodes.cc): splice out nodes
 * of the given ops with 1..max_inputs data inputs, repeating whole passes until nothing changes.
 * Consumers of a removed node read its first input instead (port kept; `^X` becomes `^input`);
 * the input node moves to the removed node's position; the removed node's own control inputs
 * are dropped. Nodes named by --inputs/--outputs stay.
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {GraphDef} from '../graph/types.js'
import {copyOriginalMatch, renameNodeInputs, replaceMatchingOpTypes, type OpTypePattern} from './graphMatcher.js'
import {nodeName} from './inputNames.js'

export function removeNodes(graph: GraphDef, context: TransformContext): GraphDef {
  if (!context.has('op')) {
    throw new AxqError("remove_nodes expects at least one 'op' argument, e.g. remove_nodes(op=Identity)", {subject: 'remove_nodes'})
  }
  const maxInputs = context.int32('max_inputs', 1)
  const required = new Set([...context.inputNames, ...context.outputNames].map(nodeName))
  let current = graph
  for (const op of context.all('op')) {
    for (let numInputs = 1; numInputs <= maxInputs; numInputs++) {
      const pattern: OpTypePattern = {op, inputs: Array.from({length: numInputs}, () => ({op: '*'}))}
      let removed: boolean
      do {
        removed = false
        const renames = new Map<string, string>()
        const replaced = replaceMatchingOpTypes(
          current,
          pattern,
          (match, _inputs, _outputs, newNodes) => {
            const node = match.node
            if (required.has(node.name)) {
              copyOriginalMatch(match, newNodes)
              return
            }
            const inputNode = match.inputs[0].node
            let target = inputNode.name
            for (const input of node.input) {
              if (input.startsWith(inputNode.name) && (input.length === inputNode.name.length || input[inputNode.name.length] === ':')) {
                target = input
                break
              }
            }
            renames.set(node.name, target)
            renames.set(`^${node.name}`, `^${inputNode.name}`)
            newNodes.push(inputNode)
            removed = true
          },
          {allowInconsistencies: true},
        )
        current = renameNodeInputs(replaced, renames)
      } while (removed)
    }
  }
  return current
}

registerTransform({name: 'remove_nodes', summary: 'splice out nodes of the given ops (e.g. Identity)', params: ['op', 'max_inputs'], run: removeNodes})
