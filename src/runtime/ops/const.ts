/**
 * Const: the node's `value` tensor (src/graph/tensorProto.ts decodes tensor_content and the typed
 * *_val fields, including one value filling the shape). Decoded once per Session and kept in the
 * node's cache; the same immutable tensor is returned by every run.
 */
import {registerOp} from '../opRegistry.js'
import {attr, opError} from '../opArgs.js'
import {tensorFromProto} from '../../graph/tensorProto.js'
import {TF_NAME_BY_DTYPE, type Tensor} from '../../core/tensor.js'

registerOp({
  name: 'Const',
  compute(ctx) {
    const cached = ctx.cache.get('value') as Tensor | undefined
    if (cached) return [cached]
    const value = ctx.attr('value')
    if (!value.tensor) throw opError(ctx, "attr 'value' holds no tensor")
    const t = tensorFromProto(value.tensor, `node '${ctx.node.name}' (Const): attr 'value'`)
    if (ctx.hasAttr('dtype')) {
      const dtype = attr.type(ctx, 'dtype')
      if (dtype !== t.dtype) throw opError(ctx, `attr 'dtype' is ${TF_NAME_BY_DTYPE[dtype]} but the value is ${TF_NAME_BY_DTYPE[t.dtype]}`)
    }
    ctx.cache.set('value', t)
    return [t]
  },
})
