/**
 * Typed wrapper of the native ONNX quantized-convolution kernel (cpp/onnx_qconv.cc): int32
 * accumulators [N, M, Ho, Wo] of a grouped convolution of NCHW codes, through a product table
 * (Int32Array of 65536) or exact. Everything is checked here before native code sees it.
 */
import {AxqError} from '../errors.js'
import {native} from './binding.js'
import {defaultThreads} from './floatKernels.js'

export interface QConvNativeRequest {
  N: number
  C: number
  H: number
  W: number
  M: number
  KH: number
  KW: number
  Ho: number
  Wo: number
  group: number
  strideH: number
  strideW: number
  dilationH: number
  dilationW: number
  padTop: number
  padLeft: number
  zx: number
  zw: number
  /** Operand types: the bytes of x and w read as int8 (true) or uint8. */
  xSigned: boolean
  wSigned: boolean
  x: Uint8Array
  w: Uint8Array
  table: Int32Array | null
  out: Int32Array
  threads?: number
}

type QConvFn = (args: Record<string, unknown>) => Promise<void>

export async function onnxQConvNative(req: QConvNativeRequest): Promise<Int32Array> {
  const dims = [req.N, req.C, req.H, req.W, req.M, req.KH, req.KW, req.Ho, req.Wo, req.group, req.strideH, req.strideW, req.dilationH, req.dilationW]
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 1) || req.C % req.group !== 0 || req.M % req.group !== 0) throw new AxqError('onnxQConv: bad dimensions')
  if (req.x.length !== req.N * req.C * req.H * req.W) throw new AxqError('onnxQConv: x has the wrong size')
  if (req.w.length !== req.M * (req.C / req.group) * req.KH * req.KW) throw new AxqError('onnxQConv: w has the wrong size')
  if (req.out.length !== req.N * req.M * req.Ho * req.Wo) throw new AxqError('onnxQConv: out has the wrong size')
  if (req.table !== null && req.table.length !== 65536) throw new AxqError('onnxQConv: the table must have 65536 entries')
  const fn = (native() as unknown as {onnxQConv?: QConvFn}).onnxQConv
  if (typeof fn !== 'function') throw new AxqError("the native kernel library has no ONNX kernels: rebuild it with 'npm run build:native'")
  await fn({...req, threads: Math.min(req.threads ?? defaultThreads(), 256)})
  return req.out
}
