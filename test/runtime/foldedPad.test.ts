// A float H/W zero Pad read only by a Conv2D is folded into the Conv2D's padding
// (src/runtime/foldedPad.ts): the same bits as padding first, for VALID and SAME convolutions.
import t from 'tap'
import '../../src/runtime/ops/index.js'
import {Session} from '../../src/runtime/session.js'
import type {GraphDef} from '../../src/graph/types.js'
import {attrs, constF32, constI32, f32, firstBitDifference, node, randomFloats} from './tensors.js'

const SHAPE = [2, 30, 29, 16] // padded to [2, 33, 32, 16]: large enough for the native Pad

function graph(padding: string, stride: number): GraphDef {
  return {
    node: [
      node('x', 'Placeholder', [], {dtype: attrs.type('float32')}),
      constI32('pads', [4, 2], [0, 0, 1, 2, 2, 1, 0, 0]),
      node('padded', 'Pad', ['x', 'pads']),
      constF32('w', [3, 3, 16, 8], Array.from(randomFloats(3 * 3 * 16 * 8, 5))),
      node('conv', 'Conv2D', ['padded', 'w'], {strides: attrs.nhwc(stride, stride), padding: attrs.string(padding)}),
    ],
  }
}

t.test('Pad → Conv2D: folded or not, the same bits', async (t) => {
  const x = f32(SHAPE, Array.from(randomFloats(SHAPE.reduce((a, b) => a * b, 1), 6), (v) => v * 3))
  for (const [padding, stride] of [['VALID', 2], ['SAME', 1], ['SAME', 2]] as const) {
    // Fetching the Pad too keeps it a real copy; fetching only the Conv2D folds it.
    const [padded, plain] = await new Session(graph(padding, stride), {threads: 2}).run({x}, ['padded', 'conv'])
    t.same(padded.shape, [2, 33, 32, 16])
    const session = new Session(graph(padding, stride), {threads: 2})
    for (let run = 0; run < 2; run++) {
      const [folded] = await session.run({x}, ['conv'])
      t.same(folded.shape, plain.shape)
      t.equal(firstBitDifference(folded.data as Float32Array, plain.data as Float32Array), -1, `${padding} stride ${stride}, run ${run}`)
    }
  }
})

t.test('Pad → Conv2D folded: the source buffer is not handed to the Conv2D as its output', async (t) => {
  // The Pad's source is an intermediate tensor (pooled) and the Conv2D's output has its size:
  // after the Pad, no node reads the source, but the folded Conv2D still does.
  const g: GraphDef = {
    node: [
      node('x', 'Placeholder', [], {dtype: attrs.type('float32')}),
      node('r', 'Relu', ['x']),
      constI32('pads', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]),
      node('padded', 'Pad', ['r', 'pads']),
      constF32('w', [3, 3, 16, 16], Array.from(randomFloats(3 * 3 * 16 * 16, 7))),
      node('conv', 'Conv2D', ['padded', 'w'], {strides: attrs.nhwc(1, 1), padding: attrs.string('VALID')}),
    ],
  }
  const shape = [4, 30, 29, 16] // large enough for the native (pooled) Relu
  const x = f32(shape, Array.from(randomFloats(shape.reduce((a, b) => a * b, 1), 8), (v) => v * 3))
  const [, plain] = await new Session(g, {threads: 2}).run({x}, ['padded', 'conv'])
  t.same(plain.shape, shape)
  const session = new Session(g, {threads: 2})
  for (let run = 0; run < 3; run++) {
    const [folded] = await session.run({x}, ['conv'])
    t.equal(firstBitDifference(folded.data as Float32Array, plain.data as Float32Array), -1, `run ${run}`)
  }
})
