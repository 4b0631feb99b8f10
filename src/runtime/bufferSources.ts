/**
 * Buffers a tensor's data reads from without owning them: the codes behind a pending code form
 * (codeForms.ts) and the input of a Pad folded into its Conv2D (foldedPad.ts). The Session's
 * buffer pool keeps such a source out of circulation for as long as the tensor reading it lives.
 * Keyed by the tensor's typed array, which the pool creates anew for every buffer it hands out.
 */
import type {TensorData} from '../core/tensor.js'

const sources = new WeakMap<object, TensorData>()

/** `data` reads from `source` while it lives. */
export function recordSource(data: object, source: TensorData): void {
  sources.set(data, source)
}

/** What `data` reads from (see recordSource), if anything. */
export function sourceOf(data: unknown): TensorData | undefined {
  return typeof data === 'object' && data !== null ? sources.get(data) : undefined
}
