/**
 * Softmax over the last dimension (float32/float64), as TF's SoftmaxEigenImpl:
 * m = max of the row; e_j = f32(exp(f32(x_j − m))); s = Σ_j e_j (sequential float32 sum);
 * y_j = f32(e_j · f32(1 / s)). exp is the correctly rounded float32 of Math.exp; Eigen's
 * vectorised exp is a polynomial that can differ by an ulp.
 */
import {registerOp} from '../opRegistry.js'
import {expectDType, expectInputCount, opError} from '../opArgs.js'
import {allocate} from '../../core/tensor.js'

type FloatArray = Float32Array | Float64Array

registerOp({
  name: 'Softmax',
  compute(ctx) {
    expectInputCount(ctx, 1)
    const t = expectDType(ctx, 0, ['float32', 'float64'], 'logits')
    if (t.shape.length < 1) throw opError(ctx, 'logits must have at least one dimension')
    const x = t.data as FloatArray
    const out = allocate(t.dtype, x.length) as FloatArray
    const round = t.dtype === 'float32' ? Math.fround : (v: number) => v
    const classes = t.shape[t.shape.length - 1]
    for (let r = 0; r + classes <= x.length && classes > 0; r += classes) {
      let m = -Infinity
      for (let j = 0; j < classes; j++) if (x[r + j] > m) m = x[r + j]
      let s = 0
      for (let j = 0; j < classes; j++) {
        out[r + j] = Math.exp(round(x[r + j] - m))
        s = round(s + out[r + j])
      }
      const inv = round(1 / s)
      for (let j = 0; j < classes; j++) out[r + j] = out[r + j] * inv
    }
    return [{dtype: t.dtype, shape: [...t.shape], data: out}]
  },
})
