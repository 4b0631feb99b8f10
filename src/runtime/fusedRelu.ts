/**
 * A Relu folded into the op that produces its input (float32): when output 0 of a FusedBatchNorm
 * or Add is read only by a Relu node (OpContext.soleReader), the producer writes
 * relu(y) = y < 0 ? 0 : y in the same pass and marks the buffer; the Relu then passes it on
 * unchanged, like Identity. The values are those of the two separate ops (the producer's output
 * is seen by nothing but the Relu), one memory pass and one buffer fewer. The marks live in the
 * run's cache (OpContext.runCache), so they end with the run. The same for 8-bit codes: a
 * QuantizedRelu reading only a QuantizeV2's codes and range is folded into its look-up table.
 */
import type {OpContext} from './opRegistry.js'
import type {NodeDef} from '../graph/types.js'
import {parseInput} from '../graph/names.js'

const RECTIFIED = Symbol('fusedRelu.rectified')

/** True when output 0 of this node goes to a Relu only, so the op may apply the Relu itself. */
export function reluFollows(ctx: OpContext): boolean {
  return ctx.runCache !== undefined && ctx.soleReader?.(0)?.op === 'Relu'
}

/**
 * For a quint8 QuantizeV2: the QuantizedRelu that alone reads its codes, with its range inputs
 * being this node's own range outputs (1 and 2), so that the Relu's clamp follows from the range
 * this node computes; else undefined.
 */
export function quantizedReluFollows(ctx: OpContext): NodeDef | undefined {
  if (ctx.runCache === undefined) return undefined
  const reader = ctx.soleReader?.(0)
  if (reader?.op !== 'QuantizedRelu' || reader.input.length !== 3) return undefined
  const from = (i: number) => parseInput(reader.input[i])
  const own = (i: number, port: number) => from(i).node === ctx.node.name && from(i).port === port && !from(i).control
  return own(0, 0) && own(1, 1) && own(2, 2) ? reader : undefined
}

/** Records that `data` (output 0 of this node) already holds relu of the op's result. */
export function markRectified(ctx: OpContext, data: Float32Array | Uint8Array): void {
  const cache = ctx.runCache
  if (!cache) return
  let set = cache.get(RECTIFIED) as WeakSet<object> | undefined
  if (!set) cache.set(RECTIFIED, (set = new WeakSet()))
  set.add(data)
}

/** True when the producer of `data` already applied this Relu (see markRectified). */
export function isRectified(ctx: OpContext, data: unknown): boolean {
  const set = ctx.runCache?.get(RECTIFIED) as WeakSet<object> | undefined
  return set !== undefined && typeof data === 'object' && data !== null && set.has(data)
}
