/**
 * QuantizedBiasAdd (tensorflow/core/kernels/quantized_bias_add_op.cc → QuantizedAddUsingEigen in
 * quantization_utils.h), quint8 input [..., C] + quint8 bias [C] → qint32.
 * - Output range (−M·2^17, M·2^17), M = max(max_in, −min_in, max_bias, −min_bias)
 *   (GetOutputMinAndMaxForQuantizedAdd).
 * - Both operands go through the Eigen float path: dequantize (DEQUANTIZE_WITH_EIGEN) then
 *   quantize into the output range (QUANTIZE_WITH_EIGEN<qint32>).
 * - out = in_t + (bias_t + zt), int32 with wraparound, where zt = FloatToQuantized<qint32>(0) of
 *   the output range with the double-precision formula: 0 or −1 depending on its rounding.
 */
import {registerOp, type OpContext} from '../opRegistry.js'
import {expectInputCount, opError} from '../opArgs.js'
import {shapeString, type Tensor} from '../../core/tensor.js'
import {
  eigenDequantizer,
  eigenQuantizer,
  eigenRequantize,
  floatToQuantized,
  outputRangeForQuantizedAdd,
  QINT32,
  QUINT8,
} from '../quantization.js'
import {checkTypeAttr, quantizedInput, rangeScalar, scalarFloat, typeAttr} from './quantizedArgs.js'
import {biasAddLutNative, nativeQuantizedKernels} from '../../native/quantizedKernels.js'

/** Each quint8 code's value in the output range (Eigen float path), 256 entries. */
export function codesInRange(min: number, max: number, outMin: number, outMax: number): Int32Array {
  const d = eigenDequantizer(min, max, QUINT8)
  const e = eigenQuantizer(outMin, outMax, QINT32)
  const table = new Int32Array(256)
  for (let q = 0; q < 256; q++) table[q] = eigenRequantize(q, d, e)
  return table
}

async function compute(ctx: OpContext): Promise<Tensor[]> {
  expectInputCount(ctx, 6)
  const {t: xt} = quantizedInput(ctx, 0, ['quint8'], 'input')
  const {t: bt} = quantizedInput(ctx, 1, ['quint8'], 'bias')
  checkTypeAttr(ctx, 'T1', xt, 0)
  checkTypeAttr(ctx, 'T2', bt, 1)
  typeAttr(ctx, 'out_type', ['qint32'])
  const minIn = rangeScalar(ctx, 2, 'min_input')
  const maxIn = rangeScalar(ctx, 3, 'max_input')
  const minBias = rangeScalar(ctx, 4, 'min_bias')
  const maxBias = rangeScalar(ctx, 5, 'max_bias')
  if (xt.shape.length < 2) throw opError(ctx, `input tensor must be at least 2-D: ${shapeString(xt.shape)}`)
  if (bt.shape.length !== 1) throw opError(ctx, `biases must be 1-D: ${shapeString(bt.shape)}`)
  const c = xt.shape[xt.shape.length - 1]
  if (bt.shape[0] !== c) {
    throw opError(ctx, `must provide as many biases as the last dimension of the input tensor: ${shapeString(bt.shape)} vs. ${shapeString(xt.shape)}`)
  }
  const [outMin, outMax] = outputRangeForQuantizedAdd(minIn, maxIn, minBias, maxBias)
  const zero = floatToQuantized(0, outMin, outMax, QINT32)
  const inTable = codesInRange(minIn, maxIn, outMin, outMax)
  const biasTable = codesInRange(minBias, maxBias, outMin, outMax)
  const b = bt.data as Uint8Array
  const biasTotal = new Int32Array(c)
  for (let j = 0; j < c; j++) biasTotal[j] = (biasTable[b[j]] + zero) | 0
  const x = xt.data as Uint8Array
  if (c > 0 && nativeQuantizedKernels(x.length)) {
    const data = await biasAddLutNative(x, inTable, biasTotal, ctx.options.threads)
    return [{dtype: 'qint32', shape: [...xt.shape], data}, scalarFloat(outMin), scalarFloat(outMax)]
  }
  const out = new Int32Array(x.length)
  for (let i = 0; c > 0 && i < x.length; ) {
    for (let j = 0; j < c; j++, i++) out[i] = (inTable[x[i]] + biasTotal[j]) | 0
  }
  return [{dtype: 'qint32', shape: [...xt.shape], data: out}, scalarFloat(outMin), scalarFloat(outMax)]
}

registerOp({name: 'QuantizedBiasAdd', compute})
