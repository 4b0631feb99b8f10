// The native quantized kernels against their TypeScript reference twins: random shapes, ranges
// and codes, several thread counts; every output must be bit-identical. The whole file runs again
// in child processes with AXQ_SIMD=avx2 and AXQ_SIMD=generic (the other instruction-set paths).
import t from 'tap'
import '../../../src/runtime/ops/index.js'
import {runOp} from '../../helpers/runOp.js'
import {makeAttr} from '../../../src/graph/attrs.js'
import type {AttrValue} from '../../../src/graph/types.js'
import type {Tensor} from '../../../src/core/tensor.js'
import {addLutNative, lutByChannelU8Native, lutU8ToU8Native, minMaxI32Native, setQuantizedKernelMode} from '../../../src/native/quantizedKernels.js'
import {int32MinMax} from '../../../src/runtime/ops/requantize.js'
import {Session} from '../../../src/runtime/session.js'
import {constF32, node} from '../tensors.js'
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {bytesOf} from './referenceVectors.js'
import {haveNativeQuantizedKernels as haveNative} from './nativeAvailable.js'

let seed = 0x9e3779b9
function rand(): number {
  // xorshift32, deterministic
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) / 4294967296
}
const f = Math.fround
const s = (v: number): Tensor => ({dtype: 'float32', shape: [], data: Float32Array.of(v)})
function codes(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1)
  return {dtype: 'quint8', shape, data: Uint8Array.from({length: n}, () => Math.floor(rand() * 256))}
}
function range(): [number, number] {
  const lo = f(-rand() * 10 ** (rand() * 4 - 2))
  return [lo, f(lo + rand() * 10 ** (rand() * 4 - 2) + 1e-3)]
}

const failures: string[] = []
let checks = 0

async function agree(op: string, inputs: Tensor[], attrs: Record<string, AttrValue> = {}): Promise<void> {
  setQuantizedKernelMode('ts')
  const ref = await runOp(op, inputs, attrs)
  setQuantizedKernelMode('native')
  for (const threads of [1, 2, 3]) {
    const got = await runOp(op, inputs, attrs, {threads})
    const same = got.length === ref.length && got.every((g, k) => g.shape.join() === ref[k].shape.join() && Buffer.compare(bytesOf(g), bytesOf(ref[k])) === 0)
    checks++
    if (!same) failures.push(`${op} with ${threads} thread(s) differs from the TypeScript reference`)
  }
  setQuantizedKernelMode('auto')
}

t.test('native kernels equal the TypeScript ops', {skip: haveNative ? false : 'native library not built'}, async (t) => {
  t.teardown(() => setQuantizedKernelMode('auto'))
  for (let round = 0; round < 4; round++) {
    const n = 20000 + Math.floor(rand() * 5000)
    // QuantizeV2 MIN_FIRST: values around the range, exact ties, NaN and infinities.
    const x = Float32Array.from({length: n}, () => f((rand() - 0.4) * 20))
    for (let i = 0; i < 200; i++) x[Math.floor(rand() * n)] = Math.floor(rand() * 200) + 0.5
    x[0] = NaN
    x[1] = Infinity
    x[2] = -Infinity
    const [lo, hi] = range()
    const qAttrs = {T: makeAttr.type('quint8'), mode: makeAttr.string('MIN_FIRST')}
    await agree('QuantizeV2', [{dtype: 'float32', shape: [n], data: x}, s(lo), s(hi)], qAttrs)
    await agree('QuantizeV2', [{dtype: 'float32', shape: [n], data: x}, s(0), s(255)], qAttrs)
    // A tiny range: x·scale reaches past 2^23, where the vector loop stops rounding.
    await agree('QuantizeV2', [{dtype: 'float32', shape: [n], data: x}, s(0), s(f(1e-4))], qAttrs)
    const c = codes([n])
    for (const mode of ['MIN_FIRST', 'MIN_COMBINED', 'SCALED']) await agree('Dequantize', [c, s(lo), s(hi)], {mode: makeAttr.string(mode)})
    await agree('Dequantize', [c, s(3), s(3)], {mode: makeAttr.string('MIN_FIRST')})
    for (const op of ['QuantizedRelu', 'QuantizedRelu6']) await agree(op, [c, s(lo), s(hi)])
    await agree('QuantizedReluX', [c, s(f(hi / 2)), s(lo), s(hi)])
    const [lo2, hi2] = range()
    await agree('QuantizedAdd', [c, codes([n]), s(lo), s(hi), s(lo2), s(hi2)])
    const ch = [1, 3, 10, 16][round % 4]
    const xb = codes([Math.floor(n / ch), ch])
    await agree('QuantizedBiasAdd', [xb, codes([ch]), s(lo), s(hi), s(lo2), s(hi2)], {out_type: makeAttr.type('qint32')})
    // Requantize / RequantizationRange: small and full-range accumulators, ordinary and extreme ranges.
    const wide = rand() < 0.5
    const acc: Tensor = {dtype: 'qint32', shape: [n], data: Int32Array.from({length: n}, () => Math.floor((rand() - 0.5) * (wide ? 2 ** 32 : 2 ** 22)))}
    // Extremes: float(x) reaches ±2^31 (the vector loop's scalar fallback), and x near zero.
    const accData = acc.data as Int32Array
    for (const [k, v] of [[3, 2147483647], [4, 2147483600], [17, -2147483648], [18, -2147483600], [19, 0], [20, -1], [21, 2147483520], [n - 1, 2147483647]]) accData[k] = v
    const l = f(rand() * 1e-3)
    await agree('RequantizationRange', [acc, s(f(-l * 2 ** 31)), s(f(l * 2 ** 31))])
    for (const [omin, omax] of [[f(-rand() * 5), f(rand() * 5)], [0, f(rand() * 100)], [0, 0], [0, 1e-30], [-1e-5, 1e-5]]) {
      await agree('Requantize', [acc, s(f(-l * 2 ** 31)), s(f(l * 2 ** 31)), s(omin), s(omax)], {out_type: makeAttr.type('quint8')})
    }
    // Pools: random NHWC shapes, windows, strides and padding.
    const shape = [1 + Math.floor(rand() * 3), 5 + Math.floor(rand() * 20), 5 + Math.floor(rand() * 20), 1 + Math.floor(rand() * 17)]
    const k = 1 + Math.floor(rand() * 3)
    const st = 1 + Math.floor(rand() * 3)
    for (const padding of ['SAME', 'VALID']) {
      const pAttrs = {ksize: makeAttr.intList([1, k, k + (round % 2), 1]), strides: makeAttr.intList([1, st, st, 1]), padding: makeAttr.string(padding)}
      for (const op of ['QuantizedAvgPool', 'QuantizedMaxPool']) await agree(op, [codes(shape), s(lo), s(hi)], pAttrs)
    }
  }
  t.same(failures, [], `${checks} comparisons`)
})

t.test('lutU8ToU8: clamp tables (vector path) and other tables give table[code]', {skip: haveNative ? false : 'native library not built'}, async (t) => {
  const x = Uint8Array.from({length: 70001}, () => Math.floor(rand() * 256))
  const tables = [
    Uint8Array.from({length: 256}, (_, c) => Math.min(Math.max(c, 37), 200)), // clamp
    Uint8Array.from({length: 256}, (_, c) => Math.min(Math.max(c, 0), 255)), // identity clamp
    Uint8Array.from({length: 256}, (_, c) => Math.min(Math.max(c, 90), 90)), // constant clamp
    Uint8Array.from({length: 256}, (_, c) => (c === 100 ? 7 : Math.min(Math.max(c, 37), 200))), // almost a clamp
    Uint8Array.from({length: 256}, (_, c) => 255 - c),
  ]
  for (const [k, table] of tables.entries()) {
    for (const threads of [1, 2]) {
      const got = await lutU8ToU8Native(x, table, threads)
      t.ok(got.every((v, i) => v === table[x[i]]), `table ${k}, ${threads} thread(s)`)
    }
  }
})

t.test('minMaxI32 and addLut\'s range equal a scan, for any length and thread count', {skip: haveNative ? false : 'native library not built'}, async (t) => {
  let bad = 0
  for (const n of [0, 1, 15, 16, 17, 65535, 65536, 65537, 200003]) {
    const x = Uint8Array.from({length: n}, () => Math.floor(rand() * 256))
    const y = Uint8Array.from({length: n}, () => Math.floor(rand() * 256))
    // Tables reaching both int32 ends, so that sums wrap.
    const tx = Int32Array.from({length: 256}, () => Math.floor((rand() - 0.5) * 2 ** 32))
    const ty = Int32Array.from({length: 256}, () => Math.floor((rand() - 0.5) * 2 ** 32))
    const want = new Int32Array(n)
    for (let i = 0; i < n; i++) want[i] = (tx[x[i]] + ty[y[i]]) | 0
    const wantRange = int32MinMax(want)
    for (const threads of [1, 2, 3]) {
      const {out, range} = await addLutNative(x, tx, y, ty, threads)
      if (Buffer.compare(Buffer.from(out.buffer), Buffer.from(want.buffer)) !== 0 || range.join() !== wantRange.join()) bad++
      if ((await minMaxI32Native(want, threads)).join() !== wantRange.join()) bad++
    }
  }
  t.equal(bad, 0, 'all agree')
})

t.test('RequantizationRange after QuantizedAdd in a Session (range found while adding) equals the op alone', {skip: haveNative ? false : 'native library not built'}, async (t) => {
  const n = 100000
  const a = codes([n])
  const b = codes([n])
  const graph = {
    node: [
      node('a', 'Placeholder'),
      node('b', 'Placeholder'),
      constF32('lo', [], [-2]),
      constF32('hi', [], [3]),
      constF32('lo2', [], [-0.5]),
      constF32('hi2', [], [7]),
      node('add', 'QuantizedAdd', ['a', 'b', 'lo', 'hi', 'lo2', 'hi2']),
      node('rr', 'RequantizationRange', ['add:0', 'add:1', 'add:2']),
      node('rq', 'Requantize', ['add:0', 'add:1', 'add:2', 'rr:0', 'rr:1'], {out_type: makeAttr.type('quint8')}),
    ],
  }
  const got = await new Session(graph, {threads: 2}).run({a, b}, ['rr:0', 'rr:1', 'rq:0'])
  const add = await runOp('QuantizedAdd', [a, b, s(-2), s(3), s(-0.5), s(7)])
  const rr = await runOp('RequantizationRange', add)
  const rq = await runOp('Requantize', [...add, ...rr], {out_type: makeAttr.type('quint8')})
  for (const [k, want] of [rr[0], rr[1], rq[0]].entries()) t.equal(Buffer.compare(bytesOf(got[k]), bytesOf(want)), 0, `output ${k}`)
})

if (process.env.AXQ_NATIVE_TEST_CHILD !== '1') {
  t.test('the same with the AVX2 and the portable paths (child processes)', {skip: haveNative ? false : 'native library not built'}, async (t) => {
    for (const simd of ['avx2', 'generic']) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {env: {...process.env, AXQ_SIMD: simd, AXQ_NATIVE_TEST_CHILD: '1'}, encoding: 'utf8'})
      t.equal(child.status, 0, `AXQ_SIMD=${simd}: ${child.stdout.split('\n').filter((l) => /not ok/.test(l)).join('; ')}`)
      t.match(child.stdout, /# \{ total: \d+, pass: \d+ \}|\n1\.\.\d+/, `AXQ_SIMD=${simd} ran`)
    }
  })
}

t.test('QuantizedAvgPool: the native average (float division) truncates like integer division', {skip: haveNative ? false : 'native library not built'}, async (t) => {
  // The argument of cpp/quantized_kernels.cc, checked exhaustively for windows of up to 256 taps:
  // trunc(f32(f32(acc) / f32(count))) = floor(acc / count) for every sum 0 <= acc <= 255·count.
  let bad = 0
  for (let count = 1; count <= 256; count++) {
    const fc = f(count)
    for (let acc = 0; acc <= 255 * count; acc++) if (Math.trunc(f(f(acc) / fc)) !== Math.floor(acc / count)) bad++
  }
  t.equal(bad, 0, 'no sum rounds across an integer')
  // Native vs TypeScript on large windows (up to 16×16 taps) and codes that make sums of every
  // residue: all 255, all 254, and a mix with 0 (partial windows at the borders with SAME).
  const before = failures.length
  for (const fill of [255, 254, -1]) {
    const shape = [2, 17, 16, 5]
    const n = shape.reduce((a, b) => a * b)
    const data = Uint8Array.from({length: n}, (_, i) => (fill >= 0 ? fill : (i * 37) % 3 === 0 ? 0 : 255 - (i % 11)))
    const x: Tensor = {dtype: 'quint8', shape, data}
    for (const [kh, kw, st] of [[16, 16, 1], [7, 9, 2], [3, 3, 2], [1, 13, 3]]) {
      for (const padding of ['SAME', 'VALID']) {
        await agree('QuantizedAvgPool', [x, s(-1), s(2)], {ksize: makeAttr.intList([1, kh, kw, 1]), strides: makeAttr.intList([1, st, st, 1]), padding: makeAttr.string(padding)})
      }
    }
  }
  t.same(failures.slice(before), [], 'native = TypeScript on large windows')
})

t.test('lutByChannelU8: table[code·depth + channel] for every depth (16-channel gathers and the plain loop), length and thread count', {skip: haveNative ? false : 'native library not built'}, async (t) => {
  for (const depth of [1, 3, 8, 16, 32, 48, 64, 80]) {
    for (const rows of [0, 1, 7, 4099]) {
      const x = Uint8Array.from({length: rows * depth}, (_, i) => (i % 13 === 0 ? 255 : i % 17 === 0 ? 0 : Math.floor(rand() * 256)))
      const table = Uint8Array.from({length: 256 * depth}, () => Math.floor(rand() * 256))
      for (const threads of [1, 2, 3]) {
        const got = await lutByChannelU8Native(x, table, depth, new Uint8Array(x.length), threads)
        t.ok(got.every((v, i) => v === table[x[i] * depth + (i % depth)]), `depth ${depth}, ${rows} rows, ${threads} thread(s)`)
      }
    }
  }
})
