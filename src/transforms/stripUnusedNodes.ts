/**
 * strip_unused_nodes (strip_unused_nodes.cc): keep only the nodes the outputs need, walking back
 * over data and control inputs but not past the `--inputs`; keep their original order. Each kept
 * input node that is not already a Placeholder becomes one with dtype `type` (or `type_for_name`)
 * and shape `shape` (or `shape_for_name`), defaults float and scalar; an existing Placeholder is
 * kept unchanged and the parameters do not apply to it.
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {GraphDef, NodeDef} from '../graph/types.js'
import {nodeName} from './inputNames.js'
import {dtypeEnumFromString, shapeFromString} from './tfTypes.js'

function fail(message: string): never {
  throw new AxqError(`strip_unused_nodes: ${message}`, {subject: 'strip_unused_nodes'})
}

function placeholderType(context: TransformContext, name: string): number {
  let result = 1 // DT_FLOAT
  if (context.has('type')) {
    if (context.count('type') !== 1) fail("you must pass no more than one default 'type'")
    result = dtypeEnumFromString(context.all('type')[0], 'strip_unused_nodes')
  }
  if (context.has('name') || context.has('type_for_name')) {
    if (!context.has('name') || !context.has('type_for_name') || context.count('name') !== context.count('type_for_name')) {
      fail("you must pass a 'type_for_name' arg for every 'name', e.g. strip_unused_nodes(name=foo, type_for_name=float, name=bar, type_for_name=quint8)")
    }
    const names = context.all('name')
    names.forEach((n, i) => {
      if (n === name) result = dtypeEnumFromString(context.all('type_for_name')[i], 'strip_unused_nodes')
    })
  }
  return result
}

function placeholderShape(context: TransformContext, name: string): number[] {
  let result: number[] = []
  if (context.has('shape')) {
    if (context.count('shape') !== 1) fail("you must pass no more than one default 'shape'")
    result = shapeFromString(context.all('shape')[0], 'strip_unused_nodes')
  }
  if (context.has('name') || context.has('shape_for_name')) {
    if (!context.has('name') || !context.has('shape_for_name') || context.count('name') !== context.count('shape_for_name')) {
      fail(`you must pass a 'shape_for_name' arg for every 'name', e.g. strip_unused_nodes(name=foo, shape_for_name="2,2,1", name=bar, shape_for_name="1")`)
    }
    const names = context.all('name')
    names.forEach((n, i) => {
      if (n === name) result = shapeFromString(context.all('shape_for_name')[i], 'strip_unused_nodes')
    })
  }
  return result
}

export function stripUnusedNodes(graph: GraphDef, context: TransformContext): GraphDef {
  const required = new Set<string>()
  const inputNodes = new Set<string>()
  for (const input of context.inputNames) {
    required.add(nodeName(input))
    inputNodes.add(nodeName(input))
  }
  for (const output of context.outputNames) required.add(output)
  const byName = new Map<string, NodeDef>()
  for (const n of graph.node) byName.set(n.name, n)
  let current = context.outputNames.map(nodeName)
  while (current.length > 0) {
    const next = new Set<string>()
    for (const name of current) {
      required.add(name)
      if (inputNodes.has(name)) continue
      const node = byName.get(name)
      if (!node) fail(`input node ${name} not found in graph`)
      for (const input of node.input) {
        const n = nodeName(input)
        if (!required.has(n)) next.add(n)
      }
    }
    current = [...next].sort()
  }
  const out: NodeDef[] = []
  for (const node of graph.node) {
    if (!required.has(node.name)) continue
    if (inputNodes.has(node.name) && node.op !== 'Placeholder') {
      const dtype = placeholderType(context, node.name)
      const shape = placeholderShape(context, node.name)
      out.push({name: node.name, op: 'Placeholder', input: [], attr: {dtype: {type: dtype}, shape: {shape: {dim: shape.map((size) => ({size}))}}}})
    } else {
      out.push(node)
    }
  }
  return {node: out}
}

registerTransform({
  name: 'strip_unused_nodes',
  summary: 'remove nodes the outputs do not need; turn non-Placeholder inputs into Placeholders',
  params: ['type', 'shape', 'name', 'type_for_name', 'shape_for_name'],
  run: stripUnusedNodes,
})
