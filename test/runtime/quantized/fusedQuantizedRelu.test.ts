// A QuantizedRelu folded into the QuantizeV2 that produces its codes (src/runtime/fusedRelu.ts):
// when the Relu alone reads QuantizeV2's codes and its own range outputs, QuantizeV2's look-up
// table clamps and the Relu passes the codes on. Every fetched output must equal the unfused
// path (code forms off: QuantizeV2 element-wise, the Relu computing), also when the Relu reads
// another range (no fold), when QuantizeV2's codes are fetched too (no fold), for several
// thread counts, twice per Session (recycled buffers), with ranges below, around and above zero.
import t from 'tap'
import '../../../src/runtime/ops/index.js'
import type {GraphDef} from '../../../src/graph/types.js'
import type {Tensor} from '../../../src/core/tensor.js'
import {Session} from '../../../src/runtime/session.js'
import {setCodeForms} from '../../../src/runtime/codeForms.js'
import {prng} from '../../../src/bench/convInputs.js'
import {constF32, node} from '../tensors.js'
import {batchNormChain} from './batchNormChain.js'
import {haveNativeQuantizedKernels as haveNative} from './nativeAvailable.js'

const skip = haveNative ? false : 'native library not built'

function graph(depth: number, lo: number, hi: number, reluRange: 'own' | 'fixed'): GraphDef {
  return {
    node: [
      ...batchNormChain(lo, hi, Array.from({length: depth}, (_, c) => 0.5 + c / depth), Array.from({length: depth}, (_, c) => (c % 3) - 1)),
      constF32('fixedLo', [], [-0.75]),
      constF32('fixedHi', [], [2]),
      reluRange === 'own' ? node('relu', 'QuantizedRelu', ['q:0', 'q:1', 'q:2']) : node('relu', 'QuantizedRelu', ['q:0', 'fixedLo', 'fixedHi']),
    ],
  }
}

const bits = (x: Tensor): string => Buffer.from((x.data as Uint8Array).buffer, (x.data as Uint8Array).byteOffset, (x.data as Uint8Array).byteLength).toString('base64')

async function run(g: GraphDef, codes: Tensor, fetches: string[], threads: number, forms: boolean): Promise<string[][]> {
  setCodeForms(forms)
  try {
    const session = new Session(g, {threads})
    const runs: string[][] = []
    for (let r = 0; r < 2; r++) runs.push((await session.run({codes}, fetches)).map(bits))
    return runs
  } finally {
    setCodeForms(true)
  }
}

t.test('QuantizeV2 → QuantizedRelu folded: same bits as the two ops apart', {skip}, async (t) => {
  const rand = prng(5)
  for (const depth of [16, 8, 3]) {
    const shape = [20, 16, 16, depth]
    const n = shape.reduce((a, b) => a * b)
    const codes: Tensor = {dtype: 'quint8', shape, data: Uint8Array.from({length: n}, () => Math.min(255, Math.floor(-Math.log(1 - rand()) * 40)))}
    for (const [lo, hi] of [[-3, 2], [0.5, 4], [-6, -1]]) {
      for (const reluRange of ['own', 'fixed'] as const) {
        for (const fetches of [['relu', 'relu:1', 'relu:2'], ['relu', 'q', 'q:1']]) {
          const g = graph(depth, lo, hi, reluRange)
          const ref = await run(g, codes, fetches, 1, false)
          for (const threads of [1, 2]) {
            const got = await run(g, codes, fetches, threads, true)
            t.same(got, ref, `depth ${depth}, range [${lo}, ${hi}], relu range ${reluRange}, fetch ${fetches.join(' ')}, ${threads} thread(s)`)
          }
        }
      }
    }
  }
})
