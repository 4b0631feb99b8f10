/**
 * Sqrt and Rsqrt (float32/float64). float32 sqrt is correctly rounded (double sqrt rounded once
 * to float32). float32 Rsqrt follows RunOptions.rsqrt (src/runtime/eigenRsqrt.ts): by default as
 * TF 1.x's AVX Eigen build (RSQRTPS model + one Newton step on 8-wide packets, 1/sqrt on the
 * tail), or correctly rounded, f32(1 / f32(sqrt(x))). float64 rsqrt is 1 / sqrt(x).
 */
import {registerOp} from '../opRegistry.js'
import {expectDType, expectInputCount} from '../opArgs.js'
import {allocate} from '../../core/tensor.js'
import {rsqrtAt} from '../eigenRsqrt.js'

type FloatArray = Float32Array | Float64Array

for (const [name, f32, f64] of [
  ['Sqrt', (x: number) => Math.sqrt(x), (x: number) => Math.sqrt(x)],
  ['Rsqrt', undefined, (x: number) => 1 / Math.sqrt(x)],
] as const) {
  registerOp({
    name,
    compute(ctx) {
      expectInputCount(ctx, 1)
      const t = expectDType(ctx, 0, ['float32', 'float64'], 'x')
      const x = t.data as FloatArray
      const out = allocate(t.dtype, x.length) as FloatArray
      if (t.dtype === 'float32' && f32 === undefined) {
        const mode = ctx.options.rsqrt ?? 'eigen-fast-math'
        for (let i = 0; i < x.length; i++) out[i] = rsqrtAt(mode, x[i], i, x.length)
      } else {
        const fn = t.dtype === 'float32' ? (f32 as (x: number) => number) : f64
        for (let i = 0; i < x.length; i++) out[i] = fn(x[i])
      }
      return [{dtype: t.dtype, shape: [...t.shape], data: out}]
    },
  })
}
