/**
 * Placeholder and PlaceholderWithDefault. A fed Placeholder never runs: the Session substitutes
 * the feed (and checks it against the `dtype` and `shape` attrs) and reports a missing feed
 * before running anything. PlaceholderWithDefault passes its input through when not fed; its
 * `shape` attr is checked against that input.
 */
import {registerOp} from '../opRegistry.js'
import {input, opError} from '../opArgs.js'
import {shapeFromProto} from '../../graph/attrs.js'
import {shapeString} from '../../core/tensor.js'

registerOp({
  name: 'Placeholder',
  compute(ctx) {
    throw opError(ctx, 'no value was fed for this Placeholder: pass it as a feed')
  },
})

registerOp({
  name: 'PlaceholderWithDefault',
  compute(ctx) {
    const t = input(ctx, 0, 'input')
    if (ctx.hasAttr('shape')) {
      const want = shapeFromProto(ctx.attr('shape').shape)
      if (want !== undefined && (want.length !== t.shape.length || want.some((d, i) => d >= 0 && d !== t.shape[i]))) {
        throw opError(ctx, `default value has shape ${shapeString(t.shape)}, but the shape attr is ${shapeString(want)}`)
      }
    }
    return [t]
  },
})
