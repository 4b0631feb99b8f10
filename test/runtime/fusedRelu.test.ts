// A Relu that alone reads a float FusedBatchNorm or Add is applied by that op in the same pass
// (src/runtime/fusedRelu.ts): same values as the two ops run apart, and never when something else
// (another node or a fetch) also reads the producer's output.
import t from 'tap'
import '../../src/runtime/ops/index.js'
import {Session} from '../../src/runtime/session.js'
import type {GraphDef} from '../../src/graph/types.js'
import {attrs, constF32, f32, node, randomFloats} from './tensors.js'
import {firstBitDifference} from './tensors.js'

const SHAPE = [2, 32, 32, 16] // 32768 values: the native kernels' size
const N = SHAPE.reduce((a, b) => a * b, 1)
const C = SHAPE[3]

function graph(): GraphDef {
  const vec = (name: string, seed: number) => constF32(name, [C], Array.from(randomFloats(C, seed)))
  return {
    node: [
      node('x', 'Placeholder', [], {dtype: attrs.type('float32')}),
      node('z', 'Placeholder', [], {dtype: attrs.type('float32')}),
      vec('gamma', 1),
      vec('beta', 2),
      constF32('empty', [0], []),
      node('bn', 'FusedBatchNorm', ['x', 'gamma', 'beta', 'empty', 'empty'], {is_training: attrs.bool(true), epsilon: attrs.float(0.001)}),
      node('bnRelu', 'Relu', ['bn']),
      node('sum', 'Add', ['bnRelu', 'z']),
      node('sumRelu', 'Relu', ['sum']),
      node('other', 'Mul', ['sum', 'z']),
    ],
  }
}

/** Relu in TypeScript: v < 0 ? 0 : v. */
const relu = (a: Float32Array) => a.map((v) => (v < 0 ? 0 : v))

t.test('FusedBatchNorm → Relu and Add → Relu: the same bits fused or not', async (t) => {
  const x = f32(SHAPE, Array.from(randomFloats(N, 3), (v) => v * 5))
  const z = f32(SHAPE, Array.from(randomFloats(N, 4)))
  const feeds = {x, z}
  // Fetching bn and sum keeps both Relus apart (bn and sum have readers besides the Relus).
  const [bn, bnRelu, sum, sumRelu] = await new Session(graph(), {threads: 2}).run(feeds, ['bn', 'bnRelu', 'sum', 'sumRelu'])
  t.equal(firstBitDifference(bnRelu.data as Float32Array, relu(bn.data as Float32Array)), -1, 'unfused Relu after FusedBatchNorm')
  t.equal(firstBitDifference(sumRelu.data as Float32Array, relu(sum.data as Float32Array)), -1, 'unfused Relu after Add')
  t.ok((bn.data as Float32Array).some((v) => v < 0) && (sum.data as Float32Array).some((v) => v < 0), 'the Relus have work to do')
  // Only the Relus fetched: FusedBatchNorm's sole reader is its Relu (fused); Add is also read by
  // Mul when 'other' is fetched (not fused), and only by its Relu when it is not (fused).
  const session = new Session(graph(), {threads: 2})
  const [a1, b1] = await session.run(feeds, ['bnRelu', 'sumRelu'])
  t.equal(firstBitDifference(a1.data as Float32Array, bnRelu.data as Float32Array), -1, 'fused FusedBatchNorm + Relu')
  t.equal(firstBitDifference(b1.data as Float32Array, sumRelu.data as Float32Array), -1, 'fused Add + Relu')
  const [b2, other] = await session.run(feeds, ['sumRelu', 'other'])
  t.equal(firstBitDifference(b2.data as Float32Array, sumRelu.data as Float32Array), -1, 'Add read twice: Relu apart, same bits')
  const mul = (sum.data as Float32Array).map((v, i) => v * (z.data as Float32Array)[i])
  t.equal(firstBitDifference(other.data as Float32Array, mul), -1, "Mul sees Add's output without the Relu")
})
