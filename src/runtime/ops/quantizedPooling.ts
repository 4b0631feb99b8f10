/**
 * QuantizedAvgPool and QuantizedMaxPool (tensorflow/core/kernels/quantized_pooling_ops.cc), quint8
 * NHWC, windows and SAME/VALID padding as the float pools (pooling.ts poolGeometry).
 * - Avg: the codes are summed as int32 over the in-image taps and divided by the number of those
 *   taps with integer division (SpatialAvgPool on int32), i.e. the average is truncated: padded
 *   taps count neither in the sum nor in the count.
 * - Max: the largest in-image code (starting from 0, the type's lowest).
 * Both pass the input range through unchanged.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount} from '../opArgs.js'
import type {Tensor} from '../../core/tensor.js'
import {forEachPoolWindow, poolGeometry, type PoolGeometry} from './pooling.js'
import {checkTypeAttr, quantizedInput, rangeScalar, scalarFloat} from './quantizedArgs.js'
import {nativeQuantizedKernels, poolU8Native} from '../../native/quantizedKernels.js'

export function quantizedPool(x: Uint8Array, g: PoolGeometry, kind: 'avg' | 'max'): Uint8Array {
  const {n, w, c} = g
  const out = new Uint8Array(n * g.rows.out * g.cols.out * c)
  const acc = new Int32Array(c)
  forEachPoolWindow(g, ({out: o, image, hs, he, ws, we}) => {
    acc.fill(0)
    for (let hh = hs; hh < he; hh++) {
      for (let ww = ws; ww < we; ww++) {
        const p = image + (hh * w + ww) * c
        if (kind === 'avg') for (let ch = 0; ch < c; ch++) acc[ch] += x[p + ch]
        else for (let ch = 0; ch < c; ch++) if (acc[ch] < x[p + ch]) acc[ch] = x[p + ch]
      }
    }
    if (kind === 'avg') {
      const count = (he - hs) * (we - ws)
      for (let ch = 0; ch < c; ch++) out[o + ch] = Math.min(255, Math.trunc(acc[ch] / count))
    } else {
      for (let ch = 0; ch < c; ch++) out[o + ch] = acc[ch]
    }
  })
  return out
}

function pool(kind: 'avg' | 'max') {
  return async (ctx: OpContext): Promise<Tensor[]> => {
    expectInputCount(ctx, 3)
    const {t} = quantizedInput(ctx, 0, ['quint8'], 'input')
    checkTypeAttr(ctx, 'T', t, 0)
    const min = rangeScalar(ctx, 1, 'min_input')
    const max = rangeScalar(ctx, 2, 'max_input')
    const g = poolGeometry(ctx, t)
    const x = t.data as Uint8Array
    const dims = {...g, oh: g.rows.out, ow: g.cols.out, padTop: g.rows.padBefore, padLeft: g.cols.padBefore}
    // The native kernel writes every output code, so it may fill a recycled buffer.
    const out = nativeQuantizedKernels(x.length)
      ? await poolU8Native(x, dims, kind === 'avg', ctx.options.threads, outputArray(ctx, 'quint8', g.n * g.rows.out * g.cols.out * g.c) as Uint8Array)
      : quantizedPool(x, g, kind)
    return [{dtype: 'quint8', shape: [g.n, g.rows.out, g.cols.out, g.c], data: out}, scalarFloat(min), scalarFloat(max)]
  }
}

registerOp({name: 'QuantizedAvgPool', compute: pool('avg')})
registerOp({name: 'QuantizedMaxPool', compute: pool('max')})
