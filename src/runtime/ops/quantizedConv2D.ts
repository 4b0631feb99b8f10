/**
 * QuantizedConv2D (tensorflow/core/kernels/quantized_conv_ops.cc) and AxConv2D (tf-approximate's
 * tf1/axqconv/axqconv.cc): quint8 NHWC input × quint8 HWIO filter → qint32, on the native kernels.
 *
 * Both compute, for zero points zi = F2Q(0; min_input, max_input) and zf likewise (TF's
 * double-precision FloatToQuantizedUnclamped, cast to int32),
 *   acc = Σ ( T[x][w] − x·zf − w·zi + zi·zf )   over the window, int32 with wraparound,
 * with T the exact product table for QuantizedConv2D and the AxMult table (AxTune: columns
 * remapped, src/mults/tune.ts) for AxConv2D. Out-of-image taps:
 * - AxConv2D: x = zi as a quint8 code (zi mod 256), through the table;
 * - QuantizedConv2D, zi ≥ 0: TF's im2col path fills the border with the same code, and with the
 *   exact table that contributes (x − zi)(w − zf) = 0 whenever 0 ≤ zi ≤ 255;
 * - QuantizedConv2D, zi < 0: TF falls back to ReferenceConvFunctor, where border taps add 0.
 * Output range: QuantizationRangeForMultiplication<quint8, quint8, qint32>.
 *
 * The per-layer product rows of the fast kernel depend only on (filter, table, tune): they are
 * kept in the node's OpContext.cache and reused while those stay the same. The kernels report
 * the range of the qint32 codes they wrote (rememberInt32Range, read by RequantizationRange).
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectDType, expectInputCount, expectRank, opError} from '../opArgs.js'
import {makeTensor, type Tensor} from '../../core/tensor.js'
import {makeAttr} from '../../graph/attrs.js'
import {axConv, axconvPreparedFilter, convWindow, defaultThreads, type KernelKind, type Padding, type PreparedFilterHandle} from '../../native/axconv.js'
import {EXACT_MULTIPLIER, exactTable, signednessMismatch, type AnyProductTable, type ProductTable} from '../../mults/table.js'
import {tunedTable} from '../../mults/tune.js'
import {AxqError} from '../../errors.js'
import {rangeScalar, rememberInt32Range} from './quantizedArgs.js'

/** C's round(): halves away from zero, exact for every double. */
function roundHalfAway(x: number): number {
  const t = Math.trunc(x)
  const frac = x - t
  if (frac >= 0.5) return t + 1
  if (frac <= -0.5) return t - 1
  return t
}

/**
 * The quint8 zero point as the conv kernels use it: (int32) FloatToQuantizedUnclamped<quint8>(0,
 * min, max) = −round((double)min × 256 / ((double)f32(max − min) × 256/255)), 0 when min == max.
 */
export function quint8ZeroPoint(min: number, max: number): number {
  if (min === max) return 0
  const range = Math.fround(max - min) * (256 / 255)
  const scale = 256 / range
  const q = roundHalfAway(0 * scale) - roundHalfAway(min * scale)
  if (!Number.isFinite(q)) return 0
  // int64 → int32 conversion of the C++ code (two's complement wraparound).
  return Number(BigInt.asIntN(32, BigInt(q)))
}

/** QuantizationRangeForMultiplication<quint8, quint8, qint32>: (−L·2^31, L·2^31) in float32. */
export function multiplicationRange(minA: number, maxA: number, minB: number, maxB: number): [number, number] {
  const f = Math.fround
  const la = f(f(maxA - minA) / 255)
  const lb = f(f(maxB - minB) / 255)
  const l = f(la * lb)
  return [f(l * -2147483648), f(l * 2147483648)]
}

// Tuned tables, computed once per source table (tuning a table costs 256³ steps).
const tunedCache = new WeakMap<ProductTable, ProductTable>()
let exact: ProductTable | undefined

export function exactProductTable(): ProductTable {
  exact ??= exactTable()
  return exact
}

export function tunedProductTable(table: ProductTable): ProductTable {
  let t = tunedCache.get(table)
  if (!t) {
    t = tunedTable(table)
    tunedCache.set(table, t)
  }
  return t
}

interface PreparedEntry {
  table: ProductTable
  filterShape: number[]
  filter: Uint8Array
  handle: PreparedFilterHandle
}

function preparedFor(ctx: OpContext, table: ProductTable, filter: Tensor): PreparedFilterHandle {
  const key = 'axconv.prepared'
  const data = filter.data as Uint8Array
  const old = ctx.cache.get(key) as PreparedEntry | undefined
  if (
    old &&
    old.table === table &&
    old.filterShape.length === filter.shape.length &&
    old.filterShape.every((d, i) => d === filter.shape[i]) &&
    Buffer.from(old.filter.buffer, old.filter.byteOffset, old.filter.byteLength).equals(
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    )
  ) {
    return old.handle
  }
  const entry: PreparedEntry = {table, filterShape: [...filter.shape], filter: data.slice(), handle: axconvPreparedFilter()}
  ctx.cache.set(key, entry)
  return entry.handle
}

function kernelKind(): KernelKind {
  return process.env.AXQ_KERNEL === 'reference' ? 'reference' : 'fast'
}

async function computeConv(ctx: OpContext, ax: boolean): Promise<Tensor[]> {
  expectInputCount(ctx, 6)
  const input = expectDType(ctx, 0, ['quint8'], 'input')
  const filter = expectDType(ctx, 1, ['quint8'], 'filter')
  expectRank(ctx, input, 4, 0, 'input')
  expectRank(ctx, filter, 4, 1, 'filter')
  const minInput = rangeScalar(ctx, 2, 'min_input')
  const maxInput = rangeScalar(ctx, 3, 'max_input')
  const minFilter = rangeScalar(ctx, 4, 'min_filter')
  const maxFilter = rangeScalar(ctx, 5, 'max_filter')

  const strides = attr.intList(ctx, 'strides')
  if (strides.length !== 4) throw opError(ctx, 'Sliding window strides field must specify 4 dimensions')
  if (strides[1] !== strides[2]) throw opError(ctx, 'Current implementation only supports equal length strides in the row and column dimensions.')
  if (strides[0] !== 1 || strides[3] !== 1) throw opError(ctx, 'Current implementation does not yet support strides in the batch and depth dimensions.')
  const padding = attr.string(ctx, 'padding')
  if (padding !== 'SAME' && padding !== 'VALID') throw opError(ctx, `padding must be SAME or VALID, got '${padding}'`)
  for (const name of ['Tinput', 'Tfilter'] as const) {
    if (ctx.hasAttr(name) && attr.type(ctx, name) !== 'quint8') throw opError(ctx, `attr '${name}' must be quint8 (the only type TensorFlow's CPU kernel registers)`)
  }
  if (ctx.hasAttr('out_type') && attr.type(ctx, 'out_type') !== 'qint32') throw opError(ctx, "attr 'out_type' must be qint32")

  let table: ProductTable
  let originRule: 'tensorflow' | 'tf-approximate'
  let padMode: 'table' | 'zero'
  const zi = quint8ZeroPoint(minInput, maxInput)
  const zf = quint8ZeroPoint(minFilter, maxFilter)
  if (ax) {
    // tf-approximate checks dilations; QuantizedConv2D in TF 1.x never reads them.
    const dilations = attr.optional(ctx, 'dilations', attr.intList, [1, 1, 1, 1])
    if (dilations.length !== 4) throw opError(ctx, 'Dilations field must specify 4 dimensions')
    if (dilations.some((d) => d !== 1)) throw opError(ctx, `dilations [${dilations.join(',')}] are not supported (only 1)`)
    const name = attr.string(ctx, 'AxMult')
    const tune = attr.bool(ctx, 'AxTune')
    let base: AnyProductTable
    if (ctx.options.resolveMultiplier) {
      try {
        base = ctx.options.resolveMultiplier(name)
      } catch (error) {
        if (error instanceof AxqError) throw opError(ctx, error.message)
        throw error
      }
    } else if (name === EXACT_MULTIPLIER) {
      base = exactProductTable()
    } else {
      throw opError(ctx, `multiplier '${name}' cannot be resolved (no multiplier search path in this run)`)
    }
    if (base instanceof Int16Array) throw opError(ctx, signednessMismatch(name, 'signed', 'this AxConv2D (quint8 inputs and filter)'))
    if (!(base instanceof Uint16Array) || base.length !== 65536) throw opError(ctx, `multiplier '${name}' is not a 65536-entry table`)
    table = tune ? tunedProductTable(base) : base
    originRule = 'tf-approximate'
    padMode = 'table'
  } else {
    table = exactProductTable()
    originRule = 'tensorflow'
    padMode = zi < 0 ? 'zero' : 'table'
  }

  const kernel = kernelKind()
  // The output may go into a buffer recycled by the Session: every kernel path writes every
  // element (axConv checks the buffer's length). An impossible geometry is left to axConv's error.
  const [N, H, W] = input.shape
  const [KH, KW, , K] = filter.shape
  let output: Int32Array | undefined
  if (ctx.recycle && [N, H, W, KH, KW, K].every((d) => Number.isSafeInteger(d) && d >= 1) && Number.isSafeInteger(strides[1]) && strides[1] >= 1) {
    const win = convWindow(H, W, KH, KW, strides[1], padding as Padding, originRule, `node '${ctx.node.name}' (${ctx.node.op})`)
    const size = N * win.Ho * win.Wo * K
    if (size <= 2 ** 31 - 1) output = outputArray(ctx, 'qint32', size) as Int32Array
  }
  const result = await axConv({
    input: input.data as Uint8Array,
    inputShape: input.shape,
    filter: filter.data as Uint8Array,
    filterShape: filter.shape,
    table,
    stride: strides[1],
    padding: padding as Padding,
    originRule,
    zi,
    zf,
    padMode,
    kernel,
    threads: ctx.options.threads ?? defaultThreads(),
    prepared: kernel === 'fast' ? preparedFor(ctx, table, filter) : undefined,
    output,
    where: `node '${ctx.node.name}' (${ctx.node.op})`,
  })
  // The range of the codes, found while writing them: RequantizationRange need not scan them.
  rememberInt32Range(ctx, result.output, result.range)
  const [outMin, outMax] = multiplicationRange(minInput, maxInput, minFilter, maxFilter)
  return [
    makeTensor('qint32', result.shape, result.output),
    makeTensor('float32', [], Float32Array.of(outMin)),
    makeTensor('float32', [], Float32Array.of(outMax)),
  ]
}

const convDefaults = {
  out_type: makeAttr.type('qint32'),
  dilations: makeAttr.intList([1, 1, 1, 1]),
}

registerOp({
  name: 'QuantizedConv2D',
  defaults: convDefaults,
  compute: (ctx) => computeConv(ctx, false),
})

registerOp({
  name: 'AxConv2D',
  // tf-approximate's REGISTER_OP("AxConv2D") defaults.
  defaults: {...convDefaults, AxMult: makeAttr.string(EXACT_MULTIPLIER), AxTune: makeAttr.bool(true)},
  compute: (ctx) => computeConv(ctx, true),
})
