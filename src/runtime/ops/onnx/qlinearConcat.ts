/**
 * QLinearConcat (com.microsoft): inputs Y_scale, Y_zero_point, then (X, X_scale, X_zero_point)
 * per tensor; attr axis. As onnxruntime's CPU kernel (contrib_ops/cpu/quantization/
 * qlinear_concat.cc): an input whose scale and zero point equal the output's is copied; any other
 * goes through a 256-entry table, y = QuantizeLinear(float32(sx · (x − zx)), sy, zy) with
 * MlasQuantizeLinear's arithmetic (division, clamp, round half to even).
 */
import {registerOp, MS_DOMAIN, outputArray, type OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {makeTensor, numElements, shapeString, type Tensor} from '../../../core/tensor.js'
import {intAttr, normalizeAxis, requiredInput, scalarValue} from './onnxArgs.js'
import {codeBytes, quantize, rangeOf} from './onnxQuantization.js'

const f = Math.fround

function qlinearConcat(ctx: OpContext): Tensor[] {
  const count = ctx.inputs.length - 2
  if (count < 3 || count % 3 !== 0) throw opError(ctx, `expects Y_scale, Y_zero_point and (X, X_scale, X_zero_point) per input; got ${ctx.inputs.length} inputs`)
  const sy = scalarValue(ctx, 0, 'Y_scale')
  const zyTensor = requiredInput(ctx, 1, 'Y_zero_point')
  const zy = scalarValue(ctx, 1, 'Y_zero_point')
  const dtype = zyTensor.dtype
  if (dtype !== 'uint8' && dtype !== 'int8') throw opError(ctx, `Y_zero_point must be uint8 or int8, got ${dtype}`)
  const inputs = Array.from({length: count / 3}, (_, k) => {
    const x = requiredInput(ctx, 2 + 3 * k, `X${k}`)
    const zTensor = requiredInput(ctx, 4 + 3 * k, `X${k}_zero_point`)
    if (x.dtype !== dtype || zTensor.dtype !== dtype) throw opError(ctx, `input ${k} is ${x.dtype} with a ${zTensor.dtype} zero point; the output is ${dtype}`)
    return {x, sx: scalarValue(ctx, 3 + 3 * k, `X${k}_scale`), zx: scalarValue(ctx, 4 + 3 * k, `X${k}_zero_point`)}
  })
  const rank = inputs[0].x.shape.length
  const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', 0), rank)
  for (const {x} of inputs) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== axis && d !== inputs[0].x.shape[i])) {
      throw opError(ctx, `inputs ${inputs.map((i) => shapeString(i.x.shape)).join(', ')} do not concatenate along axis ${axis}`)
    }
  }
  const shape = [...inputs[0].x.shape]
  shape[axis] = inputs.reduce((s, i) => s + i.x.shape[axis], 0)
  const outer = numElements(shape.slice(0, axis))
  const inner = numElements(shape.slice(axis + 1))
  const out = outputArray(ctx, dtype, numElements(shape)) as Uint8Array | Int8Array
  const O = codeBytes(out)
  const outPitch = shape[axis] * inner
  const range = rangeOf(dtype)
  let offset = 0
  for (const {x, sx, zx} of inputs) {
    const pitch = x.shape[axis] * inner
    const X = codeBytes(x.data as Uint8Array | Int8Array)
    // Same scale and zero point: a copy; otherwise a table from byte to byte.
    const table = f(sx) === f(sy) && zx === zy ? null : new Uint8Array(256)
    if (table) for (let b = 0; b < 256; b++) table[b] = quantize(f(sx * ((dtype === 'int8' ? (b << 24) >> 24 : b) - zx)), sy, zy, range) & 255
    for (let o = 0; o < outer; o++) {
      const src = o * pitch
      const dst = o * outPitch + offset
      if (table) for (let i = 0; i < pitch; i++) O[dst + i] = table[X[src + i]]
      else O.set(X.subarray(src, src + pitch), dst)
    }
    offset += pitch
  }
  return [makeTensor(dtype, shape, out)]
}

registerOp({name: 'QLinearConcat', domain: MS_DOMAIN, compute: qlinearConcat})
