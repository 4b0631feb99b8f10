/**
 * Reading and building AttrValues. Readers take the attr's owner for error messages.
 */
import type {AttrValue, Int64, TensorShapeProto} from './types.js'
import {AxqError} from '../errors.js'
import {dtypeFromEnum, ENUM_BY_DTYPE, type DType} from '../core/tensor.js'

const utf8 = new TextDecoder()
const utf8Encoder = new TextEncoder()

export function int64ToNumber(v: Int64 | undefined): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'number') return v
  if (typeof v === 'string') return Number(v)
  return v.toNumber()
}

function fail(where: string, what: string): never {
  throw new AxqError(`${where}: ${what}`)
}

export const readAttr = {
  int(v: AttrValue, where = 'attr'): number {
    if (v.i === undefined && v.list === undefined && Object.keys(v).length > 0 && !('i' in v)) fail(where, 'expected an int attr')
    return int64ToNumber(v.i)
  },
  float(v: AttrValue, where = 'attr'): number {
    if (!('f' in v) && Object.keys(v).length > 0) fail(where, 'expected a float attr')
    return v.f ?? 0
  },
  bool(v: AttrValue, where = 'attr'): boolean {
    if (!('b' in v) && Object.keys(v).length > 0) fail(where, 'expected a bool attr')
    return v.b ?? false
  },
  string(v: AttrValue, where = 'attr'): string {
    if (!('s' in v) && Object.keys(v).length > 0) fail(where, 'expected a string attr')
    return v.s ? utf8.decode(v.s) : ''
  },
  type(v: AttrValue, where = 'attr'): DType {
    if (!('type' in v)) fail(where, 'expected a type attr')
    return dtypeFromEnum(v.type ?? 0, where)
  },
  intList(v: AttrValue, where = 'attr'): number[] {
    if (!v.list) fail(where, 'expected a list attr')
    return (v.list.i ?? []).map(int64ToNumber)
  },
  shape(v: AttrValue, where = 'attr'): number[] | undefined {
    if (!('shape' in v)) fail(where, 'expected a shape attr')
    return shapeFromProto(v.shape)
  },
}

/** Dims of a TensorShapeProto (-1 for unknown), or undefined when the rank is unknown. */
export function shapeFromProto(shape: TensorShapeProto | undefined): number[] | undefined {
  if (!shape) return []
  if (shape.unknownRank) return undefined
  return (shape.dim ?? []).map((d) => int64ToNumber(d.size))
}

export const makeAttr = {
  int: (i: number): AttrValue => ({i}),
  float: (f: number): AttrValue => ({f}),
  bool: (b: boolean): AttrValue => ({b}),
  string: (s: string): AttrValue => ({s: utf8Encoder.encode(s)}),
  type: (t: DType): AttrValue => ({type: ENUM_BY_DTYPE[t]}),
  intList: (i: number[]): AttrValue => ({list: {i}}),
  shape: (dims: number[]): AttrValue => ({shape: {dim: dims.map((size) => ({size}))}}),
}
