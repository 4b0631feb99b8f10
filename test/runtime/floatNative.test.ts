// Float32 Relu/Relu6, Add/Sub/Mul/RealDiv and AvgPool/MaxPool: the native kernels
// (cpp/float_elementwise.cc) against their TypeScript reference twins, bit for bit, on random
// values with NaN, ±0, ±inf and subnormals, for 1, 2, 3 and 7 threads and an absurd thread count
// (clamped by the native pool), writing into dirty output buffers; plus the argument checks of
// the native boundary (cpp/napi_args.h).
import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {attrs} from './tensors.js'
import {binaryFloat, nativeFloatKernels, poolFloat, reluFloat, setFloatKernelMode} from '../../src/native/floatKernels.js'
import {native} from '../../src/native/binding.js'
import {prng} from '../../src/bench/convInputs.js'
import type {Tensor} from '../../src/core/tensor.js'

const haveNative = (() => {
  try {
    return typeof native().reluFloat === 'function'
  } catch {
    return false
  }
})()
const skip = haveNative ? false : 'native library not built'
const THREADS = [1, 2, 3, 7, 100000]

function randomFloats(n: number, seed: number): Float32Array {
  const rand = prng(seed)
  const specials = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38]
  return Float32Array.from({length: n}, () => (rand() < 0.01 ? specials[Math.floor(rand() * specials.length)] : (rand() - 0.5) * 8))
}

const bits = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
const dirty = (n: number): Float32Array => new Float32Array(n).fill(1234.5)

async function both(op: string, inputs: Tensor[], attrMap = {}): Promise<{ref: Tensor; runs: Tensor[]}> {
  setFloatKernelMode('ts')
  const [ref] = await runOp(op, inputs, attrMap)
  setFloatKernelMode('native')
  const runs: Tensor[] = []
  for (const threads of THREADS) runs.push((await runOp(op, inputs, attrMap, {threads}))[0])
  setFloatKernelMode('auto')
  return {ref, runs}
}

t.test('Relu and Relu6: native = reference', {skip}, async (t) => {
  t.teardown(() => setFloatKernelMode('auto'))
  for (const n of [1, 17, 200003]) {
    const x: Tensor = {dtype: 'float32', shape: [n], data: randomFloats(n, n)}
    for (const op of ['Relu', 'Relu6']) {
      const {ref, runs} = await both(op, [x])
      for (const [k, got] of runs.entries()) t.ok(bits(got.data as Float32Array).equals(bits(ref.data as Float32Array)), `${op} n=${n} threads=${THREADS[k]}`)
    }
  }
  const x = Float32Array.from([-0, NaN, -1e-40, 7, -3])
  const out = dirty(5)
  await reluFloat(x, out, true, {threads: 2})
  t.same([...out].map((v) => Object.is(v, -0) ? '-0' : v), ['-0', NaN, 0, 6, 0], 'relu6 keeps −0 and NaN, clamps at 6')
})

t.test('Add/Sub/Mul/RealDiv: native = reference (same shape and scalar)', {skip}, async (t) => {
  t.teardown(() => setFloatKernelMode('auto'))
  const n = 150001
  const a: Tensor = {dtype: 'float32', shape: [n], data: randomFloats(n, 1)}
  const b: Tensor = {dtype: 'float32', shape: [n], data: randomFloats(n, 2)}
  const s: Tensor = {dtype: 'float32', shape: [], data: Float32Array.of(Math.fround(0.3))}
  for (const op of ['Add', 'AddV2', 'Sub', 'Mul', 'RealDiv']) {
    for (const [second, what] of [[b, 'tensor'], [s, 'scalar']] as const) {
      const {ref, runs} = await both(op, [a, second])
      for (const [k, got] of runs.entries()) t.ok(bits(got.data as Float32Array).equals(bits(ref.data as Float32Array)), `${op} ${what} threads=${THREADS[k]}`)
    }
  }
  const out = dirty(3)
  await binaryFloat('add', Float32Array.of(1, 2, 3), Float32Array.of(0.5), out)
  t.same([...out], [1.5, 2.5, 3.5])
})

t.test('AvgPool and MaxPool: native = reference', {skip}, async (t) => {
  t.teardown(() => setFloatKernelMode('auto'))
  const cases = [
    {shape: [4, 32, 32, 16], k: 2, s: 2, padding: 'VALID'},
    {shape: [3, 17, 13, 5], k: 3, s: 2, padding: 'SAME'},
    {shape: [2, 9, 9, 40], k: 3, s: 1, padding: 'SAME'},
    {shape: [5, 8, 8, 64], k: 8, s: 8, padding: 'VALID'},
  ]
  for (const [i, c] of cases.entries()) {
    const n = c.shape.reduce((p, q) => p * q, 1)
    const x: Tensor = {dtype: 'float32', shape: c.shape, data: randomFloats(n, 100 + i)}
    for (const op of ['AvgPool', 'MaxPool']) {
      const {ref, runs} = await both(op, [x], {ksize: attrs.nhwc(c.k, c.k), strides: attrs.nhwc(c.s, c.s), padding: attrs.string(c.padding)})
      for (const [k, got] of runs.entries()) {
        t.same(got.shape, ref.shape)
        t.ok(bits(got.data as Float32Array).equals(bits(ref.data as Float32Array)), `${op} [${c.shape}] k${c.k} s${c.s} ${c.padding} threads=${THREADS[k]}`)
      }
    }
  }
  // Dirty output buffer: every element is written.
  const out = dirty(4)
  await poolFloat(Float32Array.of(1, 2, 3, 4), out, {n: 1, h: 2, w: 2, c: 1, kh: 1, kw: 1, sh: 1, sw: 1, oh: 2, ow: 2, padTop: 0, padLeft: 0}, true)
  t.same([...out], [1, 2, 3, 4])
})

t.test('small tensors stay on the TypeScript loops unless forced', {skip}, async (t) => {
  t.equal(nativeFloatKernels(10), false)
  t.equal(nativeFloatKernels(1 << 20), true)
})

t.test('the native boundary rejects bad arguments with TypeError/RangeError', {skip}, async (t) => {
  const lib = native() as unknown as Record<string, (...a: unknown[]) => Promise<void>>
  const x = new Float32Array(8)
  const bad: [string, unknown[], RegExp][] = [
    ['reluFloat', [x, new Float32Array(7), false, 1], /elements, expected 8/],
    ['reluFloat', [x, x, false, 1.5], /integer/],
    ['reluFloat', [x, x, false, 0], /integer in \[1/],
    ['reluFloat', [x, x, 'no', 1], /boolean/],
    ['reluFloat', [x, new Int32Array(8), false, 1], /wrong array type/],
    ['reluFloat', [x], /missing/],
    ['binaryFloat', [9, x, x, x, 1], /integer in \[0, 3\]/],
    ['binaryFloat', [0, x, new Float32Array(3), x, 1], /lengths differ/],
    ['poolFloat', [x, x, [1, 2, 2, 2, 1, 1, 0, 1, 2, 2, 0, 0], true, 1], />= 1/],
    ['poolFloat', [x, x, [1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 0], true, 1], /entries/],
    ['poolFloat', [x, x, [2 ** 40, 2 ** 40, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], true, 1], /too large/],
    ['conv2dFloat', [x, x, x, [1, 2, 2, 2, 1, 1, 1, 2, 2, 1, 1, 1, 1, -1, 0], 1, false], /integer in \[0/],
    ['batchNormMomentsFloat', [x, new Float32Array(2), new Float32Array(2), 3, 2, 1], /elements, expected 6/],
    ['padZeroBytes', [x, x, 4, [8], [0], [0, 1], 1], /entries/],
    ['minMaxI32', [new Int32Array(3), NaN], /integer/],
    ['requantizeI32', [new Int32Array(3), new Uint8Array(3), 2n ** 70n, 0n, 1], /int64/],
  ]
  for (const [fn, argv, message] of bad) {
    t.throws(() => lib[fn](...argv), message, `${fn}(${argv.map((a) => (ArrayBuffer.isView(a) ? a.constructor.name : String(a))).join(', ')})`)
  }
})
