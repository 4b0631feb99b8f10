/**
 * Cast between real types (attrs SrcT, DstT), as TF's CPU cast (static_cast on x86-64):
 * - to a float type: the value rounded to nearest (float32: one rounding from the exact value,
 *   except int64 inputs beyond 2^53, which round twice);
 * - float to int: truncation toward zero; NaN and out-of-range values give the x86 "integer
 *   indefinite" value for 32/64-bit targets (INT_MIN) and wrap for narrower ones;
 * - int to narrower int: wraps modulo 2^bits; to bool: x ≠ 0; bool to anything: 0 or 1.
 */
import {registerOp} from '../opRegistry.js'
import {attr, expectInputCount, input, opError} from '../opArgs.js'
import {allocate, TF_NAME_BY_DTYPE, type DType, type TensorData} from '../../core/tensor.js'

const REAL: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'int8', 'int16', 'uint16', 'bool']
const FLOATS = new Set<DType>(['float32', 'float64'])

function floatToInt32(v: number): number {
  if (!(v > -2147483649 && v < 2147483648)) return -2147483648
  return Math.trunc(v)
}

registerOp({
  name: 'Cast',
  defaults: {Truncate: {b: false}},
  compute(ctx) {
    expectInputCount(ctx, 1)
    const t = input(ctx, 0, 'x')
    const dst = attr.type(ctx, 'DstT')
    if (ctx.hasAttr('SrcT')) {
      const src = attr.type(ctx, 'SrcT')
      if (src !== t.dtype) throw opError(ctx, `input is ${TF_NAME_BY_DTYPE[t.dtype]} but SrcT is ${TF_NAME_BY_DTYPE[src]}`)
    }
    if (!REAL.includes(t.dtype) || !REAL.includes(dst)) {
      throw opError(ctx, `cast from ${TF_NAME_BY_DTYPE[t.dtype]} to ${TF_NAME_BY_DTYPE[dst]} is not supported`)
    }
    if (dst === t.dtype) return [t]
    const n = t.data.length
    const src = t.data as ArrayLike<number | bigint>
    const out = allocate(dst, n) as Exclude<TensorData, Uint8Array[]>
    const fromFloat = FLOATS.has(t.dtype)
    if (dst === 'int64') {
      const o = out as BigInt64Array
      for (let i = 0; i < n; i++) {
        const v = src[i]
        if (typeof v === 'bigint') o[i] = v
        else if (fromFloat && !(v >= -9223372036854775808 && v < 9223372036854775808)) o[i] = -9223372036854775808n
        else o[i] = BigInt(Math.trunc(v))
      }
    } else {
      const o = out as Exclude<typeof out, BigInt64Array>
      for (let i = 0; i < n; i++) {
        const raw = src[i]
        const v = typeof raw === 'bigint' ? (dst === 'float32' || dst === 'float64' ? Number(raw) : Number(BigInt.asIntN(32, raw))) : raw
        if (dst === 'bool') o[i] = v !== 0 ? 1 : 0
        else if (FLOATS.has(dst)) o[i] = v
        else if (fromFloat) o[i] = floatToInt32(v) // typed-array stores wrap to 8/16 bits
        else o[i] = v
      }
    }
    return [{dtype: dst, shape: [...t.shape], data: out}]
  },
})
