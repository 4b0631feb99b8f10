// Pending code forms (src/runtime/codeForms.ts): inside a Session, Dequantize, FusedBatchNorm and
// Pad (of a Dequantize) leave their float outputs unwritten (and Sum/Mean of a Dequantize read its
// codes) and the Session writes them for readers that need the
// values. Every fetched output must equal, bit for bit, the same graph run with code forms off
// (the element-wise reference path), for several channel counts and thread counts, twice in one
// Session (recycled buffers), and when a recycled buffer would otherwise overwrite the codes a
// pending tensor still reads. The kernels behind it: channelCodeRange (native) against a plain
// loop, lookupRange against a scan of the looked-up values.
import t from 'tap'
import '../../../src/runtime/ops/index.js'
import {makeAttr} from '../../../src/graph/attrs.js'
import type {GraphDef} from '../../../src/graph/types.js'
import type {Tensor} from '../../../src/core/tensor.js'
import {Session} from '../../../src/runtime/session.js'
import {lookupRange, setCodeForms} from '../../../src/runtime/codeForms.js'
import {channelCodeRangeNative} from '../../../src/native/quantizedKernels.js'
import {prng} from '../../../src/bench/convInputs.js'
import {constF32, constI32, firstBitDifference, node} from '../tensors.js'
import {haveNativeQuantizedKernels as haveNative} from './nativeAvailable.js'
import {batchNormChain, MIN_FIRST} from './batchNormChain.js'

const skip = haveNative ? false : 'native library not built'
const FLT_MAX = 3.4028234663852886e38

/**
 * ResNet-8's chain and two readers that need values: codes → Dequantize → FusedBatchNorm →
 * Reshape → Min/Max → QuantizeV2 → QuantizedRelu → Dequantize (deq2); QuantizeV2 of the batch
 * norm with a fixed range → Dequantize (deq3), run after deq2 (it allocates a byte buffer of the
 * relu codes' size); Add(deq2, deq3) and Mean(bn) read values.
 */
function chainGraph(depth: number, gamma: number[], beta: number[]): GraphDef {
  return {
    node: [
      ...batchNormChain(-2.5, 3.25, gamma, beta),
      constI32('axes012', [3], [0, 1, 2]),
      constF32('fixedLo', [], [-1.5]),
      constF32('fixedHi', [], [1]),
      node('relu', 'QuantizedRelu', ['q:0', 'q:1', 'q:2']),
      node('deq2', 'Dequantize', ['relu:0', 'relu:1', 'relu:2'], MIN_FIRST),
      node('q3', 'QuantizeV2', ['bn', 'fixedLo', 'fixedHi'], MIN_FIRST),
      node('deq3', 'Dequantize', ['q3:0', 'q3:1', 'q3:2'], MIN_FIRST),
      node('sum', 'Add', ['deq2', 'deq3']),
      node('mean', 'Mean', ['bn', 'axes012']),
      // ResNet-8's residual input: Pad of a Dequantize, its range, QuantizeV2.
      constI32('pads', [4, 2], [0, 0, 1, 1, 2, 1, 0, 0]),
      node('padded', 'Pad', ['deq2', 'pads']),
      node('flatPad', 'Reshape', ['padded', 'flatShape']),
      node('mnPad', 'Min', ['flatPad', 'axis0']),
      node('mxPad', 'Max', ['flatPad', 'axis0']),
      node('qPad', 'QuantizeV2', ['padded', 'mnPad', 'mxPad'], MIN_FIRST),
      node('deqPad', 'Dequantize', ['qPad:0', 'qPad:1', 'qPad:2'], MIN_FIRST),
      // Global average pooling and other sums of a Dequantize, taken from its codes.
      constI32('axes12', [2], [2, 1]),
      constI32('axis1', [1], [1]),
      constI32('axes01', [2], [0, 1]),
      node('gap', 'Mean', ['deq2', 'axes12']),
      node('sum1', 'Sum', ['deq', 'axis1'], {keep_dims: makeAttr.bool(true)}),
      node('mean01', 'Mean', ['deqPad', 'axes01']),
    ],
  }
}

const FETCHES = ['gap', 'sum1', 'mean01', 'sum', 'mean', 'mn', 'mx', 'q:1', 'q:2', 'bn:1', 'bn:2', 'deqPad', 'mnPad', 'mxPad', 'deq2', 'bn', 'padded']

async function runChain(graph: GraphDef, codes: Tensor, threads: number, runs: number): Promise<Float32Array[]> {
  const session = new Session(graph, {threads})
  let out: Tensor[] = []
  for (let r = 0; r < runs; r++) out = await session.run({codes}, FETCHES)
  return out.map((x) => x.data as Float32Array)
}

t.test('pending forms give the bits of the element-wise chain', {skip}, async (t) => {
  t.teardown(() => setCodeForms(true))
  const rand = prng(77)
  for (const depth of [16, 3, 24, 64]) {
    const shape = [24, 16, 15, depth]
    const n = shape.reduce((a, b) => a * b)
    const codes: Tensor = {dtype: 'quint8', shape, data: Uint8Array.from({length: n}, () => Math.min(255, Math.floor(-Math.log(1 - rand()) * 40)))}
    const gamma = Array.from({length: depth}, (_, c) => (c % 5 === 4 ? -1 : 1) * (0.5 + rand()))
    const beta = Array.from({length: depth}, () => rand() - 0.5)
    const graph = chainGraph(depth, gamma, beta)
    setCodeForms(false)
    const ref = await runChain(graph, codes, 1, 1)
    setCodeForms(true)
    for (const threads of [1, 2, 3]) {
      const got = await runChain(graph, codes, threads, 2)
      for (const [k, name] of FETCHES.entries()) t.equal(firstBitDifference(got[k], ref[k]), -1, `depth ${depth}, ${threads} thread(s), second run: ${name}`)
    }
  }
})

/** Plain loop: per channel the smallest and the largest code. */
function channelCodeRangeReference(codes: Uint8Array, depth: number): Uint8Array {
  const r = new Uint8Array(2 * depth)
  r.fill(255, 0, depth)
  for (let i = 0; i < codes.length; i++) {
    const c = i % depth
    if (codes[i] < r[c]) r[c] = codes[i]
    if (codes[i] > r[depth + c]) r[depth + c] = codes[i]
  }
  return r
}

t.test('channelCodeRange equals its plain loop for any depth and thread count', {skip}, async (t) => {
  const rand = prng(5)
  for (const depth of [1, 2, 3, 4, 8, 16, 24, 32, 48, 64, 100]) {
    for (const rows of [0, 1, 7, 5000, 70001]) {
      // Narrow codes in most channels, so that per-channel extremes differ.
      const codes = Uint8Array.from({length: rows * depth}, (_, i) => 10 * (i % depth) + Math.floor(rand() * (i % 3 === 0 ? 256 - 10 * (i % depth) : 9)))
      const want = channelCodeRangeReference(codes, depth)
      for (const threads of [1, 2, 5]) {
        const got = await channelCodeRangeNative(codes, depth, threads)
        if (Buffer.compare(Buffer.from(got), Buffer.from(want)) !== 0) t.fail(`depth ${depth}, ${rows} rows, ${threads} threads`)
      }
    }
  }
  t.pass('all agree')
})

/** A sequential scan (from ±FLT_MAX, strict comparisons) of table[codes[i]·depth + i mod depth]. */
function scanRange(codes: Uint8Array, table: Float32Array, depth: number): [number, number] {
  let lo = FLT_MAX
  let hi = -FLT_MAX
  for (let i = 0; i < codes.length; i++) {
    const v = table[codes[i] * depth + (i % depth)]
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return [lo, hi]
}

t.test('lookupRange: the extremes of a scan when columns are monotone, else undefined', (t) => {
  const rand = prng(9)
  const depth = 5
  const codes = Uint8Array.from({length: 200 * depth}, (_, i) => 20 + ((i * 7919) % 97) + (i % depth))
  const range = channelCodeRangeReference(codes, depth)
  // Monotone columns: increasing, decreasing, constant, with infinities.
  const table = new Float32Array(256 * depth)
  for (let v = 0; v < 256; v++) {
    table[v * depth] = v * 0.5 - 40
    table[v * depth + 1] = 3 - v * 0.25
    table[v * depth + 2] = 1.5
    table[v * depth + 3] = v > 100 ? Infinity : v
    table[v * depth + 4] = Math.fround(rand()) < 2 ? -v : 0
  }
  t.same(lookupRange(table, depth, range), scanRange(codes, table, depth), 'monotone columns')
  const allInf = new Float32Array(256).fill(Infinity)
  t.same(lookupRange(allInf, 1, Uint8Array.of(3, 9)), [FLT_MAX, Infinity], 'a scan from FLT_MAX never takes +inf as its min')
  const bump = table.slice()
  bump[(range[0] + 1) * depth] = 1000 // column 0 no longer monotone between its extremes
  t.equal(lookupRange(bump, depth, range), undefined, 'non-monotone column')
  const nan = table.slice()
  nan[range[1] * depth + 1] = NaN
  t.equal(lookupRange(nan, depth, range), undefined, 'NaN in a column')
  t.same(lookupRange(table, depth, Uint8Array.of(255, 255, 255, 255, 255, 0, 0, 0, 0, 0)), [FLT_MAX, -FLT_MAX], 'no rows')
  t.end()
})
