/**
 * Typed wrapper of the native float32 kernels (cpp/conv2d_float.cc). Shapes are validated here,
 * before anything crosses into C++; the kernels run on a worker thread and resolve when done.
 * Both the fast kernel (an SGEMM with FMA micro-tiles, cpp/sgemm.h) and its reference twin do the
 * same fused multiply-adds per output element in one fixed order (kh, kw, ci ascending, taps
 * outside the image read as +0; see cpp/conv2d_float.h), so results never depend on `threads`
 * or on the instruction-set variant.
 */
import os from 'node:os'
import {native, nativeFunction} from './binding.js'
import {AxqError} from '../errors.js'
import type {PoolDims} from './quantizedKernels.js'

export interface Conv2DFloatGeometry {
  /** Input [n, h, w, c] (NHWC). */
  input: [number, number, number, number]
  /** Filter [kh, kw, c, co] (HWIO). */
  filter: [number, number, number, number]
  /** Output spatial size. */
  outH: number
  outW: number
  strides: [number, number]
  dilations: [number, number]
  /** Padding before the first row and column (SAME/EXPLICIT); taps outside the image are skipped. */
  padTop: number
  padLeft: number
}

type Conv2DFloatFn = (
  input: Float32Array,
  filter: Float32Array,
  output: Float32Array,
  dims: number[],
  threads: number,
  reference: boolean,
  isa?: string,
) => Promise<void>

export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
}

/** The SGEMM instruction-set variants of the fast float convolution this CPU runs, fastest first. */
export function floatConvVariants(): string[] {
  return nativeFunction<() => string[]>('floatConvVariants')()
}

/**
 * Float32 NHWC/HWIO convolution; `reference` selects the plain single-threaded loop, `isa` one of
 * floatConvVariants() (default: the fastest, or AXQ_SIMD's choice). `out` (overwritten entirely)
 * receives the result instead of a new array.
 */
export async function conv2dFloat(
  input: Float32Array,
  filter: Float32Array,
  g: Conv2DFloatGeometry,
  options: {threads?: number; reference?: boolean; isa?: string; out?: Float32Array} = {},
): Promise<Float32Array> {
  const [n, h, w, c] = g.input
  const [kh, kw, ci, co] = g.filter
  const dims = [n, h, w, c, kh, kw, co, g.outH, g.outW, g.strides[0], g.strides[1], g.dilations[0], g.dilations[1], g.padTop, g.padLeft]
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new AxqError(`conv2dFloat: invalid geometry [${dims.join(',')}]`)
  if (ci !== c) throw new AxqError(`conv2dFloat: filter depth ${ci} differs from input depth ${c}`)
  if (input.length !== n * h * w * c) throw new AxqError(`conv2dFloat: input has ${input.length} values, shape needs ${n * h * w * c}`)
  if (filter.length !== kh * kw * c * co) throw new AxqError(`conv2dFloat: filter has ${filter.length} values, shape needs ${kh * kw * c * co}`)
  if (g.strides.some((s) => s < 1) || g.dilations.some((d) => d < 1)) throw new AxqError('conv2dFloat: strides and dilations must be at least 1')
  const size = n * g.outH * g.outW * co
  if (options.out && options.out.length !== size) throw new AxqError(`conv2dFloat: output has ${options.out.length} values, shape needs ${size}`)
  const output = options.out ?? new Float32Array(size)
  if (output.length === 0) return output
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()))
  const fn = native().conv2dFloat as Conv2DFloatFn | undefined
  if (typeof fn !== 'function') throw new AxqError('the native library lacks conv2dFloat: rebuild it with npm run build:native')
  await fn(input, filter, output, dims, threads, options.reference === true, options.isa)
  return output
}

type MomentsFn = (x: Float32Array, mean: Float32Array, variance: Float32Array, rows: number, depth: number, threads: number) => Promise<void>
type ApplyFn = (x: Float32Array, mean: Float32Array, k: Float32Array, offset: Float32Array, y: Float32Array, rows: number, depth: number, threads: number, relu: boolean) => Promise<void>

function rowsOf(x: Float32Array, depth: number, vectors: Float32Array[], what: string): number {
  const rows = depth === 0 ? 0 : x.length / depth
  if (!Number.isInteger(rows) || vectors.some((v) => v.length !== depth)) {
    throw new AxqError(`${what}: ${x.length} values do not form rows of ${depth} channels, or a per-channel vector has the wrong length`)
  }
  return rows
}

/**
 * Batch mean and biased variance of x viewed as [rows, depth] (cpp/fused_batch_norm.cc), written
 * into `mean` and `variance`: sequential float32 sums over the rows of each channel; threads own
 * blocks of channels and never split a channel's rows.
 */
export async function batchNormMomentsFloat(x: Float32Array, depth: number, mean: Float32Array, variance: Float32Array, options: {threads?: number} = {}): Promise<void> {
  const rows = rowsOf(x, depth, [mean, variance], 'batchNormMomentsFloat')
  if (x.length === 0) return
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()))
  await nativeFunction<MomentsFn>('batchNormMomentsFloat')(x, mean, variance, rows, depth, threads)
}

type MomentsCodesFn = (codes: Uint8Array, table: Float32Array, mean: Float32Array, variance: Float32Array, rows: number, depth: number, threads: number) => Promise<void>

/**
 * batchNormMomentsFloat of x[i] = table[codes[i]] (a Dequantize) computed from the codes, with
 * the same sums in the same order (identical bits).
 */
export async function batchNormMomentsCodes(
  codes: Uint8Array,
  table: Float32Array,
  depth: number,
  mean: Float32Array,
  variance: Float32Array,
  options: {threads?: number} = {},
): Promise<void> {
  const rows = depth === 0 ? 0 : codes.length / depth
  if (!Number.isInteger(rows) || table.length !== 256 || mean.length !== depth || variance.length !== depth) {
    throw new AxqError(`batchNormMomentsCodes: ${codes.length} codes, ${depth} channels, table ${table.length}`)
  }
  if (depth === 0) return
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()))
  await nativeFunction<MomentsCodesFn>('batchNormMomentsCodes')(codes, table, mean, variance, rows, depth, threads)
}

/**
 * y = f32(f32(f32(x − mean) · k) + offset) per channel, rows split across threads. `options.out`
 * (x.length elements, overwritten entirely) receives y instead of a new array; with
 * `options.relu`, y = relu(that) (v < 0 ? 0 : v) in the same pass.
 */
export async function batchNormApplyFloat(
  x: Float32Array,
  depth: number,
  mean: Float32Array,
  k: Float32Array,
  offset: Float32Array,
  options: {threads?: number; out?: Float32Array; relu?: boolean} = {},
): Promise<Float32Array> {
  const rows = rowsOf(x, depth, [mean, k, offset], 'batchNormApplyFloat')
  if (options.out && options.out.length !== x.length) throw new AxqError(`batchNormApplyFloat: output has ${options.out.length} values, input ${x.length}`)
  const y = options.out ?? new Float32Array(x.length)
  if (x.length === 0) return y
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()))
  await nativeFunction<ApplyFn>('batchNormApplyFloat')(x, mean, k, offset, y, rows, depth, threads, options.relu === true)
  return y
}

type MinMaxFn = (x: Float32Array, result: Float32Array, threads: number, reference: boolean) => Promise<void>

/**
 * [min, max] of x in one pass (cpp/min_max_float.cc), with the semantics of a sequential scan from
 * ±FLT_MAX replacing only on strictly smaller/greater values (NaN skipped, the first of +0/−0
 * kept), for any thread count; `reference` selects the plain sequential loop.
 */
export async function minMaxFloat(x: Float32Array, options: {threads?: number; reference?: boolean} = {}): Promise<[number, number]> {
  const result = new Float32Array(2)
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()))
  await nativeFunction<MinMaxFn>('minMaxFloat')(x, result, threads, options.reference === true)
  return [result[0], result[1]]
}

type PadFn = (input: ArrayBufferView, output: ArrayBufferView, elemBytes: number, shape: number[], before: number[], after: number[], threads: number, fill: number) => Promise<void>

/**
 * Pad with zeros (cpp/pad.cc), the native twin of src/runtime/ops/pad.ts for numeric tensors:
 * `output` (shape[d] + before[d] + after[d] per dim, same element type) is overwritten entirely.
 * `fillByte` (default 0) is written to every padding byte instead (8-bit codes pad with a code).
 */
export async function padZeroNative(
  input: ArrayBufferView & {length: number; BYTES_PER_ELEMENT: number},
  output: ArrayBufferView & {length: number; BYTES_PER_ELEMENT: number},
  shape: number[],
  before: number[],
  after: number[],
  options: {threads?: number; fillByte?: number} = {},
): Promise<void> {
  const rank = shape.length
  const fill = options.fillByte ?? 0
  if (!Number.isInteger(fill) || fill < 0 || fill > 255) throw new AxqError(`padZeroNative: fill byte ${fill} is not in 0..255`)
  const dims = [...shape, ...before, ...after]
  if (before.length !== rank || after.length !== rank || dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new AxqError(`padZeroNative: invalid geometry [${dims.join(',')}]`)
  }
  if (input.BYTES_PER_ELEMENT !== output.BYTES_PER_ELEMENT) throw new AxqError('padZeroNative: input and output element types differ')
  const inCount = shape.reduce((a, b) => a * b, 1)
  const outCount = shape.reduce((a, d, i) => a * (d + before[i] + after[i]), 1)
  if (input.length !== inCount || output.length !== outCount) {
    throw new AxqError(`padZeroNative: ${input.length} → ${output.length} values, the shape needs ${inCount} → ${outCount}`)
  }
  if (outCount === 0) return
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()))
  await nativeFunction<PadFn>('padZeroBytes')(input, output, input.BYTES_PER_ELEMENT, shape, before, after, threads, fill)
}

/** Float32 element-wise ops and pools on at least this many output elements run natively. */
export const MIN_NATIVE_FLOAT_ELEMENTS = 1 << 15

export type FloatKernelMode = 'auto' | 'ts' | 'native'
let floatMode: FloatKernelMode = (['auto', 'ts', 'native'] as const).find((m) => m === process.env.AXQ_FLOAT_KERNELS) ?? 'auto'
let floatAvailable: boolean | undefined

/** Tests: 'ts' forces the TypeScript reference loops, 'native' the native kernels for any size. */
export function setFloatKernelMode(m: FloatKernelMode): void {
  floatMode = m
}

/** Use the native element-wise/pool kernels (reluFloat, binaryFloat, poolFloat) for n outputs? */
export function nativeFloatKernels(n: number): boolean {
  if (floatMode === 'ts') return false
  if (floatAvailable === undefined) {
    try {
      floatAvailable = typeof native().reluFloat === 'function'
    } catch {
      floatAvailable = false
    }
  }
  if (floatMode === 'native') {
    if (!floatAvailable) throw new AxqError('the native library lacks the float kernels: rebuild it with npm run build:native')
    return true
  }
  return n >= MIN_NATIVE_FLOAT_ELEMENTS && floatAvailable
}

type ReluFn = (x: Float32Array, out: Float32Array, six: boolean, threads: number) => Promise<void>

/** out = relu(x) (`six`: relu6), the native twin of src/runtime/ops/activations.ts. */
export async function reluFloat(x: Float32Array, out: Float32Array, six: boolean, options: {threads?: number} = {}): Promise<void> {
  if (out.length !== x.length) throw new AxqError(`reluFloat: output has ${out.length} values, input ${x.length}`)
  if (x.length === 0) return
  await nativeFunction<ReluFn>('reluFloat')(x, out, six, Math.max(1, Math.floor(options.threads ?? defaultThreads())))
}

export type BinaryFloatOp = 'add' | 'sub' | 'mul' | 'div'
const BINARY_CODES: Record<BinaryFloatOp, number> = {add: 0, sub: 1, mul: 2, div: 3}
type BinaryFn = (op: number, a: Float32Array, b: Float32Array, out: Float32Array, threads: number, relu: boolean) => Promise<void>

/**
 * out[i] = a[i] ∘ b[i] (b of a's length) or a[i] ∘ b[0] (b of length 1), IEEE float32; with
 * `relu`, out[i] = relu(that) (v < 0 ? 0 : v) in the same pass.
 */
export async function binaryFloat(op: BinaryFloatOp, a: Float32Array, b: Float32Array, out: Float32Array, options: {threads?: number; relu?: boolean} = {}): Promise<void> {
  if (out.length !== a.length || (b.length !== a.length && b.length !== 1)) {
    throw new AxqError(`binaryFloat: operands of ${a.length} and ${b.length} values, output ${out.length}`)
  }
  if (a.length === 0) return
  await nativeFunction<BinaryFn>('binaryFloat')(BINARY_CODES[op], a, b, out, Math.max(1, Math.floor(options.threads ?? defaultThreads())), options.relu === true)
}

type PoolFn = (x: Float32Array, out: Float32Array, dims: number[], average: boolean, threads: number) => Promise<void>

/** AvgPool (`average`) or MaxPool over NHWC float32, the native twin of src/runtime/ops/pooling.ts. */
export async function poolFloat(x: Float32Array, out: Float32Array, d: PoolDims, average: boolean, options: {threads?: number} = {}): Promise<void> {
  const dims = [d.n, d.h, d.w, d.c, d.kh, d.kw, d.sh, d.sw, d.oh, d.ow, d.padTop, d.padLeft]
  if (dims.some((v) => !Number.isSafeInteger(v) || v < 0) || d.kh < 1 || d.kw < 1 || d.sh < 1 || d.sw < 1) {
    throw new AxqError(`poolFloat: invalid geometry [${dims.join(',')}]`)
  }
  if (x.length !== d.n * d.h * d.w * d.c || out.length !== d.n * d.oh * d.ow * d.c) {
    throw new AxqError(`poolFloat: ${x.length} → ${out.length} values do not match the geometry [${dims.join(',')}]`)
  }
  if (out.length === 0) return
  await nativeFunction<PoolFn>('poolFloat')(x, out, dims, average, Math.max(1, Math.floor(options.threads ?? defaultThreads())))
}
