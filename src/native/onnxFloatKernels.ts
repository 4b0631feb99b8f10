/**
 * Typed wrapper of the native ONNX float kernels (cpp/onnx_float_kernels.h): Conv and Gemm summed
 * in onnxruntime's (MLAS's) order and Sigmoid as MLAS's logistic kernel, so float ONNX models give onnxruntime's float32 results bit
 * for bit. Shapes are validated here before anything crosses into C++; the kernels run on a
 * worker thread. `reference` selects the plain twin (one output element at a time).
 */
import {AxqError} from '../errors.js'
import {nativeFunction} from './binding.js'
import {defaultThreads} from './floatKernels.js'
import type {QConvNativeRequest} from './onnxKernels.js'

/** The grouped NCHW convolution geometry of the quantized kernel, plus the trailing pads. */
export interface OnnxConvFloatGeometry extends Pick<QConvNativeRequest, 'N' | 'C' | 'H' | 'W' | 'M' | 'group' | 'KH' | 'KW' | 'Ho' | 'Wo' | 'strideH' | 'strideW' | 'dilationH' | 'dilationW' | 'padTop' | 'padLeft'> {
  padBottom: number
  padRight: number
}

export interface OnnxFloatOptions {
  threads?: number
  reference?: boolean
}

type ConvFn = (x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, dims: number[], threads: number, reference: boolean) => Promise<void>
type GemmFn = (a: Float32Array, b: Float32Array, y: Float32Array, dims: number[], transB: boolean, hasInit: boolean, threads: number, reference: boolean) => Promise<void>

function threadsOf(options: OnnxFloatOptions): number {
  return Math.max(1, Math.min(256, Math.floor(options.threads ?? defaultThreads())))
}

/** y [N, M, Ho, Wo] = Conv(x [N, C, H, W], w [M, C/group, KH, KW]) + bias[M]. */
export async function onnxConvFloat(x: Float32Array, w: Float32Array, bias: Float32Array | undefined, g: OnnxConvFloatGeometry, options: OnnxFloatOptions = {}): Promise<Float32Array> {
  const dims = [g.N, g.C, g.H, g.W, g.M, g.group, g.KH, g.KW, g.Ho, g.Wo, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.padBottom, g.padRight]
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0) || dims.slice(0, 14).some((d) => d < 1)) throw new AxqError(`onnxConvFloat: invalid geometry [${dims.join(',')}]`)
  if (g.C % g.group !== 0 || g.M % g.group !== 0) throw new AxqError(`onnxConvFloat: ${g.C} channels and ${g.M} filters do not divide into ${g.group} groups`)
  if (x.length !== g.N * g.C * g.H * g.W) throw new AxqError(`onnxConvFloat: x has ${x.length} values, the shape needs ${g.N * g.C * g.H * g.W}`)
  if (w.length !== g.M * (g.C / g.group) * g.KH * g.KW) throw new AxqError(`onnxConvFloat: w has ${w.length} values, the shape needs ${g.M * (g.C / g.group) * g.KH * g.KW}`)
  if (bias && bias.length !== g.M) throw new AxqError(`onnxConvFloat: the bias has ${bias.length} values, expected ${g.M}`)
  const y = new Float32Array(g.N * g.M * g.Ho * g.Wo)
  await nativeFunction<ConvFn>('onnxConvFloat')(x, w, bias ?? null, y, dims, threadsOf(options), options.reference === true)
  return y
}

/**
 * y [M, N] = a [M, K] · b ([K, N], or [N, K] when transB), added to `init` (the broadcast bias,
 * [M, N]) when given, in the order of onnxruntime's Gemm/MatMul with a constant (pre-packed) B.
 */
export async function onnxGemmFloat(a: Float32Array, b: Float32Array, M: number, N: number, K: number, transB: boolean, init: Float32Array | undefined, options: OnnxFloatOptions = {}): Promise<Float32Array> {
  if (![M, N, K].every((d) => Number.isSafeInteger(d) && d >= 1)) throw new AxqError(`onnxGemmFloat: invalid sizes ${M}x${K}x${N}`)
  if (a.length !== M * K || b.length !== K * N) throw new AxqError(`onnxGemmFloat: operands of ${a.length} and ${b.length} values do not match ${M}x${K} and ${K}x${N}`)
  if (init && init.length !== M * N) throw new AxqError(`onnxGemmFloat: the initial value has ${init.length} values, expected ${M * N}`)
  const y = init ? Float32Array.from(init) : new Float32Array(M * N)
  await nativeFunction<GemmFn>('onnxGemmFloat')(a, b, y, [M, N, K], transB, init !== undefined, threadsOf(options), options.reference === true)
  return y
}

type LogisticFn = (x: Float32Array, y: Float32Array, threads: number, reference: boolean) => Promise<void>

/** onnxruntime's Sigmoid (MLAS's logistic kernel; see cpp/onnx_float_kernels.h). */
export async function onnxLogisticFloat(x: Float32Array, options: OnnxFloatOptions = {}): Promise<Float32Array> {
  const y = new Float32Array(x.length)
  if (x.length > 0) await nativeFunction<LogisticFn>('onnxLogisticFloat')(x, y, threadsOf(options), options.reference === true)
  return y
}
