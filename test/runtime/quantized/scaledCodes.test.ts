// Float element-wise ops on code forms (src/runtime/ops/elementwise.ts binaryOnCodes): ResNet-8's
// input scaling, pixels (8-bit codes through an identity table) → RealDiv by 255 → Sub 0.5 →
// Reshape → Min/Max → QuantizeV2, and Mul/Add with a scalar, must give the same bits as the
// element-wise path (code forms off) in a Session, for every fetched output (pending outputs are
// written when fetched), every thread count, twice per Session (recycled buffers), on edge cases:
// one element, all codes equal, only the extremes 0 and 255, results with both signed zeros,
// NaN results (0 / 0), and tensors below the native size (the plain path).
import t from 'tap'
import '../../../src/runtime/ops/index.js'
import {makeAttr} from '../../../src/graph/attrs.js'
import type {GraphDef} from '../../../src/graph/types.js'
import type {Tensor} from '../../../src/core/tensor.js'
import {Session} from '../../../src/runtime/session.js'
import {codeFormOf, recordCodeForm, setCodeForms} from '../../../src/runtime/codeForms.js'
import {prng} from '../../../src/bench/convInputs.js'
import {constF32, constI32, node} from '../tensors.js'
import {haveNativeQuantizedKernels as haveNative} from './nativeAvailable.js'

const skip = haveNative ? false : 'native library not built'
const MIN_FIRST = {mode: makeAttr.string('MIN_FIRST'), T: makeAttr.type('quint8')}
const IDENTITY = Float32Array.from({length: 256}, (_, v) => v)
const FETCHES = ['scaled', 'mn', 'mx', 'q', 'q:1', 'q:2', 'mul', 'add']

function graph(div: number, sub: number, mul: number): GraphDef {
  return {
    node: [
      node('x', 'Placeholder'),
      constF32('d', [], [div]),
      constF32('s', [], [sub]),
      constF32('m', [], [mul]),
      constI32('flatShape', [1], [-1]),
      constI32('axis0', [1], [0]),
      node('div', 'RealDiv', ['x', 'd']),
      node('scaled', 'Sub', ['div', 's']),
      node('flat', 'Reshape', ['scaled', 'flatShape']),
      node('mn', 'Min', ['flat', 'axis0']),
      node('mx', 'Max', ['flat', 'axis0']),
      node('q', 'QuantizeV2', ['scaled', 'mn', 'mx'], MIN_FIRST),
      node('mul', 'Mul', ['scaled', 'm']),
      node('add', 'AddV2', ['mul', 's']),
    ],
  }
}

const bits = (x: Tensor): string => Buffer.from((x.data as Uint8Array).buffer, (x.data as Uint8Array).byteOffset, (x.data as Uint8Array).byteLength).toString('base64')

async function run(codes: Uint8Array, shape: number[], g: GraphDef, threads: number, forms: boolean): Promise<string[][]> {
  setCodeForms(forms)
  try {
    const session = new Session(g, {threads})
    const runs: string[][] = []
    for (let r = 0; r < 2; r++) {
      const data = Float32Array.from(codes)
      recordCodeForm(data, {codes, depth: 1, table: IDENTITY})
      if (forms && r === 0) t.ok(codeFormOf(data), 'the fed pixels have a code form')
      // Errors (e.g. an infinite range for QuantizeV2) must be the same too.
      const out = await session.run({x: {dtype: 'float32', shape, data}}, FETCHES).then((o) => o.map(bits), (e: Error) => FETCHES.map(() => `error: ${e.message}`))
      runs.push(out)
    }
    return runs
  } finally {
    setCodeForms(true)
  }
}

t.test('RealDiv/Sub/Mul/Add of pixels in code form = element-wise, bit for bit', {skip}, async (t) => {
  const rand = prng(99)
  const big = [20, 32, 32, 3]
  const n = big.reduce((a, b) => a * b)
  const cases: {label: string; codes: Uint8Array; shape: number[]; div: number; sub: number; mul: number}[] = [
    {label: 'random pixels', codes: Uint8Array.from({length: n}, () => Math.floor(rand() * 256)), shape: big, div: 255, sub: 0.5, mul: 3},
    {label: 'all equal', codes: new Uint8Array(n).fill(77), shape: big, div: 255, sub: 0.5, mul: -2},
    {label: 'extremes only', codes: Uint8Array.from({length: n}, (_, i) => (i % 7 === 0 ? 255 : 0)), shape: big, div: 255, sub: 0.5, mul: 1e30},
    // 0 − 0 = +0, then × −1: −0 next to negative values (max is a zero whose sign the scan decides).
    {label: 'signed zeros', codes: Uint8Array.from({length: n}, () => Math.floor(rand() * 3)), shape: big, div: 1, sub: 0, mul: -1},
    // 0 / 0 = NaN: no range from the codes, values written; x / 0 = ∞ (QuantizeV2 refuses it).
    {label: 'NaN', codes: new Uint8Array(n), shape: big, div: 0, sub: 0.5, mul: 2},
    {label: 'NaN and infinity', codes: Uint8Array.from({length: n}, () => Math.floor(rand() * 4)), shape: big, div: 0, sub: 0.5, mul: 2},
    {label: 'one element', codes: Uint8Array.of(200), shape: [1, 1, 1, 1], div: 255, sub: 0.5, mul: 3},
    {label: 'below the native size', codes: Uint8Array.from({length: 300}, () => Math.floor(rand() * 256)), shape: [1, 10, 10, 3], div: 255, sub: 0.5, mul: 3},
  ]
  for (const c of cases) {
    const g = graph(c.div, c.sub, c.mul)
    const ref = await run(c.codes, c.shape, g, 1, false)
    for (const threads of [1, 2, 3]) {
      const got = await run(c.codes, c.shape, g, threads, true)
      for (let r = 0; r < 2; r++) {
        for (const [k, name] of FETCHES.entries()) t.equal(got[r][k], ref[r][k], `${c.label}, ${threads} thread(s), run ${r}: ${name}`)
      }
    }
  }
})
