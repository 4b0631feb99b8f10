/**
 * QuantizedMatMul (tensorflow/core/kernels/quantized_matmul_op.cc), quint8 × quint8 → qint32.
 * - max_a > min_a and max_b > min_b are required; a and b must be matrices.
 * - Offsets za = (int32) FloatToQuantizedUnclamped<quint8>(0; min_a, max_a), zb likewise (the
 *   double-precision formula; outside [0, 255] when a range excludes 0).
 * - C[i,j] = Σ_k (A[i,k] − za)(B[k,j] − zb), int32 with wraparound: gemmlowp's L8R8 GEMM with
 *   offsets (−za, −zb) and an empty output pipeline computes exactly this.
 * - Output range: QuantizationRangeForMultiplication<quint8, quint8, qint32>.
 */
import {registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectInputCount, opError} from '../opArgs.js'
import {shapeString, type Tensor} from '../../core/tensor.js'
import {makeAttr} from '../../graph/attrs.js'
import {floatToQuantizedUnclamped, quantizationRangeForMultiplication, QUINT8} from '../quantization.js'
import {checkTypeAttr, quantizedInput, rangeScalar, scalarFloat, typeAttr} from './quantizedArgs.js'

/** (int32) FloatToQuantizedUnclamped<quint8>(0; min, max): the zero point as the kernels use it. */
export function quint8Offset(min: number, max: number): number {
  const q = floatToQuantizedUnclamped(0, min, max, QUINT8)
  return Number.isSafeInteger(q) ? q | 0 : Number(BigInt.asIntN(32, BigInt(q)))
}

/**
 * C = (A − za)(B − zb) for row-major A [m,k] (or [k,m] when transposeA) and B [k,n] (or [n,k]).
 */
export function quantizedGemm(
  a: Uint8Array,
  b: Uint8Array,
  m: number,
  k: number,
  n: number,
  za: number,
  zb: number,
  transposeA: boolean,
  transposeB: boolean,
): Int32Array {
  const c = new Int32Array(m * n)
  // Offset-subtracted operands, laid out so the inner loop runs over contiguous k.
  const ar = new Int32Array(m * k)
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) ar[i * k + p] = (transposeA ? a[p * m + i] : a[i * k + p]) - za
  const br = new Int32Array(n * k)
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) br[j * k + p] = (transposeB ? b[j * k + p] : b[p * n + j]) - zb
  for (let i = 0; i < m; i++) {
    const ai = i * k
    for (let j = 0; j < n; j++) {
      const bj = j * k
      let s = 0
      for (let p = 0; p < k; p++) s = (s + Math.imul(ar[ai + p], br[bj + p])) | 0
      c[i * n + j] = s
    }
  }
  return c
}

function compute(ctx: OpContext): Tensor[] {
  expectInputCount(ctx, 6)
  const {t: at} = quantizedInput(ctx, 0, ['quint8'], 'a')
  const {t: bt} = quantizedInput(ctx, 1, ['quint8'], 'b')
  checkTypeAttr(ctx, 'T1', at, 0)
  checkTypeAttr(ctx, 'T2', bt, 1)
  typeAttr(ctx, 'Toutput', ['qint32'])
  const transposeA = attr.bool(ctx, 'transpose_a')
  const transposeB = attr.bool(ctx, 'transpose_b')
  const minA = rangeScalar(ctx, 2, 'min_a')
  const maxA = rangeScalar(ctx, 3, 'max_a')
  const minB = rangeScalar(ctx, 4, 'min_b')
  const maxB = rangeScalar(ctx, 5, 'max_b')
  if (!(maxA > minA)) throw opError(ctx, `max_a must be larger than min_a (got min_a ${minA}, max_a ${maxA})`)
  if (!(maxB > minB)) throw opError(ctx, `max_b must be larger than min_b (got min_b ${minB}, max_b ${maxB})`)
  if (at.shape.length !== 2) throw opError(ctx, `input 0 (a) is not a matrix: ${shapeString(at.shape)}`)
  if (bt.shape.length !== 2) throw opError(ctx, `input 1 (b) is not a matrix: ${shapeString(bt.shape)}`)
  const [m, k] = transposeA ? [at.shape[1], at.shape[0]] : at.shape
  const [kb, n] = transposeB ? [bt.shape[1], bt.shape[0]] : bt.shape
  if (k !== kb) throw opError(ctx, `matrix size-incompatible: a ${shapeString(at.shape)}, b ${shapeString(bt.shape)}`)
  const za = quint8Offset(minA, maxA)
  const zb = quint8Offset(minB, maxB)
  const c = quantizedGemm(at.data as Uint8Array, bt.data as Uint8Array, m, k, n, za, zb, transposeA, transposeB)
  const [minC, maxC] = quantizationRangeForMultiplication(minA, maxA, minB, maxB)
  return [{dtype: 'qint32', shape: [m, n], data: c}, scalarFloat(minC), scalarFloat(maxC)]
}

registerOp({
  name: 'QuantizedMatMul',
  defaults: {
    Toutput: makeAttr.type('qint32'),
    transpose_a: makeAttr.bool(false),
    transpose_b: makeAttr.bool(false),
    Tactivation: makeAttr.type('quint8'),
  },
  compute,
})
