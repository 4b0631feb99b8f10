/**
 * Relu and Relu6 (float32/float64): Eigen's cwiseMax(0) and cwiseMin(6), i.e.
 * relu(x) = x < 0 ? 0 : x (NaN and −0 pass through), relu6(x) = min(max(x, 0), 6).
 * Large float32 tensors run natively (cpp/float_elementwise.cc, threads, into a recycled buffer);
 * the loops below are the reference twin (test/runtime/floatNative.test.ts). A Relu whose input
 * was produced with the Relu already applied (src/runtime/fusedRelu.ts) passes it on unchanged.
 */
import {outputArray, registerOp} from '../opRegistry.js'
import {expectDType, expectInputCount} from '../opArgs.js'
import {allocate} from '../../core/tensor.js'
import {nativeFloatKernels, reluFloat} from '../../native/floatKernels.js'
import {isRectified} from '../fusedRelu.js'

type FloatArray = Float32Array | Float64Array

for (const [name, fn] of [
  ['Relu', (x: number) => (x < 0 ? 0 : x)],
  ['Relu6', (x: number) => {
    const y = x < 0 ? 0 : x
    return 6 < y ? 6 : y
  }],
] as const) {
  registerOp({
    name,
    async compute(ctx) {
      expectInputCount(ctx, 1)
      const t = expectDType(ctx, 0, ['float32', 'float64'], 'features')
      const x = t.data as FloatArray
      if (name === 'Relu' && isRectified(ctx, x)) return [{dtype: t.dtype, shape: [...t.shape], data: x}]
      if (t.dtype === 'float32' && nativeFloatKernels(x.length)) {
        const out = outputArray(ctx, 'float32', x.length) as Float32Array
        await reluFloat(x as Float32Array, out, name === 'Relu6', {threads: ctx.options.threads})
        return [{dtype: t.dtype, shape: [...t.shape], data: out}]
      }
      const out = allocate(t.dtype, x.length) as FloatArray
      if (t.dtype === 'float32') {
        // Monomorphic loops for the common case (the generic one below calls fn per element).
        const xs = x as Float32Array
        const os = out as Float32Array
        if (name === 'Relu') {
          for (let i = 0; i < xs.length; i++) {
            const v = xs[i]
            os[i] = v < 0 ? 0 : v
          }
        } else {
          for (let i = 0; i < xs.length; i++) {
            const v = xs[i] < 0 ? 0 : xs[i]
            os[i] = 6 < v ? 6 : v
          }
        }
      } else {
        for (let i = 0; i < x.length; i++) out[i] = fn(x[i])
      }
      return [{dtype: t.dtype, shape: [...t.shape], data: out}]
    },
  })
}
