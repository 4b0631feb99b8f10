/**
 * Typed access to an op's inputs and attrs, with errors that name the node. Every op module
 * reads its arguments through these, so messages look the same everywhere:
 * `node 'conv1' (Conv2D): input 1 (filter) must be 4-D, got shape [3,3,16]`.
 */
import type {OpContext} from './opRegistry.js'
import type {Tensor, DType} from '../core/tensor.js'
import {nodeError, type AxqError} from '../errors.js'
import {readAttr} from '../graph/attrs.js'
import {shapeString, TF_NAME_BY_DTYPE, numElements} from '../core/tensor.js'
import type {Padding} from './shapes.js'

export function opError(ctx: OpContext, message: string): AxqError {
  return nodeError(ctx.node, message)
}

function label(index: number, name?: string): string {
  return name ? `input ${index} (${name})` : `input ${index}`
}

/** Data input `index`, or an error when the node has fewer inputs. */
export function input(ctx: OpContext, index: number, name?: string): Tensor {
  const t = ctx.inputs[index]
  if (!t) throw opError(ctx, `missing ${label(index, name)}: the node has ${ctx.inputs.length} data input(s)`)
  return t
}

export function expectInputCount(ctx: OpContext, min: number, max = min): void {
  const n = ctx.inputs.length
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`
    throw opError(ctx, `expects ${want} data input(s), got ${n}`)
  }
}

export function expectDType(ctx: OpContext, index: number, dtypes: readonly DType[], name?: string): Tensor {
  const t = input(ctx, index, name)
  if (!dtypes.includes(t.dtype)) {
    throw opError(ctx, `${label(index, name)} must be ${dtypes.map((d) => TF_NAME_BY_DTYPE[d]).join(' or ')}, got ${TF_NAME_BY_DTYPE[t.dtype]}`)
  }
  return t
}

/** A float32 input and its data. */
export function floatInput(ctx: OpContext, index: number, name?: string): {t: Tensor; data: Float32Array} {
  const t = expectDType(ctx, index, ['float32'], name)
  return {t, data: t.data as Float32Array}
}

export function expectRank(ctx: OpContext, t: Tensor, rank: number, index: number, name?: string): void {
  if (t.shape.length !== rank) {
    throw opError(ctx, `${label(index, name)} must be ${rank}-D, got shape ${shapeString(t.shape)}`)
  }
}

/** The values of an int32/int64 input (e.g. axes, shapes, paddings) as numbers. */
export function intValues(ctx: OpContext, index: number, name?: string): number[] {
  const t = expectDType(ctx, index, ['int32', 'int64'], name)
  const out = new Array<number>(numElements(t.shape))
  const data = t.data as ArrayLike<number | bigint>
  for (let i = 0; i < out.length; i++) out[i] = Number(data[i])
  return out
}

function where(ctx: OpContext, name: string): string {
  return `node '${ctx.node.name}' (${ctx.node.op}): attr '${name}'`
}

export const attr = {
  int: (ctx: OpContext, name: string): number => readAttr.int(ctx.attr(name), where(ctx, name)),
  float: (ctx: OpContext, name: string): number => readAttr.float(ctx.attr(name), where(ctx, name)),
  bool: (ctx: OpContext, name: string): boolean => readAttr.bool(ctx.attr(name), where(ctx, name)),
  string: (ctx: OpContext, name: string): string => readAttr.string(ctx.attr(name), where(ctx, name)),
  type: (ctx: OpContext, name: string): DType => readAttr.type(ctx.attr(name), where(ctx, name)),
  intList: (ctx: OpContext, name: string): number[] => readAttr.intList(ctx.attr(name), where(ctx, name)),
  /** Attr if present (node or default), else `fallback`. */
  optional<T>(ctx: OpContext, name: string, read: (ctx: OpContext, name: string) => T, fallback: T): T {
    return ctx.hasAttr(name) ? read(ctx, name) : fallback
  },
}

/** `padding` attr: SAME, VALID or EXPLICIT (error for anything else). */
export function paddingAttr(ctx: OpContext, allowExplicit = false): Padding {
  const p = attr.string(ctx, 'padding')
  if (p === 'SAME' || p === 'VALID' || (allowExplicit && p === 'EXPLICIT')) return p
  throw opError(ctx, `unsupported padding '${p}' (axq supports ${allowExplicit ? 'SAME, VALID and EXPLICIT' : 'SAME and VALID'})`)
}

/** `data_format` attr; axq's CPU kernels support only NHWC, like TensorFlow's CPU kernels. */
export function expectNHWC(ctx: OpContext): void {
  if (!ctx.hasAttr('data_format')) return
  const f = attr.string(ctx, 'data_format')
  if (f !== 'NHWC' && f !== '') throw opError(ctx, `data_format '${f}' is not supported on CPU (only NHWC)`)
}

/** A 4-element NHWC attr list (strides, ksize, dilations) with batch and depth entries equal to 1. */
export function spatialAttr(ctx: OpContext, name: string): [number, number] {
  const v = attr.intList(ctx, name)
  if (v.length !== 4) throw opError(ctx, `attr '${name}' must have 4 entries, got [${v.join(',')}]`)
  if (v[0] !== 1 || v[3] !== 1) {
    throw opError(ctx, `attr '${name}' = [${v.join(',')}]: only the spatial (H, W) entries may differ from 1`)
  }
  if (v[1] < 1 || v[2] < 1) throw opError(ctx, `attr '${name}' = [${v.join(',')}] must be positive`)
  return [v[1], v[2]]
}
