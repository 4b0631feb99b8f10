/**
 * A zero Pad of H and W (float32 NHWC) folded into the float Conv2D that alone reads it as its
 * input (OpContext.soleReader): the Conv2D already reads +0 for every tap outside its input
 * (cpp/conv2d_float.h), so convolving the unpadded tensor with the Pad's rows and columns added
 * to its own padding gives the same bits as convolving the padded copy. The Pad then skips the
 * copy: its output keeps the padded shape, but its buffer is never written nor read; the fold
 * recorded here (in the run's cache, dropped after the run) points the Conv2D at the source.
 */
import type {Tensor} from '../core/tensor.js'
import {parseInput} from '../graph/names.js'
import type {OpContext} from './opRegistry.js'
import {recordSource} from './bufferSources.js'

export interface PadFold {
  /** The Pad's input (NHWC). */
  source: Tensor
  /** Rows and columns the Pad adds before the image. */
  top: number
  left: number
}

const FOLDS = Symbol('foldedPad.folds')

/** True when output 0 of this (Pad) node is read by a Conv2D only, as its input 0. */
export function padFoldsIntoConv(ctx: OpContext): boolean {
  const reader = ctx.runCache !== undefined ? ctx.soleReader?.(0) : undefined
  if (reader?.op !== 'Conv2D' || !reader.input?.length) return false
  const ref = parseInput(reader.input[0])
  return !ref.control && ref.node === ctx.node.name && ref.port === 0
}

/** Records that the (unwritten) buffer `data` stands for `fold.source` padded. */
export function recordPadFold(ctx: OpContext, data: object, fold: PadFold): void {
  const cache = ctx.runCache
  if (!cache) return
  let folds = cache.get(FOLDS) as WeakMap<object, PadFold> | undefined
  if (!folds) cache.set(FOLDS, (folds = new WeakMap()))
  folds.set(data, fold)
  // The Session's pool keeps the source alive while the (unwritten) Pad output lives.
  recordSource(data, fold.source.data)
}


/** The fold recorded for a Conv2D input buffer, if its Pad was folded. */
export function padFoldOf(ctx: OpContext, data: object): PadFold | undefined {
  return (ctx.runCache?.get(FOLDS) as WeakMap<object, PadFold> | undefined)?.get(data)
}
