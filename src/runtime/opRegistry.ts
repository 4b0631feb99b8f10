/**
 * Ops are registered by TensorFlow op name. Each op module (src/runtime/ops/*.ts) calls
 * `registerOp` once; the session looks ops up here and knows nothing about any single op.
 */
import type {AttrValue, NodeDef} from '../graph/types.js'
import {allocate, type DType, type Tensor, type TensorData} from './tensor.js'
import {AxqError} from '../errors.js'
import {bufferRewritten} from './codeForms.js'
import type {RsqrtMode} from './eigenRsqrt.js'

/** Settings that hold for a whole run (a Session) and reach every op. */
export interface RunOptions {
  /** Worker threads for native kernels (default: all cores). Results never depend on it. */
  threads?: number
  /** Resolves a multiplier name (an AxConv2D node's AxMult attr) to its 65536-entry table. */
  resolveMultiplier?: (name: string) => Uint16Array
  /** Collect time per op type. */
  profile?: boolean
  /**
   * float32 rsqrt in FusedBatchNorm and Rsqrt (src/runtime/eigenRsqrt.ts): 'eigen-fast-math'
   * (default: TF 1.x's AVX Eigen, RSQRTPS + one Newton step) or 'correctly-rounded'.
   */
  rsqrt?: RsqrtMode
}

export interface OpContext {
  node: NodeDef
  inputs: Tensor[]
  options: RunOptions
  /** State an op keeps for this node across runs of the same Session (e.g. prepared tables). */
  cache: Map<string, unknown>
  /**
   * State shared by all nodes during one Session.run() call and dropped after it (e.g. a value
   * computed from a tensor for several nodes). Absent outside a Session.
   */
  runCache?: Map<unknown, unknown>
  /**
   * A buffer for an output of this node, possibly recycled from a tensor that
   * nothing references any more (Session keeps large buffers across runs). Its contents are
   * arbitrary: the op must write every element and hand it on only as one of its outputs.
   * Absent outside a Session. Ops call outputArray(ctx, dtype, size), never this directly:
   * outputArray also drops the code forms (codeForms.ts) that still describe the old contents.
   */
  recycle?(dtype: DType, size: number): TensorData
  /** Attr of the node, or the op's registered default, or an error naming the node. */
  attr(name: string): AttrValue
  /** True when the node has the attr or the op has a default for it. */
  hasAttr(name: string): boolean
}

export interface OpDefinition {
  /** TensorFlow op name, e.g. 'QuantizedConv2D'. */
  name: string
  /** Defaults of the op's attrs (TensorFlow's REGISTER_OP), applied when a node lacks them. */
  defaults?: Record<string, AttrValue>
  /** Compute the outputs. May be async (native kernels run off the event loop). */
  compute(ctx: OpContext): Tensor[] | Promise<Tensor[]>
}

const registry = new Map<string, OpDefinition>()

export function registerOp(def: OpDefinition): void {
  if (registry.has(def.name)) throw new Error(`op ${def.name} registered twice`)
  registry.set(def.name, def)
}

export function getOp(name: string): OpDefinition | undefined {
  return registry.get(name)
}

export function requireOp(node: NodeDef): OpDefinition {
  const def = registry.get(node.op)
  if (!def) {
    throw new AxqError(`node '${node.name}': unknown op '${node.op}' (axq supports: ${[...registry.keys()].sort().join(', ')})`, {subject: node.name})
  }
  return def
}

export function registeredOps(): string[] {
  return [...registry.keys()].sort()
}

/** An output buffer of `size` elements (whose old code forms are dropped): recycled by the Session when it can, else new (zeroed). */
export function outputArray(ctx: OpContext, dtype: DType, size: number): TensorData {
  if (!ctx.recycle) return allocate(dtype, size)
  const data = ctx.recycle(dtype, size)
  bufferRewritten(data)
  return data
}
