/**
 * Typed wrapper of the native quantized kernels (cpp/quantized_kernels.cc): the per-element loops
 * of QuantizeV2 (MIN_FIRST, quint8), Dequantize (quint8), Requantize, RequantizationRange, the
 * quint8 activations, QuantizedAdd, QuantizedBiasAdd and the quint8 pools. The TypeScript ops
 * compute every constant and table the TensorFlow way and stay the reference; these only repeat
 * the per-element work on a thread pool, off the event loop. Sizes and types are checked here
 * before anything reaches C++.
 *
 * Each takes an optional `out` array (e.g. a buffer the Session recycles, OpContext.recycle) that
 * it overwrites entirely; by default a new one.
 *
 * Whether an op uses them: `nativeQuantizedKernels(n)` is true when the native library loads,
 * the tensor has at least MIN_NATIVE_ELEMENTS elements and AXQ_QUANTIZED_KERNELS is not 'ts'
 * ('native' forces them for any size; tests use setQuantizedKernelMode).
 */
import {AxqError} from '../errors.js'
import {native} from './binding.js'
import {defaultThreads} from './floatKernels.js'

export const MIN_NATIVE_ELEMENTS = 1 << 15

export type QuantizedKernelMode = 'auto' | 'ts' | 'native'
let mode: QuantizedKernelMode = (['auto', 'ts', 'native'] as const).find((m) => m === process.env.AXQ_QUANTIZED_KERNELS) ?? 'auto'
let available: boolean | undefined

export function setQuantizedKernelMode(m: QuantizedKernelMode): void {
  mode = m
}

function loaded(): boolean {
  if (available === undefined) {
    try {
      available = typeof native().quantizeU8 === 'function'
    } catch {
      available = false
    }
  }
  return available
}

/** Use the native kernels for a tensor of n elements? */
export function nativeQuantizedKernels(n: number): boolean {
  if (mode === 'ts') return false
  if (mode === 'native') {
    if (!loaded()) throw new AxqError('the native library lacks the quantized kernels: rebuild it with npm run build:native')
    return true
  }
  return n >= MIN_NATIVE_ELEMENTS && loaded()
}

function threadsOf(threads: number | undefined): number {
  return Math.max(1, Math.floor(threads ?? defaultThreads()))
}

interface QuantizedNative {
  quantizeU8(x: Float32Array, out: Uint8Array, scale: number, offset: number, lower: number, upper: number, threads: number): Promise<void>
  lutU8ToF32(codes: Uint8Array, table: Float32Array, out: Float32Array, threads: number): Promise<void>
  lutU8ToU8(codes: Uint8Array, table: Uint8Array, out: Uint8Array, threads: number): Promise<void>
  lutByChannelF32(codes: Uint8Array, table: Float32Array, out: Float32Array, depth: number, threads: number, minMax: Float32Array): Promise<void>
  lutByChannelU8(codes: Uint8Array, table: Uint8Array, out: Uint8Array, depth: number, threads: number): Promise<void>
  addLut(x: Uint8Array, tx: Int32Array, y: Uint8Array, ty: Int32Array, out: Int32Array, threads: number, range: Int32Array): Promise<void>
  biasAddLut(x: Uint8Array, table: Int32Array, bias: Int32Array, out: Int32Array, threads: number): Promise<void>
  requantizeI32(x: Int32Array, out: Uint8Array, rs: bigint, offset: bigint, threads: number): Promise<void>
  minMaxI32(x: Int32Array, threads: number): Promise<[number, number]>
  channelCodeRange(codes: Uint8Array, depth: number, range: Uint8Array, threads: number): Promise<void>
  sumMiddleLut(codes: Uint8Array, table: Float32Array, out: Float32Array, a: number, b: number, c: number, threads: number): Promise<void>
  poolU8(x: Uint8Array, out: Uint8Array, dims: number[], average: boolean, threads: number): Promise<void>
}

/**
 * A hint for a fresh (not yet written) large buffer: transparent huge pages on first touch where
 * the OS grants them on request (fewer page faults). Contents unchanged; nothing without the library.
 */
export function adviseHugePages(buffer: ArrayBuffer): void {
  if (buffer.byteLength >= 4 << 20 && loaded()) (native() as unknown as {adviseHugePages?: (b: ArrayBuffer) => void}).adviseHugePages?.(buffer)
}

function lib(): QuantizedNative {
  return native() as unknown as QuantizedNative
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new AxqError(`native quantized kernel: ${what}`)
}

/** QUANTIZE_WITH_EIGEN to quint8 with the constants of quantization.ts eigenQuantizer. */
export async function quantizeU8Native(
  x: Float32Array,
  q: {scale: number; offset: number; lower: number; upper: number},
  threads?: number,
  out: Uint8Array = new Uint8Array(x.length),
): Promise<Uint8Array> {
  check(out.length === x.length, 'output length differs from the input length')
  if (x.length > 0) await lib().quantizeU8(x, out, q.scale, q.offset, q.lower, q.upper, threadsOf(threads))
  return out
}

export async function lutU8ToF32Native(codes: Uint8Array, table: Float32Array, threads?: number, out: Float32Array = new Float32Array(codes.length)): Promise<Float32Array> {
  check(table.length === 256, 'table must have 256 entries')
  check(out.length === codes.length, 'output length differs from the input length')
  if (codes.length > 0) await lib().lutU8ToF32(codes, table, out, threadsOf(threads))
  return out
}

export async function lutU8ToU8Native(codes: Uint8Array, table: Uint8Array, threads?: number, out: Uint8Array = new Uint8Array(codes.length)): Promise<Uint8Array> {
  check(table.length === 256, 'table must have 256 entries')
  check(out.length === codes.length, 'output length differs from the input length')
  if (codes.length > 0) await lib().lutU8ToU8(codes, table, out, threadsOf(threads))
  return out
}

function checkByChannel(codes: Uint8Array, tableLength: number, depth: number, outLength: number): void {
  check(Number.isSafeInteger(depth) && depth >= 1 && codes.length % depth === 0, `${codes.length} codes do not form rows of ${depth} channels`)
  check(tableLength === 256 * depth, `table has ${tableLength} entries, 256 × ${depth} expected`)
  check(outLength === codes.length, 'output length differs from the input length')
}

/**
 * out[i] = table[codes[i]·depth + i mod depth] (one 256-entry table per channel;
 * src/runtime/codeForms.ts), and [min, max] of out as a sequential scan gives them (from
 * ±FLT_MAX, strict comparisons, NaN skipped) except that a zero's sign is unspecified.
 */
export async function lutByChannelF32Native(codes: Uint8Array, table: Float32Array, depth: number, out: Float32Array, threads?: number): Promise<[number, number]> {
  checkByChannel(codes, table.length, depth, out.length)
  const minMax = Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38)
  if (codes.length > 0) await lib().lutByChannelF32(codes, table, out, depth, threadsOf(threads), minMax)
  return [minMax[0], minMax[1]]
}

/** out[i] = table[codes[i]·depth + i mod depth] for 8-bit values. */
export async function lutByChannelU8Native(codes: Uint8Array, table: Uint8Array, depth: number, out: Uint8Array, threads?: number): Promise<Uint8Array> {
  checkByChannel(codes, table.length, depth, out.length)
  if (codes.length > 0) await lib().lutByChannelU8(codes, table, out, depth, threadsOf(threads))
  return out
}

/** out[i] = tx[x[i]] + ty[y[i]] (wrapping); also returns [min, max] of out (highest/lowest when empty). */
export async function addLutNative(x: Uint8Array, tx: Int32Array, y: Uint8Array, ty: Int32Array, threads?: number, out: Int32Array = new Int32Array(x.length)): Promise<{out: Int32Array; range: [number, number]}> {
  check(tx.length === 256 && ty.length === 256, 'tables must have 256 entries')
  check(x.length === y.length, `operands differ in length (${x.length} vs ${y.length})`)
  check(out.length === x.length, 'output length differs from the input length')
  const range = Int32Array.of(2147483647, -2147483648)
  if (x.length > 0) await lib().addLut(x, tx, y, ty, out, threadsOf(threads), range)
  return {out, range: [range[0], range[1]]}
}

export async function biasAddLutNative(x: Uint8Array, table: Int32Array, bias: Int32Array, threads?: number): Promise<Int32Array> {
  check(table.length === 256, 'table must have 256 entries')
  check(bias.length > 0 && x.length % bias.length === 0, `input length ${x.length} is not a multiple of the bias length ${bias.length}`)
  const out = new Int32Array(x.length)
  if (x.length > 0) await lib().biasAddLut(x, table, bias, out, threadsOf(threads))
  return out
}

/** Requantize with quantization.ts requantizeParams' RS and offset (IO − OO + 32768). */
export async function requantizeI32Native(x: Int32Array, rangeScale: bigint, offset: bigint, threads?: number, out: Uint8Array = new Uint8Array(x.length)): Promise<Uint8Array> {
  check(out.length === x.length, 'output length differs from the input length')
  if (x.length > 0) await lib().requantizeI32(x, out, BigInt.asIntN(64, rangeScale), BigInt.asIntN(64, offset), threadsOf(threads))
  return out
}

export async function minMaxI32Native(x: Int32Array, threads?: number): Promise<[number, number]> {
  return lib().minMaxI32(x, threadsOf(threads))
}

/**
 * Per channel of codes viewed as [rows, depth]: the smallest code (range[c]) and the largest
 * (range[depth + c]); 255 and 0 for channels without rows.
 */
export async function channelCodeRangeNative(codes: Uint8Array, depth: number, threads?: number): Promise<Uint8Array> {
  check(Number.isSafeInteger(depth) && depth >= 1 && codes.length % depth === 0, `${codes.length} codes do not form rows of ${depth} channels`)
  const range = new Uint8Array(2 * depth)
  range.fill(255, 0, depth)
  if (codes.length > 0) await lib().channelCodeRange(codes, depth, range, threadsOf(threads))
  return range
}

/**
 * Codes viewed as [a, b, c]: out[i·c + k] = Σ_j table[codes[(i·b + j)·c + k]], sequential float32
 * sums over j from 0 (Sum/Mean over middle axes of a Dequantize, from its codes).
 */
export async function sumMiddleLutNative(codes: Uint8Array, table: Float32Array, a: number, b: number, c: number, threads?: number): Promise<Float32Array> {
  check([a, b, c].every((d) => Number.isSafeInteger(d) && d >= 0) && codes.length === a * b * c, `${codes.length} codes are not [${a}, ${b}, ${c}]`)
  check(table.length === 256, 'table must have 256 entries')
  const out = new Float32Array(a * c)
  if (out.length > 0) await lib().sumMiddleLut(codes, table, out, a, b, c, threadsOf(threads))
  return out
}

export interface PoolDims {
  n: number
  h: number
  w: number
  c: number
  kh: number
  kw: number
  sh: number
  sw: number
  oh: number
  ow: number
  padTop: number
  padLeft: number
}

/** `out` (e.g. a recycled buffer) must hold n·oh·ow·c codes; the kernel writes every one. */
export async function poolU8Native(x: Uint8Array, d: PoolDims, average: boolean, threads?: number, out?: Uint8Array): Promise<Uint8Array> {
  const dims = [d.n, d.h, d.w, d.c, d.kh, d.kw, d.sh, d.sw, d.oh, d.ow, d.padTop, d.padLeft]
  check(dims.every((v) => Number.isSafeInteger(v) && v >= 0), `invalid pool geometry [${dims.join(',')}]`)
  check(d.kh >= 1 && d.kw >= 1 && d.sh >= 1 && d.sw >= 1, 'window and strides must be at least 1')
  check(x.length === d.n * d.h * d.w * d.c, `input has ${x.length} values, the geometry needs ${d.n * d.h * d.w * d.c}`)
  const size = d.n * d.oh * d.ow * d.c
  if (out === undefined) out = new Uint8Array(size)
  check(out.length === size, `output has ${out.length} values, the geometry needs ${size}`)
  if (out.length > 0) await lib().poolU8(x, out, dims, average, threadsOf(threads))
  return out
}
