/** Small tensor builders and readers for the runtime tests. */
import type {Tensor} from '../../src/core/tensor.js'
import type {AttrValue, NodeDef} from '../../src/graph/types.js'
import {makeAttr} from '../../src/graph/attrs.js'

export const f32 = (shape: number[], values: number[]): Tensor => ({dtype: 'float32', shape, data: Float32Array.from(values)})
export const f64 = (shape: number[], values: number[]): Tensor => ({dtype: 'float64', shape, data: Float64Array.from(values)})
export const i32 = (shape: number[], values: number[]): Tensor => ({dtype: 'int32', shape, data: Int32Array.from(values)})
export const i64 = (shape: number[], values: number[]): Tensor => ({dtype: 'int64', shape, data: BigInt64Array.from(values.map(BigInt))})
export const scalarF32 = (v: number): Tensor => f32([], [v])
export const scalarI32 = (v: number): Tensor => i32([], [v])

export const values = (t: Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number)

export const attrs = {
  ...makeAttr,
  /** 4-entry NHWC list, e.g. strides [1,2,2,1]. */
  nhwc: (h: number, w: number): AttrValue => makeAttr.intList([1, h, w, 1]),
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), rounded to float32. */
export function randomFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    out[i] = (((z ^ (z >>> 14)) >>> 0) / 4294967296) * 2 - 1
  }
  return out
}

/** A NodeDef for graph-building tests. */
export function node(name: string, op: string, input: string[] = [], attr: Record<string, AttrValue> = {}): NodeDef {
  return {name, op, input, attr}
}

/** A Const node holding a float32 tensor (typed float_val field). */
export function constF32(name: string, shape: number[], vals: number[]): NodeDef {
  return node(name, 'Const', [], {
    dtype: makeAttr.type('float32'),
    value: {tensor: {dtype: 1, tensorShape: {dim: shape.map((size) => ({size}))}, floatVal: vals}},
  })
}

export function constI32(name: string, shape: number[], vals: number[]): NodeDef {
  return node(name, 'Const', [], {
    dtype: makeAttr.type('int32'),
    value: {tensor: {dtype: 3, tensorShape: {dim: shape.map((size) => ({size}))}, intVal: vals}},
  })
}

/**
 * Index of the first element whose float32 bits differ (−1 when identical, −2 when the lengths
 * differ). Faster than t.same on large arrays, and exact (tells −0 from 0, compares NaN bits).
 */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length)
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length)
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i
  return -1
}

const fmaBits = new DataView(new ArrayBuffer(8))

/**
 * fma(a, b, c) for float32 a, b, c with one rounding to float32, like std::fma on floats: a·b is
 * exact in float64; a + b is rounded to odd in float64 (53 ≥ 2·24 + 2 bits, so rounding that to
 * float32 equals rounding the exact sum once).
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b
  const s = p + c
  if (!Number.isFinite(s)) return Math.fround(s)
  const v = s - p
  const err = (p - (s - v)) + (c - v) // exact: p + c = s + err
  if (err === 0) return Math.fround(s)
  fmaBits.setFloat64(0, s)
  if ((fmaBits.getUint32(4) & 1) === 0) {
    // s is even: step one unit in the last place towards the exact sum (s ≠ 0 since err ≠ 0)
    const bits = fmaBits.getBigUint64(0)
    fmaBits.setBigUint64(0, err > 0 === s > 0 ? bits + 1n : bits - 1n)
  }
  return Math.fround(fmaBits.getFloat64(0))
}
