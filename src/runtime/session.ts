/**
 * The one executor of both front ends: runs a GraphDef-shaped graph, TensorFlow-style:
 * `run(feeds, fetches)`. Ops come from the registry by (domain, op): TF_DOMAIN for GraphDefs;
 * the ONNX front end (src/formats/onnx) lowers a ModelProto to the same shape and names each
 * node's domain.
 *
 * - Feeds and fetches are tensor names, `name` (= `name:0`) or `name:k`. A fed tensor replaces
 *   that output of its node: edges from it are cut, so whatever only it needed is not run.
 * - Only the nodes the fetches need are run, in a topological order (depth-first from the
 *   fetches, inputs in their listed order). `^control` inputs order nodes but carry no data.
 * - Each output is released as soon as its last consumer has run (memory at batch 1000 matters).
 *   Ops must treat their inputs as immutable: Identity and Reshape pass buffers through.
 * - Attrs missing from a node fall back to the op's registered defaults (OpContext.attr).
 * - Errors name the node: unknown op, an input naming no node, a missing output, a cycle, a
 *   Placeholder without a feed, a fed tensor contradicting the Placeholder's dtype/shape attrs,
 *   and anything an op throws (prefixed with the node name when the op did not name it).
 * - OpContext.cache is one Map per node, kept across run() calls of this Session;
 *   OpContext.runCache is one Map shared by all nodes of one run() call.
 * - Large output buffers are recycled (OpContext.recycle): a buffer the Session handed out goes
 *   back to its pool once no live tensor of the run uses it (outputs sharing it, e.g. through
 *   Reshape, are counted), and is reused by a later node or run. A buffer that leaves the
 *   Session as a fetch result is never reused, so results the caller holds stay intact.
 * - Float outputs may be left pending (codeForms.ts): they are written before any op that does
 *   not declare `readsCodeForms` reads them, and before they are returned.
 * - OpContext.soleReader(port) names the one node that reads an output in this run (one input
 *   slot, not fetched), so an op may do its reader's cheap work in the same pass (a Relu after a
 *   float FusedBatchNorm or Add: src/runtime/fusedRelu.ts).
 * - Time per op type is recorded for `profile()` (`axq infer --profile`), and per node for
 *   `nodeProfile()` (`axq bench` on ONNX models); CPU seconds only with RunOptions.profile.
 * Nodes run one at a time; heavy ops use all threads inside the op (native kernels).
 */
import type {GraphDef, NodeDef, AttrValue} from '../graph/types.js'
import {parseInput} from '../graph/names.js'
import {isRequiredInput, PLACEHOLDER_OPS} from '../graph/endpoints.js'
import {readAttr, shapeFromProto} from '../graph/attrs.js'
import {AxqError, nodeError} from '../errors.js'
import {requireOp, TF_DOMAIN, type OpContext, type OpDefinition, type RunOptions} from './opRegistry.js'
import {isPending, materialize} from './codeForms.js'
import {sourceOf} from './bufferSources.js'
import {adviseHugePages} from '../native/quantizedKernels.js'
import {allocate, BYTES_PER_ELEMENT, checkElementCount, viewOf, numElements, shapeString, TF_NAME_BY_DTYPE, dtypeFromEnum, type DType, type Tensor, type TensorData} from '../core/tensor.js'

export interface OpProfile {
  /** Op type, e.g. 'Conv2D'. */
  op: string
  /** Node executions summed over all runs. */
  calls: number
  /** Wall-clock seconds spent in the op's compute, summed over all runs. */
  seconds: number
  /**
   * Process CPU seconds (user + system, all threads) during the op's compute, summed over all
   * runs: on a loaded machine this shows the work an op does when wall time mostly shows waiting.
   */
  cpuSeconds: number
}

/** Time of one node over all runs (`op` is the node's op type). */
export interface NodeProfile extends OpProfile {
  node: string
}

interface Step {
  node: NodeDef
  def: OpDefinition
  /** Tensor keys (`name:k`) of the data inputs, in order. */
  inputs: string[]
  /** Ports of this node's outputs that something downstream (or a fetch) reads. */
  usedPorts: number[]
}

interface Plan {
  steps: Step[]
  /** Readers of each tensor key: consumer steps (one per input slot) plus fetches. */
  readers: Map<string, number>
  /** The node of each tensor key read by exactly one input slot and not fetched. */
  soleReaders: Map<string, NodeDef>
}

/** Buffers below this many bytes are not worth pooling. */
const MIN_POOLED_BYTES = 1 << 16

/**
 * Output buffers handed out by one Session, by byte length, and how many live tensors use each.
 * Every hand-out is a new typed-array object (state keyed by array identity, such as the Min/Max
 * run cache, never sees a recycled buffer as the old tensor).
 */
class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>()
  /** Buffers handed out and not yet released or escaped → live tensors using them. */
  private readonly users = new WeakMap<ArrayBuffer, number>()

  take(dtype: DType, size: number): TensorData {
    checkElementCount(size, dtype)
    const bytes = dtype === 'string' ? 0 : size * BYTES_PER_ELEMENT[dtype]
    if (bytes < MIN_POOLED_BYTES) return allocate(dtype, size)
    const list = this.free.get(bytes)
    let buffer = list?.pop()
    if (!buffer) {
      buffer = new ArrayBuffer(bytes)
      adviseHugePages(buffer)
    }
    this.users.set(buffer, 0)
    return viewOf(dtype, buffer, size) as TensorData
  }

  /** A live tensor now uses `data` (and what it reads from: bufferSources.ts). */
  retain(data: TensorData): void {
    const buffer = bufferOf(data)
    const n = buffer && this.users.get(buffer)
    if (buffer && n !== undefined) this.users.set(buffer, n + 1)
    const source = sourceOf(data)
    if (source) this.retain(source)
  }

  /** A live tensor no longer uses `data`; the buffer is free once no tensor does. */
  release(data: TensorData): void {
    const source = sourceOf(data)
    if (source) this.release(source)
    const buffer = bufferOf(data)
    const n = buffer && this.users.get(buffer)
    if (!buffer || n === undefined) return
    if (n > 1) {
      this.users.set(buffer, n - 1)
      return
    }
    this.users.delete(buffer)
    let list = this.free.get(buffer.byteLength)
    if (!list) this.free.set(buffer.byteLength, (list = []))
    list.push(buffer)
  }

  /** `data` leaves the Session (a fetch result): its buffer is never reused. */
  escape(data: TensorData): void {
    const buffer = bufferOf(data)
    if (buffer) this.users.delete(buffer)
  }
}

function bufferOf(data: TensorData): ArrayBuffer | undefined {
  return Array.isArray(data) ? undefined : (data.buffer as ArrayBuffer)
}

/** `name` → `name:0`; `name:k` unchanged. Control names (`^x`) are not tensors. */
/** One more call of `seconds` (and `cpuSeconds`) on the profile of `key`, created from `fields`. */
function addTime<P extends OpProfile>(profiles: Map<string, P>, key: string, fields: Omit<P, 'calls' | 'seconds' | 'cpuSeconds'>, seconds: number, cpuSeconds: number): void {
  const p = profiles.get(key)
  if (p) {
    p.calls++
    p.seconds += seconds
    p.cpuSeconds += cpuSeconds
  } else {
    profiles.set(key, {...fields, calls: 1, seconds, cpuSeconds} as P)
  }
}

export function tensorKey(name: string, what: string): string {
  if (name.startsWith('^')) throw new AxqError(`${what} '${name}': a control input names no tensor`)
  const ref = parseInput(name)
  if (ref.node === '') throw new AxqError(`${what} '${name}': empty node name`)
  return `${ref.node}:${ref.port}`
}

function splitKey(key: string): {node: string; port: number} {
  const colon = key.lastIndexOf(':')
  return {node: key.slice(0, colon), port: Number(key.slice(colon + 1))}
}

export class Session {
  readonly graph: GraphDef
  readonly options: RunOptions
  private readonly nodes = new Map<string, NodeDef>()
  private readonly caches = new Map<string, Map<string, unknown>>()
  private readonly plans = new Map<string, Plan>()
  private readonly profiles = new Map<string, OpProfile>()
  private readonly nodeProfiles = new Map<string, NodeProfile>()
  private readonly pool = new BufferPool()
  /** Most tensors held at once during the last run (feeds, live outputs and fetches). */
  lastPeakLiveTensors = 0

  /** The op domain of each node (TF_DOMAIN for GraphDefs; the ONNX front end maps its nodes). */
  private readonly domainOf: (node: NodeDef) => string

  constructor(graph: GraphDef, options: RunOptions = {}, domainOf: (node: NodeDef) => string = () => TF_DOMAIN) {
    this.graph = graph
    this.options = options
    this.domainOf = domainOf
    for (const node of graph.node ?? []) {
      if (!node.name) throw new AxqError(`graph: a node of op '${node.op}' has no name`)
      if (this.nodes.has(node.name)) throw new AxqError(`graph: two nodes are named '${node.name}'`, {subject: node.name})
      this.nodes.set(node.name, node)
    }
  }

  /** Node by name, if the graph has it. */
  node(name: string): NodeDef | undefined {
    return this.nodes.get(name)
  }

  /**
   * Checks, without running anything, that `fetches` can be computed from tensors fed under
   * `feedNames`: every node needed exists and has a known op. Errors name the node.
   */
  check(feedNames: string[], fetches: string[]): void {
    const fetchKeys = fetches.map((f) => tensorKey(f, 'fetch'))
    for (let i = 0; i < fetchKeys.length; i++) {
      const {node} = splitKey(fetchKeys[i])
      if (!this.nodes.has(node)) throw new AxqError(`fetch '${fetches[i]}': the graph has no node '${node}'${this.suggest(node)}`, {subject: node})
    }
    this.plan(new Set(feedNames.map((f) => tensorKey(f, 'feed'))), fetchKeys)
  }

  /** Runs the graph for the given feeds and returns the fetched tensors in order. */
  async run(feeds: Record<string, Tensor>, fetches: string[]): Promise<Tensor[]> {
    const values = new Map<string, Tensor>()
    for (const [name, tensor] of Object.entries(feeds)) {
      const key = tensorKey(name, 'feed')
      this.checkFeed(name, key, tensor)
      values.set(key, tensor)
    }
    const fetchKeys = fetches.map((f) => tensorKey(f, 'fetch'))
    for (let i = 0; i < fetchKeys.length; i++) {
      const {node} = splitKey(fetchKeys[i])
      if (!this.nodes.has(node)) throw new AxqError(`fetch '${fetches[i]}': the graph has no node '${node}'${this.suggest(node)}`, {subject: node})
    }

    const plan = this.plan(new Set(values.keys()), fetchKeys)
    const remaining = new Map(plan.readers)
    for (const key of [...values.keys()]) if (!remaining.has(key)) values.delete(key)

    let peak = values.size
    const runCache = new Map<unknown, unknown>()
    const pool = this.pool
    for (const step of plan.steps) {
      const {node} = step
      const inputs = step.inputs.map((key) => values.get(key) as Tensor)
      const outputs = await this.execute(step, inputs, runCache, plan.soleReaders)
      for (const port of step.usedPorts) {
        if (port >= outputs.length) {
          throw nodeError(node, `output ${port} is read downstream, but the op produced ${outputs.length} output(s)`)
        }
        values.set(`${node.name}:${port}`, outputs[port])
        pool.retain(outputs[port].data)
      }
      // Outputs nobody reads give their (pooled) buffers back at once.
      for (let port = 0; port < outputs.length; port++) {
        if (!step.usedPorts.includes(port)) {
          pool.retain(outputs[port].data)
          pool.release(outputs[port].data)
        }
      }
      peak = Math.max(peak, values.size)
      for (const key of step.inputs) {
        const left = (remaining.get(key) ?? 1) - 1
        remaining.set(key, left)
        if (left === 0) {
          const t = values.get(key)
          values.delete(key)
          if (t) pool.release(t.data)
        }
      }
    }
    this.lastPeakLiveTensors = peak
    const results = fetchKeys.map((key) => {
      const t = values.get(key)
      if (!t) throw new AxqError(`fetch '${key}': no value was produced`)
      return t
    })
    for (const t of results) {
      await materialize(t.data, this.options.threads)
      pool.escape(t.data)
    }
    return results
  }

  /** Time per op type over all runs so far, slowest first. */
  profile(): OpProfile[] {
    return [...this.profiles.values()].map((p) => ({...p})).sort((a, b) => b.seconds - a.seconds || a.op.localeCompare(b.op))
  }

  /** Time per node over all runs so far, in the order nodes first ran. */
  nodeProfile(): NodeProfile[] {
    return [...this.nodeProfiles.values()].map((p) => ({...p}))
  }

  resetProfile(): void {
    this.profiles.clear()
    this.nodeProfiles.clear()
  }

  private async execute(step: Step, inputs: Tensor[], runCache: Map<unknown, unknown>, soleReaders: Map<string, NodeDef>): Promise<Tensor[]> {
    const {node, def} = step
    let cache = this.caches.get(node.name)
    if (!cache) this.caches.set(node.name, (cache = new Map()))
    const ctx: OpContext = {
      node,
      inputs,
      options: this.options,
      cache,
      runCache,
      recycle: (dtype: DType, size: number) => this.pool.take(dtype, size),
      deferFloats: true,
      soleReader: (port: number) => soleReaders.get(`${node.name}:${port}`),
      attr(name: string): AttrValue {
        const v = node.attr?.[name] ?? def.defaults?.[name]
        if (v === undefined) throw nodeError(node, `missing attr '${name}' (the op has no default for it)`)
        return v
      },
      hasAttr: (name: string) => (node.attr !== undefined && name in node.attr) || (def.defaults !== undefined && name in def.defaults),
    }
    const start = process.hrtime.bigint()
    // CPU time (a system call per node) only when asked for (RunOptions.profile).
    const cpuStart = this.options.profile ? process.cpuUsage() : undefined
    let outputs: Tensor[]
    try {
      // Pending values an op cannot read from their code form are written first (counted as its time).
      if (!def.readsCodeForms) for (const t of inputs) if (isPending(t.data)) await materialize(t.data, this.options.threads)
      outputs = await def.compute(ctx)
    } catch (error) {
      throw namedError(node, error)
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const cpu = cpuStart && process.cpuUsage(cpuStart)
    const cpuSeconds = cpu ? (cpu.user + cpu.system) / 1e6 : 0
    addTime(this.profiles, node.op, {op: node.op}, seconds, cpuSeconds)
    addTime(this.nodeProfiles, node.name, {node: node.name, op: node.op}, seconds, cpuSeconds)
    for (let i = 0; i < outputs.length; i++) {
      const t = outputs[i]
      const n = numElements(t.shape)
      if (t.data.length !== n) {
        throw nodeError(node, `internal error: output ${i} has shape ${shapeString(t.shape)} but ${t.data.length} values`)
      }
    }
    return outputs
  }

  /** Which nodes to run, in which order, for these fed keys and fetches (cached). */
  private plan(fed: Set<string>, fetchKeys: string[]): Plan {
    const cacheKey = [...fed].sort().join('\u0000') + '\u0001' + fetchKeys.join('\u0000')
    const cached = this.plans.get(cacheKey)
    if (cached) return cached

    // Iterative depth-first post-order from the fetches; grey = on the stack (cycle detection).
    const order: NodeDef[] = []
    const state = new Map<string, 'grey' | 'black'>()
    const deps = (node: NodeDef): string[] => {
      const out: string[] = []
      for (const inp of node.input ?? []) {
        const ref = parseInput(inp)
        if (!ref.control && fed.has(`${ref.node}:${ref.port}`)) continue
        if (!this.nodes.has(ref.node)) {
          throw nodeError(node, `input '${inp}' names no node in the graph${this.suggest(ref.node)}`)
        }
        out.push(ref.node)
      }
      return out
    }
    for (const key of fetchKeys) {
      if (fed.has(key)) continue
      const root = splitKey(key).node
      if (state.has(root)) continue
      const stack: {name: string; deps: string[]; next: number}[] = []
      const push = (name: string): void => {
        state.set(name, 'grey')
        stack.push({name, deps: deps(this.nodes.get(name) as NodeDef), next: 0})
      }
      push(root)
      while (stack.length > 0) {
        const top = stack[stack.length - 1]
        if (top.next < top.deps.length) {
          const dep = top.deps[top.next++]
          const s = state.get(dep)
          if (s === 'grey') {
            const cycle = stack.slice(stack.findIndex((f) => f.name === dep)).map((f) => f.name)
            throw new AxqError(`graph has a cycle: ${[...cycle, dep].map((n) => `'${n}'`).join(' -> ')}`, {subject: dep})
          }
          if (s === undefined) push(dep)
        } else {
          stack.pop()
          state.set(top.name, 'black')
          order.push(this.nodes.get(top.name) as NodeDef)
        }
      }
    }

    const readers = new Map<string, number>()
    const readerNode = new Map<string, NodeDef>()
    const used = new Map<string, Set<number>>()
    const read = (key: string, by?: NodeDef): void => {
      readers.set(key, (readers.get(key) ?? 0) + 1)
      if (by) readerNode.set(key, by)
      if (!fed.has(key)) {
        const {node, port} = splitKey(key)
        let ports = used.get(node)
        if (!ports) used.set(node, (ports = new Set()))
        ports.add(port)
      }
    }
    const steps: Step[] = []
    for (const node of order) {
      // A fed placeholder reached only through a control edge has nothing left to do.
      if (PLACEHOLDER_OPS.has(node.op) && fed.has(`${node.name}:0`)) continue
      const def = requireOp(node, this.domainOf(node))
      if (isRequiredInput(node)) {
        throw nodeError(node, `no value was fed for this ${node.op}${this.placeholderSpec(node)}: pass it as a feed`)
      }
      const inputs: string[] = []
      for (const inp of node.input ?? []) {
        const ref = parseInput(inp)
        if (ref.control) continue
        const key = `${ref.node}:${ref.port}`
        inputs.push(key)
        read(key, node)
      }
      steps.push({node, def, inputs, usedPorts: []})
    }
    for (const key of fetchKeys) read(key)
    for (const step of steps) step.usedPorts = [...(used.get(step.node.name) ?? [])].sort((a, b) => a - b)

    const soleReaders = new Map<string, NodeDef>()
    for (const [key, count] of readers) {
      const by = readerNode.get(key)
      if (count === 1 && by && !fetchKeys.includes(key)) soleReaders.set(key, by)
    }
    const plan = {steps, readers, soleReaders}
    this.plans.set(cacheKey, plan)
    return plan
  }

  private placeholderSpec(node: NodeDef): string {
    const parts: string[] = []
    if (node.attr?.dtype?.type !== undefined) {
      try {
        parts.push(TF_NAME_BY_DTYPE[dtypeFromEnum(node.attr.dtype.type)])
      } catch {
        /* an unknown dtype is reported when fed */
      }
    }
    if (node.attr?.shape) {
      const s = shapeFromProto(node.attr.shape.shape)
      parts.push(s === undefined ? 'any shape' : `shape ${shapeString(s)}`)
    }
    return parts.length > 0 ? ` (${parts.join(', ')})` : ''
  }

  /** A fed tensor must be well formed and, for a Placeholder, match its dtype and shape attrs. */
  private checkFeed(name: string, key: string, t: Tensor): void {
    const {node: nodeName, port} = splitKey(key)
    const node = this.nodes.get(nodeName)
    if (!node) throw new AxqError(`feed '${name}': the graph has no node '${nodeName}'${this.suggest(nodeName)}`, {subject: nodeName})
    if (!t || !Array.isArray(t.shape) || !t.data) throw nodeError(node, `feed '${name}' is not a tensor`)
    if (t.data.length !== numElements(t.shape)) {
      throw nodeError(node, `feed '${name}' has shape ${shapeString(t.shape)} but ${t.data.length} values`)
    }
    if (!PLACEHOLDER_OPS.has(node.op) || port !== 0) return
    const where = `node '${node.name}' (${node.op}): attr`
    if (node.attr?.dtype) {
      const want = readAttr.type(node.attr.dtype, `${where} 'dtype'`)
      if (want !== t.dtype) {
        throw nodeError(node, `fed a ${TF_NAME_BY_DTYPE[t.dtype]} tensor, but the placeholder's dtype is ${TF_NAME_BY_DTYPE[want]}`)
      }
    }
    const shapeAttr = node.attr?.shape
    if (shapeAttr && shapeAttr.shape !== undefined) {
      const want = shapeFromProto(shapeAttr.shape)
      if (want !== undefined) {
        const ok = want.length === t.shape.length && want.every((d, i) => d < 0 || d === t.shape[i])
        if (!ok) {
          throw nodeError(node, `fed a tensor of shape ${shapeString(t.shape)}, but the placeholder's shape is ${shapeString(want.map((d) => (d < 0 ? '?' : d)) as unknown as number[])}`)
        }
      }
    }
  }

  private suggest(name: string): string {
    const lower = name.toLowerCase()
    const near = [...this.nodes.keys()].filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase())).slice(0, 3)
    return near.length > 0 ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''
  }
}

/**
 * Errors from an op, with the node name in front. AxqErrors (the graph or the input is at fault)
 * stay AxqErrors; anything else (a failed allocation, an invalid typed-array length, a bug) stays
 * an internal error (exit 70), named but not re-labelled as the user's fault.
 */
function namedError(node: NodeDef, error: unknown): Error {
  const prefix = `node '${node.name}'`
  if (error instanceof AxqError) {
    if (error.message.startsWith(prefix)) return error
    return new AxqError(`${prefix} (${node.op}): ${error.message}`, {subject: node.name, exitCode: error.exitCode, cause: error})
  }
  const message = error instanceof Error ? error.message : String(error)
  const internal = new Error(`${prefix} (${node.op}): ${message}`, {cause: error})
  if (error instanceof Error && error.stack) internal.stack = `${internal.message}\n${error.stack}`
  return internal
}
