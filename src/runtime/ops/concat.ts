/**
 * ConcatV2: N tensors of one type, joined along `axis` (the last input; negative allowed). All
 * other dimensions must match. Values are copied unchanged.
 */
import {registerOp} from '../opRegistry.js'
import {input, intValues, opError} from '../opArgs.js'
import {allocate, numElements, shapeString, TF_NAME_BY_DTYPE, type TensorData} from '../../core/tensor.js'
import {normalizeAxis} from '../shapes.js'

registerOp({
  name: 'ConcatV2',
  defaults: {Tidx: {type: 3}},
  compute(ctx) {
    if (ctx.inputs.length < 2) throw opError(ctx, `expects at least 2 data inputs (values..., axis), got ${ctx.inputs.length}`)
    const count = ctx.inputs.length - 1
    if (ctx.hasAttr('N')) {
      const n = Number(ctx.attr('N').i ?? count)
      if (n !== count) throw opError(ctx, `attr N = ${n} but the node has ${count} value input(s)`)
    }
    const axisValues = intValues(ctx, count, 'axis')
    if (axisValues.length !== 1) throw opError(ctx, `input ${count} (axis) must be a scalar`)
    const parts = ctx.inputs.slice(0, count)
    const first = input(ctx, 0, 'values')
    const rank = first.shape.length
    if (rank === 0) throw opError(ctx, 'cannot concatenate scalars')
    const axis = normalizeAxis(axisValues[0], rank)
    if (axis === undefined) throw opError(ctx, `axis ${axisValues[0]} is out of range for rank ${rank}`)
    let total = 0
    parts.forEach((p, i) => {
      if (p.dtype !== first.dtype) throw opError(ctx, `input ${i} is ${TF_NAME_BY_DTYPE[p.dtype]}, input 0 is ${TF_NAME_BY_DTYPE[first.dtype]}`)
      if (p.shape.length !== rank || p.shape.some((d, k) => k !== axis && d !== first.shape[k])) {
        throw opError(ctx, `input ${i} has shape ${shapeString(p.shape)}, incompatible with input 0 ${shapeString(first.shape)} for concatenation along axis ${axis}`)
      }
      total += p.shape[axis]
    })
    const shape = [...first.shape]
    shape[axis] = total
    const outer = numElements(first.shape.slice(0, axis))
    const inner = numElements(first.shape.slice(axis + 1))
    const out = allocate(first.dtype, numElements(shape))
    let o = 0
    for (let a = 0; a < outer; a++) {
      for (const p of parts) {
        const len = p.shape[axis] * inner
        const start = a * len
        if (Array.isArray(out)) {
          for (let k = 0; k < len; k++) out[o + k] = (p.data as Uint8Array[])[start + k]
        } else {
          ;(out as Exclude<TensorData, Uint8Array[]> & {set(a: ArrayLike<number | bigint>, o: number): void}).set(
            (p.data as Exclude<TensorData, Uint8Array[]>).subarray(start, start + len) as ArrayLike<number | bigint>,
            o,
          )
        }
        o += len
      }
    }
    return [{dtype: first.dtype, shape, data: out}]
  },
})
