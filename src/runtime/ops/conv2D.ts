/**
 * Conv2D (float32, NHWC input, HWIO filter), TF semantics for strides, dilations and padding
 * SAME / VALID / EXPLICIT (explicit_paddings, NHWC pairs), output sizes and the SAME split
 * pad_before = floor(total / 2) (shapes.ts windowDim). Computed natively (src/native/floatKernels.ts,
 * an SGEMM with FMA micro-tiles) on all threads; the operations per output element are fixed —
 * +0, then one fused multiply-add per tap in (kh, kw, ci) order, taps outside the image reading +0
 * as in TF's zero-padded contraction — so results depend neither on the thread count nor on the
 * CPU's instruction set. TF 2.x's x86 builds use FMA too (TF 1.14's did not: its products and
 * sums are rounded separately, and Eigen may split deep filters into several blocks), so float
 * graphs agree with TensorFlow within float32 rounding, not bit for bit. An H/W zero Pad that only
 * this Conv2D reads arrives folded (src/runtime/foldedPad.ts): its source, with more padding.
 */
import {outputArray, registerOp} from '../opRegistry.js'
import {attr, expectInputCount, expectNHWC, expectRank, floatInput, opError, paddingAttr, spatialAttr} from '../opArgs.js'
import {shapeString} from '../../core/tensor.js'
import {windowDim} from '../shapes.js'
import {conv2dFloat} from '../../native/floatKernels.js'
import {padFoldOf} from '../foldedPad.js'

registerOp({
  name: 'Conv2D',
  defaults: {
    data_format: {s: new TextEncoder().encode('NHWC')},
    dilations: {list: {i: [1, 1, 1, 1]}},
    use_cudnn_on_gpu: {b: true},
    explicit_paddings: {list: {}},
  },
  async compute(ctx) {
    expectInputCount(ctx, 2)
    expectNHWC(ctx)
    const {t: xt, data: x} = floatInput(ctx, 0, 'input')
    const {t: ft, data: f} = floatInput(ctx, 1, 'filter')
    expectRank(ctx, xt, 4, 0, 'input')
    expectRank(ctx, ft, 4, 1, 'filter')
    const [n, h, w, c] = xt.shape
    const [kh, kw, ci, co] = ft.shape
    if (ci !== c) {
      throw opError(ctx, `input depth ${c} (shape ${shapeString(xt.shape)}) does not match filter input depth ${ci} (filter ${shapeString(ft.shape)})`)
    }
    const strides = spatialAttr(ctx, 'strides')
    const dilations = spatialAttr(ctx, 'dilations')
    const padding = paddingAttr(ctx, true)
    let explicitRows: [number, number] = [0, 0]
    let explicitCols: [number, number] = [0, 0]
    if (padding === 'EXPLICIT') {
      const e = attr.intList(ctx, 'explicit_paddings')
      if (e.length !== 8 || e[0] !== 0 || e[1] !== 0 || e[6] !== 0 || e[7] !== 0) {
        throw opError(ctx, `explicit_paddings must be 8 values with zero batch and depth padding, got [${e.join(',')}]`)
      }
      explicitRows = [e[2], e[3]]
      explicitCols = [e[4], e[5]]
    }
    let rows, cols
    try {
      rows = windowDim(h, kh, strides[0], dilations[0], padding, explicitRows)
      cols = windowDim(w, kw, strides[1], dilations[1], padding, explicitCols)
    } catch (error) {
      throw opError(ctx, `${(error as Error).message} (input ${shapeString(xt.shape)}, filter ${shapeString(ft.shape)})`)
    }
    // A Pad that only this Conv2D reads was not copied: convolve its source with more padding.
    const fold = padFoldOf(ctx, x)
    const source = fold ? (fold.source.data as Float32Array) : x
    const out = await conv2dFloat(source, f, {
      input: fold ? (fold.source.shape as [number, number, number, number]) : [n, h, w, c],
      filter: [kh, kw, ci, co],
      outH: rows.out,
      outW: cols.out,
      strides,
      dilations,
      padTop: rows.padBefore + (fold?.top ?? 0),
      padLeft: cols.padBefore + (fold?.left ?? 0),
    }, {threads: ctx.options.threads, out: outputArray(ctx, 'float32', n * rows.out * cols.out * co) as Float32Array})
    return [{dtype: 'float32', shape: [n, rows.out, cols.out, co], data: out}]
  },
})
