/** remove_control_dependencies: drop every `^name` input (remove_control_dependencies.cc). */
import {registerTransform} from './registry.js'
import type {GraphDef} from '../graph/types.js'

export function removeControlDependencies(graph: GraphDef): GraphDef {
  return {node: graph.node.map((n) => (n.input.some((s) => s.startsWith('^')) ? {...n, input: n.input.filter((s) => !s.startsWith('^'))} : n))}
}

registerTransform({name: 'remove_control_dependencies', summary: 'remove all control inputs', params: [], run: removeControlDependencies})
