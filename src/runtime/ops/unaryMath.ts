/**
 * Sqrt and Rsqrt (float32/float64). float32: sqrt is correctly rounded (double sqrt rounded once
 * to float32), and rsqrt(x) = f32(1 / f32(sqrt(x))): the division of two float32 values,
 * correctly rounded. TensorFlow's Eigen build computes rsqrt with the CPU's approximate
 * `rsqrtps` plus one Newton step (EIGEN_FAST_MATH), which is CPU-dependent and may differ from
 * this by an ulp; axq's choice is exact and portable (docs/tf1-semantics.md B.12, hazard H3).
 */
import {registerOp} from '../opRegistry.js'
import {expectDType, expectInputCount} from '../opArgs.js'
import {allocate} from '../tensor.js'

type FloatArray = Float32Array | Float64Array

/** f32(1 / f32(sqrt(x))), the float32 rsqrt axq uses everywhere (also in FusedBatchNorm). */
export function rsqrtFloat32(x: number): number {
  return Math.fround(1 / Math.fround(Math.sqrt(x)))
}

for (const [name, f32, f64] of [
  ['Sqrt', (x: number) => Math.sqrt(x), (x: number) => Math.sqrt(x)],
  ['Rsqrt', rsqrtFloat32, (x: number) => 1 / Math.sqrt(x)],
] as const) {
  registerOp({
    name,
    compute(ctx) {
      expectInputCount(ctx, 1)
      const t = expectDType(ctx, 0, ['float32', 'float64'], 'x')
      const x = t.data as FloatArray
      const out = allocate(t.dtype, x.length) as FloatArray
      const fn = t.dtype === 'float32' ? f32 : f64
      for (let i = 0; i < x.length; i++) out[i] = fn(x[i])
      return [{dtype: t.dtype, shape: [...t.shape], data: out}]
    },
  })
}
