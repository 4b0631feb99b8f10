/**
 * Pad and PadV2 (constant mode): out[i] = in[i − before] inside the copied region, and 0 (Pad) or
 * the scalar `constant_values` (PadV2) outside. `paddings` is an int32/int64 [rank, 2] tensor of
 * non-negative (before, after) pairs. Any element type; values are copied unchanged.
 */
import {registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, input, intValues, opError} from '../opArgs.js'
import {allocate, numElements, shapeString, TF_NAME_BY_DTYPE, type Tensor, type TensorData} from '../tensor.js'
import {stridesOf} from '../shapes.js'

type Flat = Exclude<TensorData, Uint8Array[]>

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
  const out = allocate(t.dtype, numElements(shape))
  if (withConstant) {
    const c = input(ctx, 2, 'constant_values')
    if (c.dtype !== t.dtype) throw opError(ctx, `constant_values is ${TF_NAME_BY_DTYPE[c.dtype]}, input is ${TF_NAME_BY_DTYPE[t.dtype]}`)
    if (numElements(c.shape) !== 1) throw opError(ctx, `constant_values must be a scalar, got shape ${shapeString(c.shape)}`)
    if (Array.isArray(out)) out.fill((c.data as Uint8Array[])[0])
    else (out as Flat).fill((c.data as Flat)[0] as never)
  }
  const size = numElements(t.shape)
  if (size === 0) return [{dtype: t.dtype, shape, data: out}]
  if (rank === 0) {
    ;(out as unknown[])[0] = (t.data as unknown[])[0]
    return [{dtype: t.dtype, shape, data: out}]
  }
  const outStrides = stridesOf(shape)
  const inner = t.shape[rank - 1]
  const rows = size / inner
  const idx = new Array<number>(rank - 1).fill(0)
  let base = 0
  for (let d = 0; d < rank; d++) base += pads[2 * d] * outStrides[d]
  let o = base
  for (let r = 0; r < rows; r++) {
    const start = r * inner
    if (Array.isArray(out) || inner < 64) {
      // Short rows (e.g. NHWC channel padding): a plain loop beats subarray + set.
      const src = t.data as unknown as unknown[]
      const dst = out as unknown as unknown[]
      for (let k = 0; k < inner; k++) dst[o + k] = src[start + k]
    } else {
      ;(out as Flat & {set(a: ArrayLike<number | bigint>, o: number): void}).set((t.data as Flat).subarray(start, start + inner) as ArrayLike<number | bigint>, o)
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++
      o += outStrides[d]
      if (idx[d] < t.shape[d]) break
      o -= outStrides[d] * t.shape[d]
      idx[d] = 0
    }
  }
  return [{dtype: t.dtype, shape, data: out}]
}

registerOp({name: 'Pad', defaults: {Tpaddings: {type: 3}}, compute: (ctx) => pad(ctx, false)})
registerOp({name: 'PadV2', defaults: {Tpaddings: {type: 3}}, compute: (ctx) => pad(ctx, true)})
