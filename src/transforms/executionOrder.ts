/**
 * TensorFlow's SortByExecutionOrder (graph_transforms/transform_utils.cc): a topological order
 * that is a deterministic function of the input order. Nodes without inputs start a LIFO stack
 * in index order; emitting a node decrements its consumers (in the order their input strings
 * were seen: node index, then input position, duplicates and control inputs counted) and pushes
 * each consumer whose count reaches zero. Merge-like ops wait for one data input only.
 */
import type {GraphDef, NodeDef} from '../graph/types.js'
import {AxqError} from '../errors.js'
import {nodeName} from './inputNames.js'

const MERGE_OPS = new Set(['Merge', 'RefMerge', '_XlaMerge'])

export interface ExecutionOrder {
  /** Node indices in execution order (only the nodes that could be scheduled). */
  order: number[]
  /** Set when the graph has an unknown input (then `order` is empty) or a cycle. */
  error?: AxqError
}

export function executionOrder(nodes: readonly NodeDef[]): ExecutionOrder {
  const n = nodes.length
  const index = new Map<string, number>()
  for (let i = 0; i < n; i++) index.set(nodes[i].name, i)
  const pending = new Int32Array(n)
  const outputs: number[][] = Array.from({length: n}, () => [])
  const ready: number[] = []
  for (let i = 0; i < n; i++) {
    const node = nodes[i]
    const inputs = node.input ?? []
    if (MERGE_OPS.has(node.op)) pending[i] = inputs.filter((s) => s.startsWith('^')).length + 1
    else pending[i] = inputs.length
    if (inputs.length === 0) {
      ready.push(i)
      continue
    }
    for (const input of inputs) {
      const producer = index.get(nodeName(input))
      if (producer === undefined) {
        return {order: [], error: new AxqError(`node '${node.name}': unknown input node '${input}'`, {subject: node.name})}
      }
      outputs[producer].push(i)
    }
  }
  const order: number[] = []
  while (ready.length > 0) {
    const o = ready.pop()!
    order.push(o)
    for (const consumer of outputs[o]) {
      if (--pending[consumer] === 0) ready.push(consumer)
    }
  }
  if (order.length < n) {
    const stuck = nodes.filter((_, i) => pending[i] !== 0).slice(0, 5).map((x) => x.name)
    return {order, error: new AxqError(`${n - order.length} nodes in a cycle (e.g. ${stuck.join(', ')})`)}
  }
  return {order}
}

/** The graph with its nodes in execution order; throws on unknown inputs or cycles. */
export function sortByExecutionOrder(graph: GraphDef): GraphDef {
  const {order, error} = executionOrder(graph.node)
  if (error) throw error
  return {node: order.map((i) => graph.node[i])}
}
