/**
 * QuantizedReshape (tensorflow/core/kernels/quantized_reshape_op.cc): Reshape of the codes (one
 * dimension may be −1 and is inferred), min and max passed through.
 */
import {registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, input, intValues, opError} from '../opArgs.js'
import {numElements, shapeString, type Tensor} from '../../core/tensor.js'
import {makeAttr} from '../../graph/attrs.js'
import {rangeScalar, scalarFloat} from './quantizedArgs.js'

/** The target shape with −1 resolved, or an error message. */
export function resolveReshape(size: number, shape: readonly number[]): number[] | string {
  let unknown = -1
  let known = 1
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]
    if (d === -1) {
      if (unknown >= 0) return `only one input size may be -1, not both ${unknown} and ${i}`
      unknown = i
    } else if (d < 0) return `size ${i} must be non-negative, not ${d}`
    else known *= d
  }
  const out = [...shape]
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      return `input to reshape is a tensor with ${size} values, but the requested shape requires a multiple of ${known}`
    }
    out[unknown] = size / known
  } else if (known !== size) {
    return `input to reshape is a tensor with ${size} values, but the requested shape has ${known}`
  }
  return out
}

function compute(ctx: OpContext): Tensor[] {
  expectInputCount(ctx, 4)
  const t = input(ctx, 0, 'tensor')
  const shape = intValues(ctx, 1, 'shape')
  const shapeT = input(ctx, 1, 'shape')
  if (shapeT.shape.length > 1) throw opError(ctx, `shape must be a vector, got ${shapeString(shapeT.shape)}`)
  const min = rangeScalar(ctx, 2, 'input_min')
  const max = rangeScalar(ctx, 3, 'input_max')
  const resolved = resolveReshape(numElements(t.shape), shape)
  if (typeof resolved === 'string') throw opError(ctx, resolved)
  // Codes are never mutated in place: the output shares the input's buffer.
  return [{dtype: t.dtype, shape: resolved, data: t.data}, scalarFloat(min), scalarFloat(max)]
}

registerOp({name: 'QuantizedReshape', defaults: {Tshape: makeAttr.type('int32')}, compute})
