/**
 * AvgPool and MaxPool (NHWC, float32/float64), after SpatialAvgPool / SpatialMaxPool in
 * tensorflow/core/kernels/pooling_ops_common.h and avgpooling_op.cc.
 * - Windows and SAME/VALID padding as Conv2D (shapes.ts windowDim). ksize and strides must be 1
 *   on batch and depth.
 * - AvgPool: each output is the float sum of its in-image taps, starting from 0 and added in
 *   row-major (h, then w) order, divided once by the number of in-image taps: padded taps are
 *   excluded from the sum and from the count, as in TF.
 * - MaxPool: starts from the type's lowest finite value (Eigen NumTraits::lowest, as TF) and takes
 *   `m < x ? x : m` over the in-image taps.
 * Large float32 pools run natively (cpp/float_elementwise.cc PoolF32, same order); `pool` below
 * is the reference twin (test/runtime/floatNative.test.ts).
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {expectDType, expectInputCount, expectNHWC, expectRank, opError, paddingAttr, spatialAttr} from '../opArgs.js'
import {allocate, type Tensor} from '../../core/tensor.js'
import {windowDim, type WindowDim} from '../shapes.js'
import {nativeFloatKernels, poolFloat} from '../../native/floatKernels.js'

type FloatArray = Float32Array | Float64Array

export interface PoolGeometry {
  n: number
  h: number
  w: number
  c: number
  kh: number
  kw: number
  sh: number
  sw: number
  rows: WindowDim
  cols: WindowDim
}

export function poolGeometry(ctx: OpContext, x: Tensor): PoolGeometry {
  expectNHWC(ctx)
  expectRank(ctx, x, 4, 0, 'input')
  const [kh, kw] = spatialAttr(ctx, 'ksize')
  const [sh, sw] = spatialAttr(ctx, 'strides')
  const padding = paddingAttr(ctx)
  const [n, h, w, c] = x.shape
  try {
    const rows = windowDim(h, kh, sh, 1, padding)
    const cols = windowDim(w, kw, sw, 1, padding)
    return {n, h, w, c, kh, kw, sh, sw, rows, cols}
  } catch (error) {
    throw opError(ctx, (error as Error).message)
  }
}

/** An output position of a pool and the in-image part of its window: rows [hs, he), cols [ws, we). */
export interface PoolWindow {
  /** Offset of the output pixel's first channel. */
  out: number
  /** Offset of the first channel of input pixel (b, 0, 0). */
  image: number
  hs: number
  he: number
  ws: number
  we: number
}

/** Visits every output position of a pool (batch, then row, then column), in memory order. */
export function forEachPoolWindow(g: PoolGeometry, visit: (win: PoolWindow) => void): void {
  const {n, h, w, c, kh, kw, sh, sw} = g
  const oh = g.rows.out
  const ow = g.cols.out
  const win: PoolWindow = {out: 0, image: 0, hs: 0, he: 0, ws: 0, we: 0}
  for (let b = 0; b < n; b++) {
    win.image = b * h * w * c
    for (let i = 0; i < oh; i++) {
      const h0 = i * sh - g.rows.padBefore
      win.hs = Math.max(h0, 0)
      win.he = Math.min(h0 + kh, h)
      for (let j = 0; j < ow; j++) {
        const w0 = j * sw - g.cols.padBefore
        win.ws = Math.max(w0, 0)
        win.we = Math.min(w0 + kw, w)
        win.out = ((b * oh + i) * ow + j) * c
        visit(win)
      }
    }
  }
}

function pool(ctx: OpContext, kind: 'avg' | 'max'): Tensor[] {
  expectInputCount(ctx, 1)
  const xt = expectDType(ctx, 0, ['float32', 'float64'], 'input')
  const g = poolGeometry(ctx, xt)
  const x = xt.data as FloatArray
  const {n, w, c} = g
  const oh = g.rows.out
  const ow = g.cols.out
  const out = allocate(xt.dtype, n * oh * ow * c) as FloatArray
  const lowest = xt.dtype === 'float32' ? -3.4028234663852886e38 : -Number.MAX_VALUE
  // A float64 accumulator for float32 would change the rounding; accumulate in the output array.
  forEachPoolWindow(g, ({out: o, image, hs, he, ws, we}) => {
    if (kind === 'max') for (let ch = 0; ch < c; ch++) out[o + ch] = lowest
    for (let hh = hs; hh < he; hh++) {
      for (let ww = ws; ww < we; ww++) {
        const p = image + (hh * w + ww) * c
        if (kind === 'avg') {
          for (let ch = 0; ch < c; ch++) out[o + ch] += x[p + ch]
        } else {
          for (let ch = 0; ch < c; ch++) {
            const v = x[p + ch]
            if (out[o + ch] < v) out[o + ch] = v
          }
        }
      }
    }
    if (kind === 'avg') {
      const count = Math.max(he - hs, 0) * Math.max(we - ws, 0)
      for (let ch = 0; ch < c; ch++) out[o + ch] = out[o + ch] / count
    }
  })
  return [{dtype: xt.dtype, shape: [n, oh, ow, c], data: out}]
}

async function poolNativeOrReference(ctx: OpContext, kind: 'avg' | 'max'): Promise<Tensor[]> {
  expectInputCount(ctx, 1)
  const xt = expectDType(ctx, 0, ['float32', 'float64'], 'input')
  const g = poolGeometry(ctx, xt)
  const oh = g.rows.out
  const ow = g.cols.out
  const size = g.n * oh * ow * g.c
  if (xt.dtype !== 'float32' || !nativeFloatKernels(size)) return pool(ctx, kind)
  const out = outputArray(ctx, 'float32', size) as Float32Array
  const dims = {n: g.n, h: g.h, w: g.w, c: g.c, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, oh, ow, padTop: g.rows.padBefore, padLeft: g.cols.padBefore}
  await poolFloat(xt.data as Float32Array, out, dims, kind === 'avg', {threads: ctx.options.threads})
  return [{dtype: xt.dtype, shape: [g.n, oh, ow, g.c], data: out}]
}

const defaults = {data_format: {s: new TextEncoder().encode('NHWC')}}
registerOp({name: 'AvgPool', defaults, compute: (ctx) => poolNativeOrReference(ctx, 'avg')})
registerOp({name: 'MaxPool', defaults, compute: (ctx) => poolNativeOrReference(ctx, 'max')})
