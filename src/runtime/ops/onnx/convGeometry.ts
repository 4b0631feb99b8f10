/**
 * Geometry of an ONNX Conv/QLinearConv/pooling node over NCHW (2-D): kernel, strides,
 * dilations, pads (explicit or from auto_pad SAME_UPPER/SAME_LOWER/VALID), output size.
 */
import type {OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {intsAttr, stringAttr} from './onnxArgs.js'

export interface ConvGeometry {
  N: number
  C: number
  H: number
  W: number
  KH: number
  KW: number
  strideH: number
  strideW: number
  dilationH: number
  dilationW: number
  padTop: number
  padLeft: number
  /** Padding after the last row and column (0 when absent). */
  padBottom?: number
  padRight?: number
  Ho: number
  Wo: number
}

export function convGeometry(ctx: OpContext, inputShape: readonly number[], kernel: readonly number[], ceilMode = false): ConvGeometry {
  if (inputShape.length !== 4) throw opError(ctx, `axq runs 2-D convolutions and pools on NCHW inputs; got input shape [${inputShape.join(',')}]`)
  const [N, C, H, W] = inputShape
  const [KH, KW] = kernel
  const strides = intsAttr(ctx, 'strides') ?? [1, 1]
  const dilations = intsAttr(ctx, 'dilations') ?? [1, 1]
  const autoPad = stringAttr(ctx, 'auto_pad', 'NOTSET')
  let pads = intsAttr(ctx, 'pads') ?? [0, 0, 0, 0]
  if (strides.length !== 2 || dilations.length !== 2 || pads.length !== 4) throw opError(ctx, 'strides, dilations and pads must have 2, 2 and 4 values (2-D)')
  const [sh, sw] = strides
  const [dh, dw] = dilations
  const effH = (KH - 1) * dh + 1
  const effW = (KW - 1) * dw + 1
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const padFor = (size: number, stride: number, eff: number): [number, number] => {
      const out = Math.ceil(size / stride)
      const total = Math.max(0, (out - 1) * stride + eff - size)
      const small = Math.floor(total / 2)
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small]
    }
    const [t, b] = padFor(H, sh, effH)
    const [l, r] = padFor(W, sw, effW)
    pads = [t, l, b, r]
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0]
  } else if (autoPad !== 'NOTSET') {
    throw opError(ctx, `auto_pad '${autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`)
  }
  const [padTop, padLeft, padBottom, padRight] = pads
  const span = (size: number, before: number, after: number, eff: number, stride: number): number => {
    const v = (size + before + after - eff) / stride
    return (ceilMode ? Math.ceil(v) : Math.floor(v)) + 1
  }
  let Ho = span(H, padTop, padBottom, effH, sh)
  let Wo = span(W, padLeft, padRight, effW, sw)
  // With ceil_mode a last window must start inside the image or its left padding.
  if (ceilMode && (Ho - 1) * sh >= H + padTop) Ho--
  if (ceilMode && (Wo - 1) * sw >= W + padLeft) Wo--
  if (Ho < 1 || Wo < 1) throw opError(ctx, `kernel ${KH}x${KW} does not fit the ${H}x${W} input with these pads`)
  return {N, C, H, W, KH, KW, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop, padLeft, padBottom, padRight, Ho, Wo}
}
