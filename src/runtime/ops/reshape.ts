/**
 * Ops that change only the shape: Reshape (one −1 dimension inferred), Squeeze (attr
 * squeeze_dims, all size-1 dims when empty), ExpandDims (axis in [−rank−1, rank]) and Shape
 * (attr out_type). The data buffer is shared, never copied (ops never modify their inputs).
 */
import {registerOp} from '../opRegistry.js'
import {attr, expectInputCount, input, intValues, opError} from '../opArgs.js'
import {numElements, shapeString, TF_NAME_BY_DTYPE} from '../../core/tensor.js'
import {normalizeAxis} from '../shapes.js'

registerOp({
  name: 'Reshape',
  defaults: {Tshape: {type: 3}},
  // Passes the data array through untouched: a pending tensor (codeForms.ts) stays pending.
  readsCodeForms: true,
  compute(ctx) {
    expectInputCount(ctx, 2)
    const t = input(ctx, 0, 'tensor')
    const dims = intValues(ctx, 1, 'shape')
    const size = numElements(t.shape)
    let unknown = -1
    let known = 1
    dims.forEach((d, i) => {
      if (d === -1) {
        if (unknown >= 0) throw opError(ctx, `only one dimension of the new shape may be -1, got [${dims.join(',')}]`)
        unknown = i
      } else if (d < 0) {
        throw opError(ctx, `size ${i} of the new shape must be non-negative or -1, got ${d}`)
      } else known *= d
    })
    const shape = [...dims]
    if (unknown >= 0) {
      if (known === 0 || size % known !== 0) {
        throw opError(ctx, `cannot reshape a tensor with ${size} values to [${dims.join(',')}]`)
      }
      shape[unknown] = size / known
    } else if (known !== size) {
      throw opError(ctx, `input to reshape is a tensor with ${size} values, but the requested shape [${dims.join(',')}] has ${known}`)
    }
    return [{dtype: t.dtype, shape, data: t.data}]
  },
})

registerOp({
  name: 'Squeeze',
  defaults: {squeeze_dims: {list: {}}},
  compute(ctx) {
    expectInputCount(ctx, 1)
    const t = input(ctx, 0, 'input')
    const rank = t.shape.length
    const listed = attr.intList(ctx, 'squeeze_dims')
    const drop = new Set<number>()
    for (const d of listed) {
      const axis = normalizeAxis(d, rank)
      if (axis === undefined) throw opError(ctx, `squeeze dimension ${d} is out of range for shape ${shapeString(t.shape)}`)
      if (t.shape[axis] !== 1) throw opError(ctx, `cannot squeeze dimension ${d}: it has size ${t.shape[axis]}, not 1 (shape ${shapeString(t.shape)})`)
      drop.add(axis)
    }
    const shape = t.shape.filter((s, i) => (listed.length > 0 ? !drop.has(i) : s !== 1))
    return [{dtype: t.dtype, shape, data: t.data}]
  },
})

registerOp({
  name: 'ExpandDims',
  defaults: {Tdim: {type: 3}},
  compute(ctx) {
    expectInputCount(ctx, 2)
    const t = input(ctx, 0, 'input')
    const dims = intValues(ctx, 1, 'dim')
    if (dims.length !== 1) throw opError(ctx, `input 1 (dim) must hold one value, got ${dims.length}`)
    const rank = t.shape.length
    const axis = normalizeAxis(dims[0], rank + 1)
    if (axis === undefined) throw opError(ctx, `dim ${dims[0]} is out of range [${-rank - 1}, ${rank}] for shape ${shapeString(t.shape)}`)
    const shape = [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)]
    return [{dtype: t.dtype, shape, data: t.data}]
  },
})

registerOp({
  name: 'Shape',
  defaults: {out_type: {type: 3}},
  compute(ctx) {
    expectInputCount(ctx, 1)
    const t = input(ctx, 0, 'input')
    const type = attr.type(ctx, 'out_type')
    if (type === 'int32') return [{dtype: type, shape: [t.shape.length], data: Int32Array.from(t.shape)}]
    if (type === 'int64') return [{dtype: type, shape: [t.shape.length], data: BigInt64Array.from(t.shape, (d) => BigInt(d))}]
    throw opError(ctx, `out_type must be int32 or int64, got ${TF_NAME_BY_DTYPE[type]}`)
  },
})
