/**
 * Shape arithmetic shared by the ops: numpy/TensorFlow broadcasting, axis normalisation, and
 * TensorFlow's windowed output sizes and SAME/VALID/EXPLICIT padding
 * (tensorflow/core/framework/kernel_shape_util.cc, GetWindowedOutputSizeVerbose).
 * Functions return `undefined` or throw plain Errors with a short reason; ops turn them into
 * errors that name the node.
 */
import {shapeString} from '../core/tensor.js'

/** Row-major strides of a shape (the last dim has stride 1). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length)
  let s = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s
    s *= shape[i]
  }
  return strides
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i])
}

/**
 * The broadcast shape of two shapes (numpy rules, as TensorFlow's BCast: dims are aligned at the
 * right; each pair must be equal or contain a 1), or undefined when they are incompatible.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length)
  const out = new Array<number>(rank)
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]
    if (da === db || db === 1) out[i] = da
    else if (da === 1) out[i] = db
    else return undefined
  }
  return out
}

/**
 * Strides to read an input of `shape` broadcast to `outShape` (0 on broadcast dims), aligned to
 * outShape's rank.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape)
  const offset = outShape.length - shape.length
  return outShape.map((d, i) => (i < offset || shape[i - offset] === 1 ? 0 : own[i - offset]))
}

/** Axis in [-rank, rank) → [0, rank), or undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) return undefined
  return axis < 0 ? axis + rank : axis
}

export type Padding = 'SAME' | 'VALID' | 'EXPLICIT'

export interface WindowDim {
  /** Output size along the dimension. */
  out: number
  /** Padding before (top/left). Taps before it read padding. */
  padBefore: number
  padAfter: number
}

/**
 * TensorFlow's GetWindowedOutputSizeVerbose for one spatial dimension.
 * - VALID: out = trunc((in − k_eff + stride) / stride) (C++ integer division), no padding.
 * - SAME: out = ceil(in / stride); total = max(0, (out − 1)·stride + k_eff − in);
 *   padBefore = floor(total / 2), padAfter = total − padBefore.
 * - EXPLICIT: out = trunc((in + before + after − k_eff + stride) / stride).
 * k_eff = (k − 1)·dilation + 1. Throws when the output size would be negative (TF's error);
 * an output size of 0 is allowed, as in TF.
 */
export function windowDim(
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: Padding,
  explicit: [number, number] = [0, 0],
): WindowDim {
  if (stride < 1) throw new Error(`stride must be at least 1, got ${stride}`)
  if (dilation < 1) throw new Error(`dilation must be at least 1, got ${dilation}`)
  if (kernel < 1) throw new Error(`window size must be at least 1, got ${kernel}`)
  const effective = (kernel - 1) * dilation + 1
  let dim: WindowDim
  switch (padding) {
    case 'VALID':
      dim = {out: Math.trunc((inSize - effective + stride) / stride), padBefore: 0, padAfter: 0}
      break
    case 'SAME': {
      const out = Math.floor((inSize + stride - 1) / stride)
      const total = Math.max(0, (out - 1) * stride + effective - inSize)
      const padBefore = Math.floor(total / 2)
      dim = {out, padBefore, padAfter: total - padBefore}
      break
    }
    case 'EXPLICIT': {
      const [before, after] = explicit
      if (before < 0 || after < 0) throw new Error(`explicit padding must be non-negative, got [${before},${after}]`)
      dim = {out: Math.trunc((inSize + before + after - effective + stride) / stride), padBefore: before, padAfter: after}
      break
    }
  }
  if (dim.out < 0) {
    throw new Error(`a window of size ${effective} on an input of size ${inSize} with ${padding} padding gives a negative output size`)
  }
  return dim
}

/** Shape after reducing `axes` (normalised, unique) of `shape`. */
export function reducedShape(shape: readonly number[], axes: ReadonlySet<number>, keepDims: boolean): number[] {
  const out: number[] = []
  shape.forEach((d, i) => {
    if (!axes.has(i)) out.push(d)
    else if (keepDims) out.push(1)
  })
  return out
}

export function describeShapes(shapes: readonly (readonly number[])[]): string {
  return shapes.map((s) => shapeString(s)).join(' and ')
}
