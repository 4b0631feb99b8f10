/**
 * A Relu folded into the op that produces its input (float32): when output 0 of a FusedBatchNorm
 * or Add is read only by a Relu node (OpContext.soleReader), the producer writes
 * relu(y) = y < 0 ? 0 : y in the same pass and marks the buffer; the Relu then passes it on
 * unchanged, like Identity. The values are those of the two separate ops (the producer's output
 * is seen by nothing but the Relu), one memory pass and one buffer fewer. The marks live in the
 * run's cache (OpContext.runCache), so they end with the run.
 */
import type {OpContext} from './opRegistry.js'

const RECTIFIED = Symbol('fusedRelu.rectified')

/** True when output 0 of this node goes to a Relu only, so the op may apply the Relu itself. */
export function reluFollows(ctx: OpContext): boolean {
  return ctx.runCache !== undefined && ctx.soleReader?.(0)?.op === 'Relu'
}

/** Records that `data` (output 0 of this node) already holds relu of the op's result. */
export function markRectified(ctx: OpContext, data: Float32Array): void {
  const cache = ctx.runCache
  if (!cache) return
  let set = cache.get(RECTIFIED) as WeakSet<Float32Array> | undefined
  if (!set) cache.set(RECTIFIED, (set = new WeakSet()))
  set.add(data)
}

/** True when the producer of `data` already applied this Relu (see markRectified). */
export function isRectified(ctx: OpContext, data: unknown): boolean {
  const set = ctx.runCache?.get(RECTIFIED) as WeakSet<object> | undefined
  return set !== undefined && typeof data === 'object' && data !== null && set.has(data)
}
