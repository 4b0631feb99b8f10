/**
 * MatMul (float32/float64, transpose_a, transpose_b): C[i,j] = Σ_k A[i,k]·B[k,j].
 * Order (fixed): each C[i,j] is a sequential sum over k = 0..K−1 starting from 0, every product
 * and every partial sum rounded to the output type (no FMA). For the small contraction depths of
 * classifier heads this is also the order of TF's Eigen kernel (one GEBP block, no FMA in TF 1.14's
 * x86 build); for very long K, Eigen splits the sum into cache-sized blocks.
 */
import {registerOp} from '../opRegistry.js'
import {attr, expectInputCount, expectRank, input, opError} from '../opArgs.js'
import {allocate, shapeString, TF_NAME_BY_DTYPE} from '../../core/tensor.js'

type FloatArray = Float32Array | Float64Array

registerOp({
  name: 'MatMul',
  defaults: {transpose_a: {b: false}, transpose_b: {b: false}},
  compute(ctx) {
    expectInputCount(ctx, 2)
    const at = input(ctx, 0, 'a')
    const bt = input(ctx, 1, 'b')
    if (at.dtype !== bt.dtype || (at.dtype !== 'float32' && at.dtype !== 'float64')) {
      throw opError(ctx, `inputs must both be float or both double, got ${TF_NAME_BY_DTYPE[at.dtype]} and ${TF_NAME_BY_DTYPE[bt.dtype]}`)
    }
    expectRank(ctx, at, 2, 0, 'a')
    expectRank(ctx, bt, 2, 1, 'b')
    const ta = attr.bool(ctx, 'transpose_a')
    const tb = attr.bool(ctx, 'transpose_b')
    const [m, k] = ta ? [at.shape[1], at.shape[0]] : at.shape
    const [k2, n] = tb ? [bt.shape[1], bt.shape[0]] : bt.shape
    if (k !== k2) {
      throw opError(ctx, `matrix size-incompatible: a${ta ? 'ᵀ' : ''} is ${shapeString([m, k])}, b${tb ? 'ᵀ' : ''} is ${shapeString([k2, n])}`)
    }
    const a = at.data as FloatArray
    const b = bt.data as FloatArray
    const out = allocate(at.dtype, m * n) as FloatArray
    const round = at.dtype === 'float32' ? Math.fround : (v: number) => v
    // A(i,p) and B(p,j) through strides, so transposes need no copies.
    const [ai, ap] = ta ? [1, m] : [k, 1]
    const [bp, bj] = tb ? [1, k] : [n, 1]
    if (at.dtype === 'float32') {
      // The same loop without a rounding callback per product (monomorphic, several times faster).
      const a32 = a as Float32Array
      const b32 = b as Float32Array
      const o32 = out as Float32Array
      for (let i = 0; i < m; i++) {
        const row = i * n
        for (let p = 0; p < k; p++) {
          const av = a32[i * ai + p * ap]
          const base = p * bp
          for (let j = 0; j < n; j++) o32[row + j] += Math.fround(av * b32[base + j * bj])
        }
      }
      return [{dtype: at.dtype, shape: [m, n], data: out}]
    }
    for (let i = 0; i < m; i++) {
      const row = i * n
      for (let p = 0; p < k; p++) {
        const av = a[i * ai + p * ap]
        const base = p * bp
        for (let j = 0; j < n; j++) out[row + j] += round(av * b[base + j * bj])
      }
    }
    return [{dtype: at.dtype, shape: [m, n], data: out}]
  },
})
