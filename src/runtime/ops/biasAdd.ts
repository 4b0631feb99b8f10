/**
 * BiasAdd and BiasAddV1: value + bias along the channel dimension (the last one for NHWC, dim 1
 * for NCHW), element-wise IEEE float32 (or float64/int32) additions.
 */
import {registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectInputCount, input, opError} from '../opArgs.js'
import {allocate, numElements, shapeString, TF_NAME_BY_DTYPE} from '../../core/tensor.js'

type NumArray = Float32Array | Float64Array | Int32Array

function biasAdd(ctx: OpContext, format: string) {
  expectInputCount(ctx, 2)
  const vt = input(ctx, 0, 'value')
  const bt = input(ctx, 1, 'bias')
  if (vt.dtype !== bt.dtype || !['float32', 'float64', 'int32'].includes(vt.dtype)) {
    throw opError(ctx, `value and bias must have the same float, double or int32 type, got ${TF_NAME_BY_DTYPE[vt.dtype]} and ${TF_NAME_BY_DTYPE[bt.dtype]}`)
  }
  if (format !== 'NHWC' && format !== 'NCHW') throw opError(ctx, `unsupported data_format '${format}'`)
  const rank = vt.shape.length
  if (rank < 2) throw opError(ctx, `input 0 (value) must be at least 2-D, got shape ${shapeString(vt.shape)}`)
  const axis = format === 'NHWC' ? rank - 1 : 1
  const channels = vt.shape[axis]
  if (bt.shape.length !== 1 || bt.shape[0] !== channels) {
    throw opError(ctx, `input 1 (bias) must have shape [${channels}] (dimension ${axis} of value ${shapeString(vt.shape)}), got ${shapeString(bt.shape)}`)
  }
  const v = vt.data as NumArray
  const b = bt.data as NumArray
  const out = allocate(vt.dtype, v.length) as NumArray
  const inner = numElements(vt.shape.slice(axis + 1))
  const isInt = vt.dtype === 'int32'
  for (let i = 0, c = 0, r = 0; i < v.length; i++) {
    out[i] = isInt ? (v[i] + b[c]) | 0 : v[i] + b[c]
    if (++r === inner) {
      r = 0
      if (++c === channels) c = 0
    }
  }
  return [{dtype: vt.dtype, shape: [...vt.shape], data: out}]
}

registerOp({
  name: 'BiasAdd',
  defaults: {data_format: {s: new TextEncoder().encode('NHWC')}},
  compute: (ctx) => biasAdd(ctx, attr.string(ctx, 'data_format') || 'NHWC'),
})
registerOp({name: 'BiasAddV1', compute: (ctx) => biasAdd(ctx, 'NHWC')})
