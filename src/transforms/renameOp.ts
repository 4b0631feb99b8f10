/** rename_op(old_op_name=A, new_op_name=B): every node whose op is exactly A gets op B (rename_op.cc). */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {GraphDef} from '../graph/types.js'

export function renameOp(graph: GraphDef, context: TransformContext): GraphDef {
  if (context.count('old_op_name') !== 1 || context.count('new_op_name') !== 1) {
    throw new AxqError("rename_op expects exactly one 'old_op_name' and 'new_op_name' argument, e.g. rename_op(old_op_name=Mul, new_op_name=Multiply)", {subject: 'rename_op'})
  }
  const from = context.all('old_op_name')[0]
  const to = context.all('new_op_name')[0]
  return {node: graph.node.map((n) => (n.op === from ? {...n, op: to} : n))}
}

registerTransform({name: 'rename_op', summary: 'change the op type of every node of one op type', params: ['old_op_name', 'new_op_name'], run: renameOp})
