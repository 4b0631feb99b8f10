/**
 * A GraphDef's inputs and outputs, defined once for the runtime, infer, inspect, transforms and
 * tune: inputs are placeholder nodes (Placeholder and PlaceholderV2 must be fed;
 * PlaceholderWithDefault may be), outputs are sinks: nodes whose outputs no other node reads
 * (data or control), other than NoOp, Const and placeholders. Both in graph order.
 */
import type {GraphDef, NodeDef} from './types.js'
import {parseInput} from './names.js'

export const PLACEHOLDER_OPS: ReadonlySet<string> = new Set(['Placeholder', 'PlaceholderV2', 'PlaceholderWithDefault'])

/** Placeholder ops without a default: running a graph needs a feed for each. */
export function isRequiredInput(node: NodeDef): boolean {
  return PLACEHOLDER_OPS.has(node.op) && node.op !== 'PlaceholderWithDefault'
}

/** Every placeholder node (required and optional inputs). */
export function placeholderNodes(graph: GraphDef): NodeDef[] {
  return (graph.node ?? []).filter((n) => PLACEHOLDER_OPS.has(n.op))
}

export function placeholderNames(graph: GraphDef): string[] {
  return placeholderNodes(graph).map((n) => n.name)
}

/** The inputs a run must feed (the candidates for infer's --input). */
export function requiredInputNodes(graph: GraphDef): NodeDef[] {
  return (graph.node ?? []).filter(isRequiredInput)
}

export function sinkNodes(graph: GraphDef): NodeDef[] {
  const read = new Set<string>()
  for (const n of graph.node ?? []) for (const inp of n.input ?? []) read.add(parseInput(inp).node)
  return (graph.node ?? []).filter((n) => !read.has(n.name) && n.op !== 'NoOp' && n.op !== 'Const' && !PLACEHOLDER_OPS.has(n.op))
}

export function sinkNames(graph: GraphDef): string[] {
  return sinkNodes(graph).map((n) => n.name)
}
