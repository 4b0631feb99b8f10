/**
 * Run one registered op on given inputs and attrs, outside any graph: for op unit tests.
 * Importing src/runtime/ops/index.js registers every op.
 */
import type {AttrValue, NodeDef} from '../../src/graph/types.js'
import type {Tensor} from '../../src/core/tensor.js'
import {getOp, type OpContext, type RunOptions} from '../../src/runtime/opRegistry.js'

export async function runOp(
  op: string,
  inputs: Tensor[],
  attrs: Record<string, AttrValue> = {},
  options: RunOptions = {},
  recycle?: OpContext['recycle'],
): Promise<Tensor[]> {
  const def = getOp(op)
  if (!def) throw new Error(`op ${op} is not registered (import src/runtime/ops/index.js)`)
  const node: NodeDef = {name: `test_${op}`, op, input: inputs.map((_, i) => `in${i}`), attr: attrs}
  const attr = (name: string): AttrValue => {
    const v = node.attr[name] ?? def.defaults?.[name]
    if (v === undefined) throw new Error(`node '${node.name}' (${op}): missing attr '${name}'`)
    return v
  }
  return def.compute({
    node,
    inputs,
    options,
    cache: new Map(),
    recycle,
    attr,
    hasAttr: (name) => name in node.attr || (def.defaults !== undefined && name in def.defaults),
  })
}
