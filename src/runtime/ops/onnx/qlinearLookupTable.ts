/**
 * QLinearSigmoid and QLinearLeakyRelu (com.microsoft), uint8 or int8, as onnxruntime's CPU kernels
 * (contrib_ops/cpu/quantization/qlinear_activations.cc, qlinear_lookup_table.cc): every input byte
 * maps through one 256-entry table built per node. Entry b holds
 *   QuantizeLinear(fn(float32(x_scale · (code(b) − x_zero_point))), y_scale, y_zero_point)
 * with fn = MLAS's logistic kernel (Sigmoid; the native twin of onnxruntime's) or
 * v ≥ 0 ? v : float32(alpha · v) (LeakyRelu, alpha defaults to 0.01), and MlasQuantizeLinear's
 * arithmetic (onnxQuantization.ts). Absent zero points are 0.
 */
import {registerOp, MS_DOMAIN, outputArray, type OpContext} from '../../opRegistry.js'
import {opError} from '../../opArgs.js'
import {makeTensor, type Tensor} from '../../../core/tensor.js'
import {onnxLogisticFloat} from '../../../native/onnxFloatKernels.js'
import {floatAttr, optionalInput, requiredInput, scalarValue} from './onnxArgs.js'
import {codeBytes, quantize, rangeOf} from './onnxQuantization.js'

const f = Math.fround

type ValueMap = (values: Float32Array) => Float32Array | Promise<Float32Array>

/** A zero point's value (0 when absent), which must have X's type. */
function zeroPoint(ctx: OpContext, index: number, name: string, dtype: string): number {
  const z = optionalInput(ctx, index)
  if (!z) return 0
  if (z.dtype !== dtype) throw opError(ctx, `${name} must be ${dtype} like X, got ${z.dtype}`)
  return scalarValue(ctx, index, name)
}

/** The byte → byte table of this node for its scales and zero points (kept across runs). */
async function lookupTable(ctx: OpContext, x: Tensor, map: ValueMap): Promise<Uint8Array> {
  const sx = f(scalarValue(ctx, 1, 'X_scale'))
  const zx = zeroPoint(ctx, 2, 'X_zero_point', x.dtype)
  const sy = f(scalarValue(ctx, 3, 'Y_scale'))
  const zy = zeroPoint(ctx, 4, 'Y_zero_point', x.dtype)
  const key = `lookup ${sx} ${zx} ${sy} ${zy}`
  const cached = ctx.cache.get(key) as Uint8Array | undefined
  if (cached) return cached
  const signed = x.dtype === 'int8'
  const values = new Float32Array(256)
  for (let b = 0; b < 256; b++) values[b] = f(sx * ((signed ? (b << 24) >> 24 : b) - zx))
  const mapped = await map(values)
  const range = rangeOf(x.dtype)
  const table = new Uint8Array(256)
  for (let b = 0; b < 256; b++) table[b] = quantize(mapped[b], sy, zy, range) & 255
  ctx.cache.clear()
  ctx.cache.set(key, table)
  return table
}

function lookupOp(name: string, map: (ctx: OpContext) => ValueMap): void {
  registerOp({
    name,
    domain: MS_DOMAIN,
    compute: async (ctx) => {
      const x = requiredInput(ctx, 0, 'X')
      if (x.dtype !== 'uint8' && x.dtype !== 'int8') throw opError(ctx, `X must be uint8 or int8, got ${x.dtype}`)
      const table = await lookupTable(ctx, x, map(ctx))
      const X = codeBytes(x.data as Uint8Array | Int8Array)
      const out = outputArray(ctx, x.dtype, X.length) as Uint8Array | Int8Array
      const Y = codeBytes(out)
      for (let i = 0; i < X.length; i++) Y[i] = table[X[i]]
      return [makeTensor(x.dtype, x.shape, out)]
    },
  })
}

lookupOp('QLinearSigmoid', () => (values) => onnxLogisticFloat(values, {threads: 1}))
lookupOp('QLinearLeakyRelu', (ctx) => {
  const alpha = f(floatAttr(ctx, 'alpha', 0.01))
  return (values) => values.map((v) => (v >= 0 ? v : f(alpha * v)))
})
