/**
 * fold_constants (fold_constants_lib.cc `FoldConstants` + common_runtime/constant_folding.cc
 * `ConstantFold`): evaluates every subgraph whose data inputs are all constant with the axq
 * runtime and replaces the tensors it hands to the rest of the graph by Const nodes. What
 * TensorFlow's round trip through a `Graph` does to the GraphDef is reproduced too, because
 * later transforms (and the node names MergeDuplicateNodes keeps) depend on it:
 *
 * - `_output_shapes` attrs are removed first (clear_output_shapes=true, the default);
 * - import order: topological, always taking the smallest GraphDef index among ready nodes, so
 *   a graph already in topological order keeps its order;
 * - the fed `--inputs` are cut off (consumers read `name:port`, written with an explicit port as
 *   TensorFlow's ReplaceSendRecvs writes it), nodes the outputs do not need are pruned, and input
 *   nodes that lost all their consumers are re-appended at the end;
 * - every input list is rewritten as Graph::ToGraphDef writes it: data inputs as `name` (port 0)
 *   or `name:k`, then control inputs deduplicated and sorted by name;
 * - a folded tensor becomes Const `<producer>/_<k>__cf__<k>` (k counts replacements in this
 *   run; TensorFlow's counters give the same numbers in a fresh transform_graph process), placed
 *   after all other nodes, with the non-constant control dependencies of the folded subgraph;
 *   values with more than one element are stored in tensor_content, scalars in the typed field.
 *
 * Not folded: Const leaves alone, stateful ops, control flow, placeholders, ops the axq runtime
 * cannot run (TensorFlow: ops without a CPU kernel), ops in exclude_op, nodes in exclude_node,
 * results larger than max_constant_size_in_bytes (default 10 MiB). Shape/Size/Rank whose input
 * has a fully known static shape are constants too (axq's shape inference, src/graph/
 * shapeInference.ts, knows fewer ops than TensorFlow's shape functions, so it may fold less).
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {AttrValue, GraphDef, NodeDef} from '../graph/types.js'
import {nodeName, parseTensorName} from './inputNames.js'
import {isStateful} from './opDefs.js'
import {tensorToProto} from '../graph/tensorProto.js'
import {constNode} from '../graph/constNodes.js'
import {BYTES_PER_ELEMENT, makeTensor, numElements, type Tensor} from '../core/tensor.js'
import {inferShapes} from '../graph/shapeInference.js'
import {getOp} from '../runtime/opRegistry.js'

const CONTROL_FLOW = new Set(['Switch', 'RefSwitch', 'Merge', 'RefMerge', 'Enter', 'RefEnter', 'Exit', 'RefExit', 'NextIteration', 'RefNextIteration', 'LoopCond', 'ControlTrigger', '_Switch', '_Merge'])
const NOT_FOLDABLE = new Set(['Placeholder', 'PlaceholderV2', 'PlaceholderWithDefault', '_Send', '_Recv', '_HostSend', '_HostRecv', 'GetSessionHandle', 'GetSessionHandleV2', 'GetSessionTensor', 'DeleteSessionTensor', 'FakeParam', 'VarHandleOp'])
const DEFAULT_MAX_CONSTANT_BYTES = 10 * 1024 * 1024

function fail(message: string, subject = 'fold_constants'): never {
  throw new AxqError(`fold_constants: ${message}`, {subject})
}

/** Min-heap of indices (GraphConstructor's ordered ready set). */
class IndexHeap {
  private items: number[] = []
  get size(): number {
    return this.items.length
  }
  push(v: number): void {
    const a = this.items
    a.push(v)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (a[p] <= a[i]) break
      ;[a[p], a[i]] = [a[i], a[p]]
      i = p
    }
  }
  pop(): number {
    const a = this.items
    const top = a[0]
    const last = a.pop()!
    if (a.length > 0) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && a[l] < a[m]) m = l
        if (r < a.length && a[r] < a[m]) m = r
        if (m === i) break
        ;[a[m], a[i]] = [a[i], a[m]]
        i = m
      }
    }
    return top
  }
}

/** GraphConstructor's node creation order (back edges into Merge nodes do not count). */
export function importOrder(nodes: readonly NodeDef[]): number[] {
  const index = new Map<string, number>()
  nodes.forEach((n, i) => index.set(n.name, i))
  const pending = new Int32Array(nodes.length)
  const outputs: number[][] = nodes.map(() => [])
  const ready = new IndexHeap()
  nodes.forEach((node, i) => {
    const merge = node.op === 'Merge' || node.op === 'RefMerge'
    let count = 0
    for (const input of node.input) {
      const p = index.get(nodeName(input))
      if (p === undefined) fail(`node '${node.name}': unknown input node '${input}'`, node.name)
      if (merge && !input.startsWith('^') && (nodes[p].op === 'NextIteration' || nodes[p].op === 'RefNextIteration')) continue
      count++
      outputs[p].push(i)
    }
    pending[i] = count
    if (count === 0) ready.push(i)
  })
  const order: number[] = []
  while (ready.size > 0) {
    const o = ready.pop()
    order.push(o)
    for (const c of outputs[o]) if (--pending[c] === 0) ready.push(c)
  }
  if (order.length < nodes.length) fail(`the graph has a cycle (${nodes.length - order.length} nodes cannot be ordered)`)
  return order
}

/** Inputs as Graph::ToGraphDef writes them. */
function toGraphDefInputs(inputs: readonly string[]): string[] {
  const data: string[] = []
  const control = new Set<string>()
  for (const input of inputs) {
    const t = parseTensorName(input)
    if (t.index < 0) control.add(t.node)
    else data.push(t.index === 0 ? t.node : `${t.node}:${t.index}`)
  }
  const sorted = [...control].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return [...data, ...sorted.map((n) => `^${n}`)]
}

function tensorBytes(t: Tensor): number {
  if (t.dtype === 'string') return (t.data as Uint8Array[]).reduce((s, b) => s + b.length, 0)
  return numElements(t.shape) * BYTES_PER_ELEMENT[t.dtype]
}

let opsLoaded: Promise<unknown> | undefined

/** The runtime's op modules register themselves when imported (only needed when folding). */
async function loadRuntimeOps(): Promise<void> {
  const modulePath = '../runtime/ops/index.js'
  opsLoaded ??= import(modulePath).catch(() => undefined)
  await opsLoaded
}

export async function foldConstants(graph: GraphDef, context: TransformContext): Promise<GraphDef> {
  const clearShapes = context.bool('clear_output_shapes', true)
  const maxBytes = context.int64('max_constant_size_in_bytes', DEFAULT_MAX_CONSTANT_BYTES)
  const excludedOps = new Set(context.all('exclude_op'))
  const excludedNodes = new Set(context.all('exclude_node'))
  const inputIds = context.inputNames.map(parseTensorName)
  const outputIds = context.outputNames.map(parseTensorName)

  // 1. Import: strip _output_shapes, creation order, ToGraphDef input form.
  const original = graph.node
  const byOriginalName = new Map(original.map((n) => [n.name, n]))
  let nodes: NodeDef[] = importOrder(original).map((i) => {
    const n = original[i]
    let attr = n.attr
    if (clearShapes && Object.prototype.hasOwnProperty.call(attr, '_output_shapes')) {
      attr = {...attr}
      delete attr._output_shapes
    }
    return {...n, attr, input: toGraphDefInputs(n.input)}
  })

  // Shape/Size/Rank of statically known shapes count as constants (TF's shape_map).
  const staticValues = staticShapeValues(nodes)

  // 2. Feeds: data edges from a fed tensor read `_recv_<node>_<port>` (written back below).
  const recvName = new Map<string, string>()
  for (const id of inputIds) {
    if (id.index < 0) continue
    recvName.set(`${id.node}:${id.index}`, `\u0000recv\u0000${id.node}\u0000${id.index}`)
  }
  nodes = nodes.map((n) => {
    let changed = false
    const input = n.input.map((s) => {
      const t = parseTensorName(s)
      const r = t.index >= 0 ? recvName.get(`${t.node}:${t.index}`) : undefined
      if (r === undefined) return s
      changed = true
      return r
    })
    return changed ? {...n, input} : n
  })

  // 3. Prune to what the fetches need (reverse reachability over all edges).
  const byName = new Map(nodes.map((n) => [n.name, n]))
  const needed = new Set<string>()
  const stack: string[] = []
  for (const id of outputIds) {
    if (!byName.has(id.node)) fail(`output '${context.outputNames[outputIds.indexOf(id)]}' names no node in the graph`, id.node)
    stack.push(id.node)
  }
  while (stack.length > 0) {
    const name = stack.pop()!
    if (needed.has(name)) continue
    needed.add(name)
    const node = byName.get(name)
    if (!node) continue
    for (const s of node.input) {
      const t = nodeName(s)
      if (!t.startsWith('\u0000') && !needed.has(t)) stack.push(t)
    }
  }
  nodes = nodes.filter((n) => needed.has(n.name))

  // 4. Constant folding.
  await loadRuntimeOps()
  nodes = await foldSubgraphs(nodes, {excludedOps, excludedNodes, maxBytes, staticValues})

  // 5. ReplaceSendRecvs: fed tensors are written `node:port`; removed input nodes re-appended.
  nodes = nodes.map((n) => {
    if (!n.input.some((s) => s.startsWith('\u0000') || s.startsWith('^\u0000'))) return n
    return {
      ...n,
      input: n.input.map((s) => {
        if (!s.startsWith('\u0000')) return s
        const [, , node, port] = s.split('\u0000')
        return `${node}:${port}`
      }),
    }
  })
  const present = new Set(nodes.map((n) => n.name))
  const readded = new Set<string>()
  for (const id of inputIds) {
    if (present.has(id.node) || readded.has(id.node)) continue
    const node = byOriginalName.get(id.node)
    if (!node) fail(`input '${id.node}' names no node in the graph`, id.node)
    readded.add(id.node)
    nodes.push(node)
  }

  // 6. RemoveUnusedNodes: walk back from the outputs, not past fed tensors; keep input nodes.
  const fed = new Set(inputIds.map((t) => `${t.node}:${t.index}`))
  const byName2 = new Map(nodes.map((n) => [n.name, n]))
  const used = new Set<string>()
  let current = new Set<string>()
  for (const id of outputIds) {
    used.add(id.node)
    current.add(id.node)
  }
  while (current.size > 0) {
    const next = new Set<string>()
    for (const name of current) {
      const node = byName2.get(name)
      if (!node) fail(`bad graph structure, no node named '${name}' found for input lookup`, name)
      for (const s of node.input) {
        const t = parseTensorName(s)
        if (fed.has(`${t.node}:${t.index}`)) continue
        if (!used.has(t.node)) {
          used.add(t.node)
          next.add(t.node)
        }
      }
    }
    current = next
  }
  for (const id of inputIds) used.add(id.node)
  const inputNodeNames = new Set(inputIds.map((t) => t.node))
  return {
    node: nodes
      .filter((n) => used.has(n.name))
      .map((n) => {
        if (!inputNodeNames.has(n.name)) return n
        if (n.op === 'PlaceholderWithDefault') return {...n, op: 'Placeholder', input: []}
        if (n.op !== 'Placeholder') fail(`input '${n.name}' was expected to be a Placeholder or PlaceholderWithDefault op, but was ${n.op}`, n.name)
        return n
      }),
  }
}

interface FoldOptions {
  excludedOps: Set<string>
  excludedNodes: Set<string>
  maxBytes: number
  /** Values of Shape/Size/Rank nodes whose input shape is statically known. */
  staticValues: Map<string, Tensor>
}

const SHAPE_OPS = new Set(['Shape', 'Size', 'Rank'])

/** Shape, Size and Rank nodes whose data input has a fully known static shape, with their values. */
function staticShapeValues(nodes: NodeDef[]): Map<string, Tensor> {
  const result = new Map<string, Tensor>()
  if (!nodes.some((n) => SHAPE_OPS.has(n.op))) return result
  const shapes = inferShapes({node: nodes})
  for (const node of nodes) {
    if (!SHAPE_OPS.has(node.op)) continue
    const input = node.input.find((s) => !s.startsWith('^'))
    const shape = input === undefined ? undefined : shapes.shape(input)
    if (!shape || shape.some((d) => d < 0)) continue
    const int64 = node.attr.out_type?.type === 9
    const values = node.op === 'Shape' ? shape : node.op === 'Size' ? [shape.reduce((p, d) => p * d, 1)] : [shape.length]
    const dims = node.op === 'Shape' ? [shape.length] : []
    result.set(node.name, int64 ? makeTensor('int64', dims, BigInt64Array.from(values, (v) => BigInt(v))) : makeTensor('int32', dims, Int32Array.from(values)))
  }
  return result
}

function isFoldable(node: NodeDef, o: FoldOptions): boolean {
  if (node.op === 'Const') return true
  if (o.staticValues.has(node.name) && !o.excludedOps.has(node.op) && !o.excludedNodes.has(node.name)) return true
  if (isStateful(node.op) || CONTROL_FLOW.has(node.op) || NOT_FOLDABLE.has(node.op)) return false
  if (o.excludedOps.has(node.op) || o.excludedNodes.has(node.name)) return false
  if (Object.prototype.hasOwnProperty.call(node.attr, '_scoped_allocator')) return false
  return getOp(node.op) !== undefined
}

async function foldSubgraphs(nodes: NodeDef[], o: FoldOptions): Promise<NodeDef[]> {
  const byName = new Map(nodes.map((n) => [n.name, n]))
  // Constant nodes in topological order (nodes are in import order here) with the non-constant
  // control dependencies each one accumulates.
  const constant = new Set<string>()
  const controlDeps = new Map<string, Set<string>>()
  let internal = false
  for (const node of nodes) {
    if (!isFoldable(node, o)) continue
    if (o.staticValues.has(node.name)) {
      // Its value does not depend on its input's value.
      constant.add(node.name)
      controlDeps.set(node.name, new Set())
      internal = true
      continue
    }
    let all = true
    const deps = new Set<string>()
    for (const s of node.input) {
      const t = parseTensorName(s)
      if (t.node.startsWith('\u0000')) {
        all = false
        break
      }
      if (t.index < 0) {
        if (constant.has(t.node)) for (const d of controlDeps.get(t.node) ?? []) deps.add(d)
        else deps.add(t.node)
      } else if (!constant.has(t.node)) {
        all = false
        break
      } else {
        for (const d of controlDeps.get(t.node) ?? []) deps.add(d)
      }
    }
    if (!all) continue
    constant.add(node.name)
    controlDeps.set(node.name, deps)
    if (node.op !== 'Const') internal = true
  }
  if (!internal) return nodes

  // Tensors of constant non-Const nodes read by non-constant nodes.
  const fetch: {node: string; port: number}[] = []
  const seen = new Set<string>()
  for (const node of nodes) {
    if (constant.has(node.name)) continue
    for (const s of node.input) {
      const t = parseTensorName(s)
      if (t.index < 0 || !constant.has(t.node) || byName.get(t.node)!.op === 'Const') continue
      const key = `${t.node}:${t.index}`
      if (!seen.has(key)) {
        seen.add(key)
        fetch.push({node: t.node, port: t.index})
      }
    }
  }
  if (fetch.length === 0) return nodes
  const order = new Map(nodes.map((n, i) => [n.name, i]))
  fetch.sort((a, b) => order.get(a.node)! - order.get(b.node)! || a.port - b.port)

  const {Session} = await import('../runtime/session.js')
  const subgraph: GraphDef = {
    node: nodes
      .filter((n) => constant.has(n.name))
      .map((n) => {
        const v = o.staticValues.get(n.name)
        if (v) return constNode(n.name, v)
        return {...n, input: n.input.filter((s) => !s.startsWith('^'))}
      }),
  }
  let values: Tensor[]
  try {
    values = await new Session(subgraph).run({}, fetch.map((f) => `${f.node}:${f.port}`))
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    fail(`could not evaluate the constant subgraph: ${why}`)
  }
  const replacement = new Map<string, string>()
  const added: NodeDef[] = []
  let k = 0
  fetch.forEach((f, i) => {
    const value = values[i]
    if (tensorBytes(value) > o.maxBytes) return
    const producer = byName.get(f.node)!
    const name = `${f.node}/_${k}__cf__${k}`
    k++
    const deps = [...(controlDeps.get(f.node) ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const attr: Record<string, AttrValue> = {
      dtype: {type: tensorToProto(value, 'auto').dtype},
      value: {tensor: tensorToProto(value, value.data.length > 1 ? 'content' : 'typed')},
    }
    const node: NodeDef = {name, op: 'Const', input: deps.map((d) => `^${d}`), attr}
    if (producer.device) node.device = producer.device
    added.push(node)
    replacement.set(`${f.node}:${f.port}`, name)
  })
  const rewired = nodes.map((n) => {
    if (constant.has(n.name)) return n
    let changed = false
    const input = n.input.map((s) => {
      const t = parseTensorName(s)
      const r = t.index >= 0 ? replacement.get(`${t.node}:${t.index}`) : undefined
      if (r === undefined) return s
      changed = true
      return r
    })
    return changed ? {...n, input: toGraphDefInputs(input)} : n
  })
  return [...rewired, ...added]
}

registerTransform({
  name: 'fold_constants',
  summary: 'evaluate constant subgraphs and replace them by Consts',
  params: ['clear_output_shapes', 'exclude_op', 'exclude_node', 'max_constant_size_in_bytes'],
  run: foldConstants,
})
