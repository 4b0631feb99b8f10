/**
 * Typed wrapper of the native ONNX quantized-convolution kernel (cpp/onnx_qconv.cc): int32
 * accumulators [N, M, Ho, Wo] of a grouped convolution of NCHW codes, through a product table
 * (Int32Array of 65536) or exact. Everything is checked here before native code sees it.
 */
import {AxqError} from '../errors.js'
import {nativeFunction} from './binding.js'
import {defaultThreads} from './floatKernels.js'

/** Requantization of int32 accumulators to output codes, per output channel m. */
export interface Requantization {
  bias: Int32Array | null
  /** Output scale per channel m (float32 values). */
  scales: Float32Array
  zp: number
  /** Output code range (0..255 or −128..127). */
  lo: number
  hi: number
}

/** Threads for a native call: the default, capped at the pool's 256. */
function threadsOf(threads: number | undefined): number {
  return Math.min(threads ?? defaultThreads(), 256)
}

/** Throws unless `r` fits M output channels and its zero point lies in its code range. */
function checkRequantization(fn: string, r: Requantization, M: number): void {
  const fits = r.scales.length === M && (r.bias === null || r.bias.length === M)
  if (!fits || !(r.lo <= r.zp && r.zp <= r.hi && r.lo >= -128 && r.hi <= 255)) throw new AxqError(`${fn}: requantization parameters do not match`)
}

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
  /**
   * The int32 accumulators [N, M, Ho, Wo] (Int32Array), or the requantized output codes as bytes
   * (Uint8Array, with `requantize`): fused, the accumulators never leave the cache.
   */
  out: Int32Array | Uint8Array
  requantize?: Requantization
  threads?: number
  /**
   * Instruction-set variant (one of onnxQConvVariants(); default: the AxConv2D kernels' choice,
   * with VBMI where the CPU has it). 'avx512vbmi' and 'avx512' run depthwise planes on AVX-512
   * (cpp/onnx_depthwise.h), every other variant the plain loop. Results never depend on it.
   */
  isa?: string
}

/** The instruction-set variants onnxQConvNative accepts on this CPU, fastest first. */
export function onnxQConvVariants(): string[] {
  return nativeFunction<() => string[]>('onnxQConvVariants')()
}

type QConvFn = (args: Record<string, unknown>) => Promise<void>

export async function onnxQConvNative<T extends Int32Array | Uint8Array>(req: QConvNativeRequest & {out: T}): Promise<T> {
  const dims = [req.N, req.C, req.H, req.W, req.M, req.KH, req.KW, req.Ho, req.Wo, req.group, req.strideH, req.strideW, req.dilationH, req.dilationW]
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 1) || req.C % req.group !== 0 || req.M % req.group !== 0) throw new AxqError('onnxQConv: bad dimensions')
  if (req.x.length !== req.N * req.C * req.H * req.W) throw new AxqError('onnxQConv: x has the wrong size')
  if (req.w.length !== req.M * (req.C / req.group) * req.KH * req.KW) throw new AxqError('onnxQConv: w has the wrong size')
  if (req.out.length !== req.N * req.M * req.Ho * req.Wo) throw new AxqError('onnxQConv: out has the wrong size')
  if (req.table !== null && req.table.length !== 65536) throw new AxqError('onnxQConv: the table must have 65536 entries')
  const r = req.requantize
  if ((req.out instanceof Uint8Array) !== (r !== undefined)) throw new AxqError('onnxQConv: a Uint8Array out goes with requantize, an Int32Array without')
  if (r) checkRequantization('onnxQConv', r, req.M)
  const {requantize, ...rest} = req
  await nativeFunction<QConvFn>('onnxQConv')({...rest, ...(requantize ?? {}), threads: threadsOf(req.threads)})
  return req.out
}

type RequantizeFn = (
  acc: Int32Array, bias: Int32Array | null, scales: Float32Array, zp: number, lo: number, hi: number,
  nhwc: boolean, N: number, M: number, plane: number, out: Uint8Array, threads: number,
) => Promise<void>
type PadNhwcFn = (
  x: Uint8Array, N: number, C: number, H: number, W: number, Hp: number, Wp: number, padTop: number, padLeft: number,
  pad: number, flip: number, out: Uint8Array, threads: number,
) => Promise<void>

export interface RequantizeRequest extends Requantization {
  /** int32 accumulators [N, M, plane] (NCHW) or [N, plane, M] (nhwc). */
  acc: Int32Array
  nhwc: boolean
  N: number
  M: number
  plane: number
  /** NCHW output codes as bytes. */
  out: Uint8Array
  threads?: number
}

/** Native twin of the JavaScript requantization loop (onnxQuantization.requantize per element). */
export async function onnxRequantizeNative(r: RequantizeRequest): Promise<void> {
  const size = r.N * r.M * r.plane
  if (r.acc.length !== size || r.out.length !== size) throw new AxqError('onnxRequantize: sizes do not match')
  checkRequantization('onnxRequantize', r, r.M)
  await nativeFunction<RequantizeFn>('onnxRequantize')(r.acc, r.bias, r.scales, r.zp, r.lo, r.hi, r.nhwc, r.N, r.M, r.plane, r.out, threadsOf(r.threads))
}

/** NCHW codes → NHWC [N, Hp, Wp, C] padded with `pad`, copied bytes xor `flip` (native). */
export async function onnxPadNhwcNative(
  x: Uint8Array, dims: {N: number; C: number; H: number; W: number; Hp: number; Wp: number; padTop: number; padLeft: number}, pad: number, flip: number, threads?: number,
): Promise<Uint8Array> {
  const {N, C, H, W, Hp, Wp, padTop, padLeft} = dims
  if (x.length !== N * C * H * W) throw new AxqError('onnxPadNhwc: x has the wrong size')
  const out = new Uint8Array(N * Hp * Wp * C)
  await nativeFunction<PadNhwcFn>('onnxPadNhwc')(x, N, C, H, W, Hp, Wp, padTop, padLeft, pad, flip, out, threadsOf(threads))
  return out
}

/** Opaque native holder of one node's prepared product rows for onnxQConvWindowsNative. */
export interface WindowsPreparedHandle {
  readonly __axqOnnxWindows: unique symbol
}

/** An empty holder: the first call that uses it prepares the rows, later calls reuse them. */
export function onnxQConvWindowsPrepared(): WindowsPreparedHandle {
  return nativeFunction<() => WindowsPreparedHandle>('onnxQConvWindowsPrepared')()
}

/** A group-1 convolution's geometry (as the grouped kernel's), one stride for both axes. */
export interface QConvWindowsRequest extends Pick<QConvNativeRequest, 'N' | 'C' | 'H' | 'W' | 'M' | 'KH' | 'KW' | 'Ho' | 'Wo' | 'padTop' | 'padLeft'>, Requantization {
  stride: number
  /** AxConv2D's zero points and padding code (of the codes after `flip`). */
  zi: number
  zf: number
  padCode: number
  /** xor applied to every input code (0x80: int8 codes as shifted unsigned ones). */
  flip: number
  /** NCHW input codes. */
  x: Uint8Array
  /** HWIO filter codes (already flipped). */
  filter: Uint8Array
  table: Uint16Array
  /** NCHW output codes as bytes. */
  out: Uint8Array
  prepared: WindowsPreparedHandle
  threads?: number
  /** Instruction-set variant (one of axconvInfo().fastVariants; default: the fastest). */
  isa?: string
}

/**
 * A group-1 quantized convolution on the AxConv2D kernels' windows loop, NCHW codes in and
 * requantized NCHW codes out, fused (cpp/onnx_qconv_windows.cc). Resolves false, writing
 * nothing, when the layer has too many taps for that loop.
 */
export async function onnxQConvWindowsNative(req: QConvWindowsRequest): Promise<boolean> {
  const {N, C, H, W, M, KH, KW, Ho, Wo} = req
  if (![N, C, H, W, M, KH, KW, Ho, Wo, req.stride].every((d) => Number.isSafeInteger(d) && d >= 1)) throw new AxqError('onnxQConvWindows: bad dimensions')
  if (req.x.length !== N * C * H * W || req.filter.length !== KH * KW * C * M || req.out.length !== N * M * Ho * Wo || req.table.length !== 65536) {
    throw new AxqError('onnxQConvWindows: sizes do not match')
  }
  checkRequantization('onnxQConvWindows', req, M)
  type Fn = (args: Record<string, unknown>) => Promise<boolean>
  return nativeFunction<Fn>('onnxQConvWindows')({...req, threads: threadsOf(req.threads)})
}

/** out[i] = table[a[i]·256 + b[i]] (QLinearAdd's loop for same-shape inputs), native, threaded. */
export async function onnxLookupPairsNative(a: Uint8Array, b: Uint8Array, table: Uint8Array, out: Uint8Array, threads?: number): Promise<void> {
  if (b.length !== a.length || out.length !== a.length || table.length !== 65536) throw new AxqError('onnxLookupPairs: sizes do not match')
  type Fn = (a: Uint8Array, b: Uint8Array, table: Uint8Array, out: Uint8Array, threads: number) => Promise<void>
  await nativeFunction<Fn>('onnxLookupPairs')(a, b, table, out, threadsOf(threads))
}
