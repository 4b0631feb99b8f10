/**
 * QuantizedRelu, QuantizedRelu6, QuantizedReluX (tensorflow/core/kernels/quantized_activation_ops.cc),
 * kernels for quint8 → quint8 and qint32 → qint32 (`out_type` must equal `Tinput`).
 * The clamp bounds are codes from the double-precision, clamped FloatToQuantized:
 *   Relu: max(q, F2Q(0)); Relu6: min(max(q, F2Q(0)), F2Q(6)); ReluX: min(max(q, F2Q(0)), F2Q(max_value)).
 * When the range excludes 0 the lower bound clamps to the type's end, as in TF. The output range
 * is the input range unchanged.
 */
import {outputArray, registerOp, type OpContext} from '../opRegistry.js'
import {attr, expectInputCount, opError} from '../opArgs.js'
import {allocate, TF_NAME_BY_DTYPE, type Tensor} from '../../core/tensor.js'
import {makeAttr} from '../../graph/attrs.js'
import {floatToQuantized} from '../quantization.js'
import {checkTypeAttr, quantizedInput, rangeScalar, scalarFloat} from './quantizedArgs.js'
import {lutU8ToU8Native, nativeQuantizedKernels} from '../../native/quantizedKernels.js'
import {isRectified} from '../fusedRelu.js'

type Kind = 'relu' | 'relu6' | 'relux'

export function clampCodes(x: Uint8Array | Int32Array, lo: number, hi: number, out: Uint8Array | Int32Array): void {
  for (let i = 0; i < x.length; i++) {
    let v = x[i]
    if (v < lo) v = lo
    if (v > hi) v = hi
    out[i] = v
  }
}

function activation(kind: Kind) {
  return async (ctx: OpContext): Promise<Tensor[]> => {
    expectInputCount(ctx, kind === 'relux' ? 4 : 3)
    const {t, q} = quantizedInput(ctx, 0, ['quint8', 'qint32'], 'features')
    checkTypeAttr(ctx, 'Tinput', t, 0)
    const outType = attr.type(ctx, 'out_type')
    if (outType !== t.dtype) {
      throw opError(ctx, `no kernel for features ${TF_NAME_BY_DTYPE[t.dtype]} with out_type ${TF_NAME_BY_DTYPE[outType]} (they must be equal)`)
    }
    const r = kind === 'relux' ? 2 : 1
    const maxValue = kind === 'relux' ? rangeScalar(ctx, 1, 'max_value') : 6
    const min = rangeScalar(ctx, r, 'min_features')
    const max = rangeScalar(ctx, r + 1, 'max_features')
    const lo = floatToQuantized(0, min, max, q)
    const hi = kind === 'relu' ? q.highest : floatToQuantized(maxValue, min, max, q)
    const x = t.data as Uint8Array | Int32Array
    // The QuantizeV2 producing x applied this clamp already (src/runtime/fusedRelu.ts).
    if (kind === 'relu' && isRectified(ctx, x)) return [{dtype: t.dtype, shape: [...t.shape], data: x}, scalarFloat(min), scalarFloat(max)]
    if (t.dtype === 'quint8' && nativeQuantizedKernels(x.length)) {
      const table = new Uint8Array(256)
      for (let c = 0; c < 256; c++) table[c] = c < lo ? lo : c > hi ? hi : c
      const codes = await lutU8ToU8Native(x as Uint8Array, table, ctx.options.threads, outputArray(ctx, 'quint8', x.length) as Uint8Array)
      return [{dtype: t.dtype, shape: [...t.shape], data: codes}, scalarFloat(min), scalarFloat(max)]
    }
    const out = allocate(t.dtype, x.length) as Uint8Array | Int32Array
    clampCodes(x, lo, hi, out)
    return [{dtype: t.dtype, shape: [...t.shape], data: out}, scalarFloat(min), scalarFloat(max)]
  }
}

const defaults = {out_type: makeAttr.type('quint8')}
registerOp({name: 'QuantizedRelu', defaults, compute: activation('relu')})
registerOp({name: 'QuantizedRelu6', defaults, compute: activation('relu6')})
registerOp({name: 'QuantizedReluX', defaults, compute: activation('relux')})
