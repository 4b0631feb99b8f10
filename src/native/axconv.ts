/**
 * Typed wrapper of the native AxConv2D kernels (cpp/axconv_*.cc). Every size, shape, array type
 * and parameter is checked here, before native code sees it, so a bad call ends in an AxqError
 * and never in a crash. The kernels run off the event loop (N-API async work) and the fast one
 * on a thread pool.
 *
 * Semantics (for input codes x, filter codes w, zero points zi, zf, product table T):
 *   out = Σ over the KH×KW×C window of ( T[x][w] − x·zf − w·zi + zi·zf )   (int32, wrapping)
 * Taps outside the image use x = padCode = zi mod 256 and still go through the table
 * (padMode 'table'), or contribute nothing (padMode 'zero').
 */
import os from 'node:os'
import {AxqError} from '../errors.js'
import {native} from './binding.js'

export type Padding = 'SAME' | 'VALID'
/**
 * Where the first window starts. 'tensorflow': TF's QuantizedConv2D,
 * off = trunc(((Ho−1)·s + K − H) / 2) for SAME and VALID alike. 'tf-approximate': its AxConv2D,
 * the same for SAME but trunc(((Ho−1)·s + K − H + 1) / 2) for VALID (identical when s ≤ 2).
 */
export type OriginRule = 'tensorflow' | 'tf-approximate'
export type PadMode = 'table' | 'zero'
export type KernelKind = 'fast' | 'reference'

export interface ConvWindow {
  Ho: number
  Wo: number
  offTop: number
  offLeft: number
}

/** Opaque native holder of a layer's prepared product rows (see axconvPreparedFilter). */
export interface PreparedFilterHandle {
  readonly __axqPrepared: unique symbol
}

export interface AxConvRequest {
  /** quint8 codes, NHWC. */
  input: Uint8Array
  inputShape: readonly number[]
  /** quint8 codes, HWIO. */
  filter: Uint8Array
  filterShape: readonly number[]
  /** 65536 products, T[x*256 + w]. */
  table: Uint16Array
  stride: number
  padding: Padding
  originRule?: OriginRule
  zi: number
  zf: number
  padMode?: PadMode
  kernel?: KernelKind
  /** Worker threads for the fast kernel (default: all cores). */
  threads?: number
  /** Reuse per-layer data across calls: the caller guarantees the same filter and table. */
  prepared?: PreparedFilterHandle
  /**
   * Where to write the result (e.g. a buffer recycled by the Session): an Int32Array of exactly
   * N·Ho·Wo·K elements. Every kernel path writes every element, so old contents do not matter.
   * Absent: a new array.
   */
  output?: Int32Array
  /** Names the node (or flag) in error messages. */
  where?: string
  /** Instruction-set variant of the fast kernel (one of axconvInfo().fastVariants; default: the fastest). */
  isa?: string
  /**
   * Bytes of product rows the fast kernel may keep per layer (default and maximum 256 MiB);
   * rows beyond it are built during each call. Tests and benchmarks lower it.
   */
  rowBudget?: number
  /** Bytes per chunk of rows built during the call (default and maximum 1 MiB; tests lower it). */
  rowChunk?: number
  /**
   * The fast kernel takes the 'windows' path when all product rows are kept and one k-tile's rows
   * take at most this many bytes (default 1 MiB: layers with few taps, e.g. Cin = 3; 0: never).
   * Tests move it to cover both paths on the same shapes.
   */
  windowBytes?: number
}

export interface AxConvResult {
  output: Int32Array
  shape: [number, number, number, number]
  /** Native time, including the preparation of the product rows when it happened. */
  seconds: number
  /**
   * CPU seconds of the call: of its one thread (reference kernel, or fast kernel on 1 thread),
   * else of the whole process while it ran. Robust to other processes competing for the CPU.
   */
  cpuSeconds: number
  prepareSeconds: number
  /**
   * How it was computed: 'reference' (the plain loop), 'rows' (product rows kept for the whole
   * layer), 'rows-built' (rows of some output channels built during the call: a layer whose
   * rows exceed the 256 MiB budget, or `rowBudget`), 'windows' (rows kept, few taps: each
   * pixel's whole window at once, see `windowBytes`).
   */
  path: AxConvPath
  /** Instruction-set variant that ran ('reference' for the reference kernel). */
  isa: string
  /** Bytes of product rows kept for this layer. */
  rowBytes: number
  /**
   * [smallest, largest] output value (int32), found while writing (the fast kernel: each block
   * while still in cache); [2147483647, −2147483648] would mean no output, which never happens.
   */
  range: [number, number]
}

export type AxConvPath = 'reference' | 'rows' | 'rows-built' | 'windows'

export interface AxConvInfo {
  /** The variant the fast kernel uses by default (AXQ_SIMD=generic|avx2|avx512 picks another). */
  fastVariant: string
  /** Every variant this build has and this CPU can run, fastest first. */
  fastVariants: string[]
  hardwareThreads: number
}

interface NativeAxConv {
  axconvRun(args: Record<string, unknown>): Promise<{seconds: number; cpuSeconds: number; prepareSeconds: number; path: AxConvPath; isa: string; rowBytes: number; range: [number, number]}>
  axconvPrepared(): PreparedFilterHandle
  axconvInfo(): AxConvInfo
}

function binding(): NativeAxConv {
  const b = native() as unknown as Partial<NativeAxConv>
  if (typeof b.axconvRun !== 'function' || typeof b.axconvPrepared !== 'function') {
    throw new AxqError("the native kernel library has no AxConv2D kernels: rebuild it with 'npm run build:native'")
  }
  return b as NativeAxConv
}

export function axconvInfo(): AxConvInfo {
  return binding().axconvInfo()
}

/** An empty holder for a layer's fast-path data; filled by the first fast call that uses it. */
export function axconvPreparedFilter(): PreparedFilterHandle {
  return binding().axconvPrepared()
}

export function defaultThreads(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
  return Math.max(1, n)
}

const MAX_ELEMENTS = 2 ** 31 - 1

function isDim(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1
}

/** Output size and window origin, TF's GetWindowedOutputSize plus the op's origin rule. */
export function convWindow(
  H: number,
  W: number,
  KH: number,
  KW: number,
  stride: number,
  padding: Padding,
  rule: OriginRule = 'tensorflow',
  where = 'AxConv2D',
): ConvWindow {
  if (!Number.isSafeInteger(stride) || stride < 1) throw new AxqError(`${where}: stride must be a positive integer, got ${stride}`)
  let Ho: number
  let Wo: number
  if (padding === 'VALID') {
    Ho = Math.trunc((H - KH + stride) / stride)
    Wo = Math.trunc((W - KW + stride) / stride)
  } else if (padding === 'SAME') {
    Ho = Math.trunc((H + stride - 1) / stride)
    Wo = Math.trunc((W + stride - 1) / stride)
  } else {
    throw new AxqError(`${where}: padding must be SAME or VALID, got '${String(padding)}'`)
  }
  if (Ho < 1 || Wo < 1) {
    throw new AxqError(`${where}: a ${KH}x${KW} filter with ${padding} padding and stride ${stride} leaves no output for a ${H}x${W} input`)
  }
  const extra = rule === 'tf-approximate' && padding === 'VALID' ? 1 : 0
  const offTop = Math.trunc(((Ho - 1) * stride + KH - H + extra) / 2)
  const offLeft = Math.trunc(((Wo - 1) * stride + KW - W + extra) / 2)
  return {Ho, Wo, offTop, offLeft}
}

/** Run AxConv2D on the native kernels. Validates everything first. */
export async function axConv(req: AxConvRequest): Promise<AxConvResult> {
  const where = req.where ?? 'AxConv2D'
  const fail = (msg: string): never => {
    throw new AxqError(`${where}: ${msg}`, {subject: req.where})
  }
  const {inputShape, filterShape} = req
  if (!Array.isArray(inputShape) || inputShape.length !== 4 || !inputShape.every(isDim)) {
    fail(`input must be 4-dimensional NHWC with positive sizes, got [${String(inputShape)}]`)
  }
  if (!Array.isArray(filterShape) || filterShape.length !== 4 || !filterShape.every(isDim)) {
    fail(`filter must be 4-dimensional HWIO with positive sizes, got [${String(filterShape)}]`)
  }
  const [N, H, W, C] = inputShape
  const [KH, KW, FC, K] = filterShape
  if (FC !== C) fail(`input and filter must have the same depth: ${C} vs ${FC}`)
  if (!(req.input instanceof Uint8Array)) fail('input codes must be a Uint8Array')
  if (!(req.filter instanceof Uint8Array)) fail('filter codes must be a Uint8Array')
  if (!(req.table instanceof Uint16Array) || req.table.length !== 65536) fail('the product table must be a Uint16Array of 65536 entries')
  const inputSize = N * H * W * C
  const filterSize = KH * KW * C * K
  if (inputSize > MAX_ELEMENTS || filterSize > MAX_ELEMENTS) fail('tensor too large')
  if (req.input.length !== inputSize) fail(`input shape [${inputShape.join(',')}] needs ${inputSize} codes, got ${req.input.length}`)
  if (req.filter.length !== filterSize) fail(`filter shape [${filterShape.join(',')}] needs ${filterSize} codes, got ${req.filter.length}`)
  const win = convWindow(H, W, KH, KW, req.stride, req.padding, req.originRule ?? 'tensorflow', where)
  const outputSize = N * win.Ho * win.Wo * K
  if (outputSize > MAX_ELEMENTS) fail('output too large')
  // The fast kernel keeps 512 bytes per filter element (KH·KW·C·K, K rounded up to 8) as
  // product rows up to 256 MiB per layer and builds the rest during each call.
  const kernel = req.kernel ?? 'fast'
  if (kernel !== 'fast' && kernel !== 'reference') fail(`unknown kernel '${String(kernel)}'`)
  for (const [name, v] of [['zi', req.zi], ['zf', req.zf]] as const) {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31 - 1) fail(`zero point ${name} must be an int32, got ${v}`)
  }
  const padMode = req.padMode ?? 'table'
  if (padMode !== 'table' && padMode !== 'zero') fail(`unknown pad mode '${String(padMode)}'`)
  if (req.isa !== undefined && !binding().axconvInfo().fastVariants.includes(req.isa)) {
    fail(`instruction set '${req.isa}' is not available here (${binding().axconvInfo().fastVariants.join(', ')})`)
  }
  if (req.rowBudget !== undefined && !(typeof req.rowBudget === 'number' && req.rowBudget >= 0)) fail(`rowBudget must be a number of bytes >= 0, got ${req.rowBudget}`)
  if (req.windowBytes !== undefined && !(typeof req.windowBytes === 'number' && req.windowBytes >= 0)) fail(`windowBytes must be a number of bytes >= 0, got ${req.windowBytes}`)
  if (req.rowChunk !== undefined && !(Number.isSafeInteger(req.rowChunk) && req.rowChunk >= 1)) fail(`rowChunk must be a positive integer number of bytes, got ${req.rowChunk}`)
  const threads = req.threads ?? defaultThreads()
  if (!Number.isSafeInteger(threads) || threads < 1) fail(`threads must be a positive integer, got ${threads}`)
  let output: Int32Array
  if (req.output === undefined) {
    output = new Int32Array(outputSize)
  } else {
    if (!(req.output instanceof Int32Array)) fail('the output buffer must be an Int32Array')
    if (req.output.length !== outputSize) fail(`the output buffer has ${req.output.length} elements, the output [${N},${win.Ho},${win.Wo},${K}] needs ${outputSize}`)
    output = req.output
  }
  const b = binding()
  const timing = await b.axconvRun({
    N, H, W, C, KH, KW, K,
    Ho: win.Ho,
    Wo: win.Wo,
    stride: req.stride,
    offTop: win.offTop,
    offLeft: win.offLeft,
    zi: req.zi,
    zf: req.zf,
    padCode: ((req.zi % 256) + 256) % 256,
    padMode: padMode === 'table' ? 0 : 1,
    threads: Math.min(threads, 256),
    kernel,
    input: req.input,
    filter: req.filter,
    table: req.table,
    output,
    prepared: req.prepared,
    isa: req.isa,
    rowBudget: req.rowBudget,
    rowChunk: req.rowChunk,
    windowBytes: req.windowBytes,
  })
  return {
    output, shape: [N, win.Ho, win.Wo, K], seconds: timing.seconds, cpuSeconds: timing.cpuSeconds, prepareSeconds: timing.prepareSeconds,
    path: timing.path, isa: timing.isa, rowBytes: timing.rowBytes, range: timing.range,
  }
}
