/** Numpy-style (multidirectional) broadcasting of two shapes, as ONNX's Add/Mul/QLinearAdd use. */
import type {OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {shapeString} from '../../../core/tensor.js'

export function broadcastShape(ctx: OpContext, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1
    const db = b[b.length - rank + i] ?? 1
    if (da !== db && da !== 1 && db !== 1) throw opError(ctx, `shapes ${shapeString(a)} and ${shapeString(b)} do not broadcast`)
    out.push(da === 1 ? db : da)
  }
  return out
}

/** For each element of `out`, the flat index into a tensor of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const size = out.reduce((p, d) => p * d, 1)
  const idx = new Int32Array(size)
  const rank = out.length
  const strides = new Array<number>(rank).fill(0)
  let s = 1
  for (let i = rank - 1; i >= 0; i--) {
    const d = shape[shape.length - rank + i] ?? 1
    strides[i] = d === 1 ? 0 : s
    s *= d
  }
  const coord = new Array<number>(rank).fill(0)
  let flat = 0
  for (let i = 0; i < size; i++) {
    idx[i] = flat
    for (let k = rank - 1; k >= 0; k--) {
      coord[k]++
      flat += strides[k]
      if (coord[k] < out[k]) break
      flat -= strides[k] * out[k]
      coord[k] = 0
    }
  }
  return idx
}
