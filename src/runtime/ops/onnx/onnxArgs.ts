/**
 * Attribute and input access for ONNX ops (attributes arrive as AttrValues: int → i, float → f,
 * string → s, ints → list.i, floats → list.f; see src/formats/onnx/onnxModel.ts), with ONNX's
 * defaults given at the call site. Errors name the node.
 */
import type {OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {elementAsNumber, shapeString, type Tensor} from '../../../core/tensor.js'

const utf8 = new TextDecoder()

export function intAttr(ctx: OpContext, name: string, dflt: number): number {
  const v = ctx.node.attr[name]
  if (v === undefined) return dflt
  if (v.i === undefined) throw opError(ctx, `attribute '${name}' must be an int`)
  return Number(v.i)
}

export function floatAttr(ctx: OpContext, name: string, dflt: number): number {
  const v = ctx.node.attr[name]
  if (v === undefined) return dflt
  if (v.f === undefined) throw opError(ctx, `attribute '${name}' must be a float`)
  return v.f
}

export function intsAttr(ctx: OpContext, name: string): number[] | undefined {
  const v = ctx.node.attr[name]
  if (v === undefined) return undefined
  if (!v.list) throw opError(ctx, `attribute '${name}' must be a list of ints`)
  return (v.list.i ?? []).map(Number)
}

export function stringAttr(ctx: OpContext, name: string, dflt: string): string {
  const v = ctx.node.attr[name]
  if (v === undefined) return dflt
  return v.s ? utf8.decode(v.s) : ''
}

/** True for an optional input left empty in the model. */
export function isAbsent(t: Tensor | undefined): boolean {
  return t === undefined || (t.shape.length === 1 && t.shape[0] === 0 && t.data.length === 0 && Object.isFrozen(t))
}

export function optionalInput(ctx: OpContext, index: number): Tensor | undefined {
  const t = ctx.inputs[index]
  return isAbsent(t) ? undefined : t
}

export function requiredInput(ctx: OpContext, index: number, name: string): Tensor {
  const t = optionalInput(ctx, index)
  if (!t) throw opError(ctx, `missing input ${index} (${name})`)
  return t
}

/** A scalar (or one-element) input's value. */
export function scalarValue(ctx: OpContext, index: number, name: string): number {
  const t = requiredInput(ctx, index, name)
  if (t.data.length !== 1) throw opError(ctx, `input ${index} (${name}) must hold one value, got shape ${shapeString(t.shape)}`)
  return elementAsNumber(t, 0)
}

/** Values of a scale or zero-point input: one (per tensor) or `count` (per channel). */
export function perChannelValues(ctx: OpContext, index: number, name: string, count: number): number[] {
  const t = requiredInput(ctx, index, name)
  const n = t.data.length
  if (n !== 1 && n !== count) throw opError(ctx, `input ${index} (${name}) must hold 1 or ${count} values, got shape ${shapeString(t.shape)}`)
  return Array.from({length: count}, (_, i) => elementAsNumber(t, n === 1 ? 0 : i))
}

/** The axis attribute normalised to 0..rank-1. */
export function normalizeAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis
  if (a < 0 || a >= Math.max(rank, 1)) throw opError(ctx, `axis ${axis} is out of range for rank ${rank}`)
  return a
}
