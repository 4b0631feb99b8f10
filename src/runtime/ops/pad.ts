/**
 * Pad and PadV2 (constant mode): out[i] = in[i − before] inside the copied region, and 0 (Pad) or
 * the scalar `constant_values` (PadV2) outside. `paddings` is an int32/int64 [rank, 2] tensor of
 * non-negative (before, after) pairs. Any element type; values are copied unchanged.
 * Pad of a numeric tensor with at least NATIVE_PAD_ELEMENTS output elements runs natively
 * (cpp/pad.cc, threads); `pad` below stays the reference twin (test/runtime/pad.test.ts).
 * A float32 H/W Pad read only by a Conv2D (as its input) is folded into that Conv2D's padding
 * (src/runtime/foldedPad.ts): same results, no copy.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, input, intValues, opError} from '../opArgs.js'
import {allocate, numElements, shapeString, TF_NAME_BY_DTYPE, type Tensor, type TensorData} from '../../core/tensor.js'
import {stridesOf} from '../shapes.js'
import {padZeroNative} from '../../native/floatKernels.js'
import {channelCodeRangeNative} from '../../native/quantizedKernels.js'
import {codeFormOf, lookupRange, materialize, recordCodeForm} from '../codeForms.js'
import {sourceOf} from '../bufferSources.js'
import {padFoldsIntoConv, recordPadFold} from '../foldedPad.js'

type Flat = Exclude<TensorData, Uint8Array[]>

/** out[o .. o+len) = src[i .. i+len) for any tensor data. */
function copyBlock(src: TensorData, i: number, out: TensorData, o: number, len: number): void {
  if (len >= 64 && !Array.isArray(src)) {
    ;(out as Flat & {set(a: ArrayLike<number | bigint>, o: number): void}).set((src as Flat).subarray(i, i + len) as ArrayLike<number | bigint>, o)
  } else if (src instanceof Float32Array) {
    const dst = out as Float32Array
    for (let k = 0; k < len; k++) dst[o + k] = src[i + k]
  } else {
    const s = src as unknown as unknown[]
    const d = out as unknown as unknown[]
    for (let k = 0; k < len; k++) d[o + k] = s[i + k]
  }
}

/** Pads (no constant) with at least this many output elements run natively. */
export const NATIVE_PAD_ELEMENTS = 1 << 15

type Padder = 'auto' | 'ts'
let padder: Padder = process.env.AXQ_PAD === 'ts' ? 'ts' : 'auto'
/** Tests: 'ts' forces the TypeScript reference, 'auto' uses the native kernel for large tensors. */
export function setPadKernel(mode: Padder): void {
  padder = mode
}

/**
 * Pad of a float tensor in code form with one table (a Dequantize of 8-bit codes) inside a
 * Session: when a code's value is +0 (the padding value), the output is the padded codes' form,
 * left pending, with its range from the codes' extremes — the same values as padding the floats.
 * Undefined when that does not apply.
 */
async function padCodeForm(ctx: OpContext, t: Tensor, shape: number[], before: number[], after: number[]): Promise<Tensor[] | undefined> {
  const form = t.dtype === 'float32' && ctx.deferFloats ? codeFormOf(t.data as Float32Array) : undefined
  // Only codes the Session keeps alive (a pending form's): others could be handed out as the output below.
  if (!form || form.depth !== 1 || sourceOf(t.data) !== form.codes) return undefined
  const zero = form.table.findIndex((v) => Object.is(v, 0))
  if (zero < 0) return undefined
  const threads = ctx.options.threads
  const codes = outputArray(ctx, 'quint8', numElements(shape)) as Uint8Array
  await padZeroNative(form.codes, codes, [...t.shape], before, after, {threads, fillByte: zero})
  const range = lookupRange(form.table, 1, await channelCodeRangeNative(codes, 1, threads))
  const out = outputArray(ctx, 'float32', codes.length) as Float32Array
  recordCodeForm(out, {codes, depth: 1, table: form.table, range, pending: true})
  return [{dtype: 'float32', shape, data: out}]
}

interface PadGeometry {
  shape: number[]
  before: number[]
  after: number[]
}

/** Pad (no constant) geometry of a numeric tensor large enough for the native kernels, else undefined. */
function nativePadGeometry(ctx: OpContext, t: Tensor | undefined): PadGeometry | undefined {
  if (padder === 'ts' || !t || t.dtype === 'string' || Array.isArray(t.data) || ctx.inputs.length !== 2) return undefined
  const p = input(ctx, 1, 'paddings')
  const rank = t.shape.length
  if (p.shape.length !== 2 || p.shape[0] !== rank || p.shape[1] !== 2) return undefined
  const pads = intValues(ctx, 1, 'paddings')
  if (pads.some((v) => v < 0)) return undefined
  const shape = t.shape.map((d, i) => d + pads[2 * i] + pads[2 * i + 1])
  if (numElements(shape) < NATIVE_PAD_ELEMENTS) return undefined
  return {shape, before: t.shape.map((_, i) => pads[2 * i]), after: t.shape.map((_, i) => pads[2 * i + 1])}
}

async function padNativeOrReference(ctx: OpContext, withConstant: boolean): Promise<Tensor[]> {
  const t = ctx.inputs[0]
  const g = withConstant ? undefined : nativePadGeometry(ctx, t)
  const viaForm = g && (await padCodeForm(ctx, t, g.shape, g.before, g.after))
  if (viaForm) return viaForm
  await materialize(t?.data, ctx.options.threads)
  if (!g) return pad(ctx, withConstant)
  expectInputCount(ctx, 2)
  const out = outputArray(ctx, t.dtype, numElements(g.shape)) as Flat
  await padZeroNative(t.data as Flat, out, [...t.shape], g.before, g.after, {threads: ctx.options.threads})
  return [{dtype: t.dtype, shape: g.shape, data: out}]
}

function pad(ctx: OpContext, withConstant: boolean): Tensor[] {
  expectInputCount(ctx, withConstant ? 3 : 2)
  const t = input(ctx, 0, 'input')
  const p = input(ctx, 1, 'paddings')
  const rank = t.shape.length
  if (p.shape.length !== 2 || p.shape[0] !== rank || p.shape[1] !== 2) {
    throw opError(ctx, `paddings must have shape [${rank},2] for an input of shape ${shapeString(t.shape)}, got ${shapeString(p.shape)}`)
  }
  const pads = intValues(ctx, 1, 'paddings')
  for (const v of pads) if (v < 0) throw opError(ctx, `paddings must be non-negative, got [${pads.join(',')}]`)
  const shape = t.shape.map((d, i) => d + pads[2 * i] + pads[2 * i + 1])
  // A recycled buffer holds old values: Pad writes its zeros explicitly.
  const out = t.dtype === 'string' ? allocate(t.dtype, numElements(shape)) : outputArray(ctx, t.dtype, numElements(shape))
  if (!withConstant && !Array.isArray(out)) {
    if (out instanceof BigInt64Array) out.fill(0n)
    else (out as Exclude<Flat, BigInt64Array>).fill(0)
  }
  if (withConstant) {
    const c = input(ctx, 2, 'constant_values')
    if (c.dtype !== t.dtype) throw opError(ctx, `constant_values is ${TF_NAME_BY_DTYPE[c.dtype]}, input is ${TF_NAME_BY_DTYPE[t.dtype]}`)
    if (numElements(c.shape) !== 1) throw opError(ctx, `constant_values must be a scalar, got shape ${shapeString(c.shape)}`)
    if (Array.isArray(out)) out.fill((c.data as Uint8Array[])[0])
    else (out as Flat).fill((c.data as Flat)[0] as never)
  }
  const size = numElements(t.shape)
  if (size === 0) return [{dtype: t.dtype, shape, data: out}]
  // Copy blocks: dims after the last padded one are unpadded, so the input's extent from that dim
  // on lands contiguously in the output (e.g. H/W padding of NHWC copies whole W·C rows).
  let last = -1
  for (let d = 0; d < rank; d++) if (pads[2 * d] !== 0 || pads[2 * d + 1] !== 0) last = d
  if (last < 0) {
    copyBlock(t.data, 0, out, 0, size)
    return [{dtype: t.dtype, shape, data: out}]
  }
  const outStrides = stridesOf(shape)
  const block = numElements(t.shape.slice(last))
  const outer = t.shape.slice(0, last)
  const blocks = size / block
  const idx = new Array<number>(last).fill(0)
  let o = 0
  for (let d = 0; d <= last; d++) o += pads[2 * d] * outStrides[d]
  for (let r = 0; r < blocks; r++) {
    copyBlock(t.data, r * block, out, o, block)
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++
      o += outStrides[d]
      if (idx[d] < outer[d]) break
      o -= outStrides[d] * outer[d]
      idx[d] = 0
    }
  }
  return [{dtype: t.dtype, shape, data: out}]
}

/**
 * A float32 NHWC Pad of H and W only, read by a Conv2D alone as its input, in a Session: the
 * output keeps the padded shape but is neither copied nor written; the Conv2D pads by itself
 * (src/runtime/foldedPad.ts). Undefined when that does not apply (then Pad runs as usual).
 */
function padFoldedIntoConv(ctx: OpContext): Tensor[] | undefined {
  const t = ctx.inputs[0]
  if (ctx.inputs.length !== 2 || t?.dtype !== 'float32' || t.shape.length !== 4 || codeFormOf(t.data as Float32Array)) return undefined
  const p = ctx.inputs[1]
  if (p.shape.length !== 2 || p.shape[0] !== 4 || p.shape[1] !== 2 || !padFoldsIntoConv(ctx)) return undefined
  const pads = intValues(ctx, 1, 'paddings')
  if (pads.some((v) => v < 0) || pads[0] !== 0 || pads[1] !== 0 || pads[6] !== 0 || pads[7] !== 0) return undefined
  const shape = t.shape.map((d, i) => d + pads[2 * i] + pads[2 * i + 1])
  const out = outputArray(ctx, 'float32', numElements(shape))
  recordPadFold(ctx, out, {source: t, top: pads[2], left: pads[4]})
  return [{dtype: 'float32', shape, data: out}]
}

// Pad reads code forms (padCodeForm) and writes pending inputs before any other path.
registerOp({name: 'Pad', defaults: {Tpaddings: {type: 3}}, readsCodeForms: true, compute: async (ctx) => padFoldedIntoConv(ctx) ?? padNativeOrReference(ctx, false)})
registerOp({name: 'PadV2', defaults: {Tpaddings: {type: 3}}, compute: (ctx) => pad(ctx, true)})
