/**
 * Float32 tensors that are known to be look-ups of 8-bit codes: element i equals
 * table[codes[i]·depth + i mod depth] (one 256-entry table per channel, `depth` channels
 * innermost; depth 1 is one table for all). Dequantize of quint8 codes records this form for its
 * output, FusedBatchNorm (training, NHWC) then computes its statistics and its output from the
 * codes — per (code, channel) values computed once with the very same float32 arithmetic, summed
 * in the same order — and records the form of its own output, so that Min/Max take the range
 * from the values written and QuantizeV2 quantizes 256·depth values instead of
 * every element. Every result is bit-identical to the element-wise path
 * (test/runtime/quantized/codeForms.test.ts).
 *
 * Keys are the data arrays: the Session hands out every recycled buffer as a new typed-array
 * object, so a form never describes a buffer's later contents. The codes are the producer's
 * array, whose buffer may be recycled while the float tensor lives on: outputArray (the one way
 * ops obtain recycled buffers) calls bufferRewritten, which drops every form that reads codes
 * from that buffer.
 *
 * PENDING forms: inside a Session (OpContext.deferFloats) Dequantize and FusedBatchNorm leave
 * their float output unwritten when it has a code form: its readers on ResNet-8's chain (Reshape,
 * Min/Max with the form's range, QuantizeV2, FusedBatchNorm) only need the form. Every other
 * reader gets the values written first (materialize): the Session does it for every op not
 * registered with `readsCodeForms`, for fetched tensors, and form-aware ops do it themselves
 * before a path that reads the values. While a pending tensor lives, the Session keeps the
 * buffer of its codes from being handed out again (bufferSources.ts).
 */
import {lutByChannelF32Native, lutU8ToF32Native, nativeQuantizedKernels} from '../native/quantizedKernels.js'
import {recordSource} from './bufferSources.js'

export interface CodeForm {
  /** One code per element. */
  codes: Uint8Array
  /** Channels: the tables' period (1 = one table for every element). */
  depth: number
  /** 256·depth values, [code][channel]. */
  table: Float32Array
  /**
   * [min, max] of the values, as a sequential scan from ±FLT_MAX (strict comparisons, NaN
   * skipped) finds them, when known (a zero extreme only when its sign is certain: with both
   * zeros present it depends on which occurs first).
   */
  range?: [number, number]
  /** The float array has not been written yet (see PENDING above; materialize writes it). */
  pending?: boolean
  /** Each channel's smallest then largest code (channelCodeRangeNative), when known. */
  codeRange?: Uint8Array
}

const forms = new WeakMap<Float32Array, CodeForm>()
/** For each buffer holding codes, the data arrays whose forms read them. */
const users = new WeakMap<ArrayBufferLike, Float32Array[]>()
/** The codes a tensor recorded as pending reads (kept alive by the Session while it lives). */
let enabled = process.env.AXQ_CODE_FORMS !== 'off'

/** Tests: false turns the code forms off (every op takes its element-wise path). */
export function setCodeForms(on: boolean): void {
  enabled = on
}

export function codeFormsEnabled(): boolean {
  return enabled
}

export function recordCodeForm(data: Float32Array, form: CodeForm): void {
  if (!enabled) return
  if (form.codes.length !== data.length || form.depth < 1 || form.table.length !== 256 * form.depth || data.length % form.depth !== 0) {
    throw new Error(`inconsistent code form: ${form.codes.length} codes for ${data.length} values, depth ${form.depth}, table ${form.table.length}`)
  }
  forms.set(data, form)
  if (form.pending) recordSource(data, form.codes)
  const list = users.get(form.codes.buffer)
  if (list) list.push(data)
  else users.set(form.codes.buffer, [data])
}

/** `data`'s buffer is handed out for new contents: every form whose codes live in it is dropped. */
export function bufferRewritten(data: {buffer?: ArrayBufferLike} | unknown[]): void {
  const buffer = Array.isArray(data) ? undefined : data.buffer
  const list = buffer && users.get(buffer)
  if (!list) return
  // A pending tensor's codes are pinned by the Session while the tensor lives, so forms reaching
  // here (pending or not) belong to tensors nobody reads any more.
  for (const d of list) forms.delete(d)
  users.delete(buffer)
}

/** `data` has a pending code form: its values are not written yet. */
export function isPending(data: unknown): boolean {
  return data instanceof Float32Array && forms.get(data)?.pending === true
}

/** Writes the values of a pending tensor (data[i] = table[codes[i]·depth + i mod depth]); else nothing. */
export async function materialize(data: unknown, threads?: number): Promise<void> {
  if (!(data instanceof Float32Array)) return
  const form = forms.get(data)
  if (!form?.pending) return
  if (nativeQuantizedKernels(data.length)) {
    if (form.depth === 1) await lutU8ToF32Native(form.codes, form.table, threads, data)
    else await lutByChannelF32Native(form.codes, form.table, form.depth, data, threads)
  } else {
    const {codes, table, depth} = form
    for (let i = 0, c = 0; i < data.length; i++) {
      data[i] = table[codes[i] * depth + c]
      if (++c === depth) c = 0
    }
  }
  form.pending = false
}

/**
 * The [min, max] that a sequential scan (from ±FLT_MAX, strict comparisons) finds over
 * table[code·depth + c] for the codes that occur, given each channel's smallest and largest code
 * (codeRange: depth minima, then depth maxima; a channel with min > max has no values). Exact
 * when every channel's table column is monotone between its extremes (then they are its
 * extremes); undefined when one is not or holds a NaN, and when an extreme is zero while both
 * +0 and −0 lie in the columns' code ranges (the scan keeps the first zero it meets).
 */
export function lookupRange(table: Float32Array, depth: number, codeRange: Uint8Array): [number, number] | undefined {
  let lo = FLT_MAX
  let hi = -FLT_MAX
  let plusZero = false
  let minusZero = false
  for (let c = 0; c < depth; c++) {
    const a = codeRange[c]
    const b = codeRange[depth + c]
    if (a > b) continue
    let up = true
    let down = true
    let prev = table[a * depth + c]
    if (prev !== prev) return undefined
    for (let v = a; v <= b; v++) {
      const y = table[v * depth + c]
      if (y !== y) return undefined
      if (y < prev) up = false
      if (y > prev) down = false
      if (y === 0) {
        if (Object.is(y, 0)) plusZero = true
        else minusZero = true
      }
      prev = y
    }
    if (!up && !down) return undefined
    const first = table[a * depth + c]
    const [mn, mx] = up ? [first, prev] : [prev, first]
    if (mn < lo) lo = mn
    if (mx > hi) hi = mx
  }
  if ((lo === 0 || hi === 0) && plusZero && minusZero) return undefined
  return [lo, hi]
}

const FLT_MAX = 3.4028234663852886e38


export function codeFormOf(data: Float32Array): CodeForm | undefined {
  return enabled ? forms.get(data) : undefined
}

/** A range for CodeForm.range: undefined when an extreme is zero (its sign is not known). */
export function nonZeroRange(range: [number, number]): [number, number] | undefined {
  return range[0] === 0 || range[1] === 0 ? undefined : range
}
