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
 */
export interface CodeForm {
  /** One code per element. */
  codes: Uint8Array
  /** Channels: the tables' period (1 = one table for every element). */
  depth: number
  /** 256·depth values, [code][channel]. */
  table: Float32Array
  /**
   * [min, max] of the values, as a sequential scan from ±FLT_MAX (strict comparisons, NaN
   * skipped) finds them, when known and neither is zero (a zero's sign depends on where it
   * occurs first).
   */
  range?: [number, number]
}

const forms = new WeakMap<Float32Array, CodeForm>()
/** For each buffer holding codes, the data arrays whose forms read them. */
const users = new WeakMap<ArrayBufferLike, Float32Array[]>()
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
  const list = users.get(form.codes.buffer)
  if (list) list.push(data)
  else users.set(form.codes.buffer, [data])
}

/** `data`'s buffer is handed out for new contents: every form whose codes live in it is dropped. */
export function bufferRewritten(data: {buffer?: ArrayBufferLike} | unknown[]): void {
  const buffer = Array.isArray(data) ? undefined : data.buffer
  const list = buffer && users.get(buffer)
  if (!list) return
  for (const d of list) forms.delete(d)
  users.delete(buffer)
}

export function codeFormOf(data: Float32Array): CodeForm | undefined {
  return enabled ? forms.get(data) : undefined
}

/** A range for CodeForm.range: undefined when an extreme is zero (its sign is not known). */
export function nonZeroRange(range: [number, number]): [number, number] | undefined {
  return range[0] === 0 || range[1] === 0 ? undefined : range
}
