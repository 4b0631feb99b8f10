/**
 * The node order onnxruntime's quantizer writes (ONNXModel.topological_sort): first the nodes that
 * read nothing (Constant), in graph order; then, taking the initializers and graph inputs by sorted
 * name, each node whose last missing input that name was; then, breadth-first over the sorted list,
 * each node whose last missing input the current node produces. Both rewrites (QDQ, QOperator) use it, so
 * their files list the nodes in the order onnxruntime's do.
 */
import {AxqError} from '../../../errors.js'
import type {NodeProto} from './tensorProto.js'

export function onnxruntimeNodeOrder(nodes: readonly NodeProto[], sources: Iterable<string>): NodeProto[] {
  const missing = nodes.map((n) => (n.input ?? []).filter((i) => i !== '').length)
  const readers = new Map<string, number[]>()
  const sorted: NodeProto[] = []
  nodes.forEach((n, index) => {
    if (missing[index] === 0) {
      sorted.push(n)
      return
    }
    for (const input of n.input ?? []) {
      if (input === '') continue
      const list = readers.get(input)
      if (list === undefined) readers.set(input, [index])
      else list.push(index)
    }
  })
  const release = (tensor: string) => {
    for (const index of readers.get(tensor) ?? []) {
      missing[index]--
      if (missing[index] === 0) sorted.push(nodes[index])
    }
  }
  for (const source of [...new Set(sources)].sort()) release(source)
  for (let i = 0; i < sorted.length; i++) for (const output of sorted[i].output ?? []) release(output)
  if (sorted.length !== nodes.length) {
    const stuck = nodes.find((n, index) => missing[index] > 0)
    throw new AxqError(`the quantized graph has a cycle or a missing input at node '${stuck?.name}'`, {exitCode: 70})
  }
  return sorted
}
