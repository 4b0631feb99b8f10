// Pad: the native kernel (cpp/pad.cc) against the TypeScript reference, bit for bit, on random
// shapes, paddings, element types and thread counts, including recycled (dirty) output buffers.
import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {NATIVE_PAD_ELEMENTS, setPadKernel} from '../../src/runtime/ops/pad.js'
import {padZeroNative} from '../../src/native/floatKernels.js'
import type {Tensor} from '../../src/core/tensor.js'

const haveNative = (() => {
  try {
    void padZeroNative(new Float32Array(1), new Float32Array(1), [1], [0], [0])
    return true
  } catch {
    return false
  }
})()

let seed = 12345
function rand(): number {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) / 4294967296
}

function bytes(x: Tensor): Buffer {
  const d = x.data as Float32Array
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength)
}

t.test('native Pad equals the TypeScript Pad', {skip: haveNative ? false : 'native library not built'}, async (t) => {
  t.teardown(() => setPadKernel('auto'))
  const cases: {shape: number[]; pads: number[]; dtype: 'float32' | 'quint8' | 'int32'}[] = [
    {shape: [40, 16, 16, 16], pads: [0, 0, 0, 0, 0, 0, 8, 8], dtype: 'float32'}, // ResNet channel padding
    {shape: [40, 16, 16, 32], pads: [0, 0, 1, 1, 1, 1, 0, 0], dtype: 'float32'}, // spatial
    {shape: [3, 5, 7, 11], pads: [1, 2, 0, 3, 2, 0, 1, 1], dtype: 'float32'}, // every dim, small
    {shape: [50000], pads: [3, 9], dtype: 'quint8'},
    {shape: [2, 3, 40000], pads: [0, 0, 0, 0, 0, 0], dtype: 'int32'}, // nothing padded
    {shape: [0, 30000], pads: [1, 1, 0, 0], dtype: 'float32'}, // empty input
  ]
  for (let k = 0; k < 4; k++) {
    const shape = [1 + Math.floor(rand() * 4), 1 + Math.floor(rand() * 30), 1 + Math.floor(rand() * 30), 1 + Math.floor(rand() * 40)]
    cases.push({shape, pads: shape.flatMap(() => [Math.floor(rand() * 3), Math.floor(rand() * 3)]), dtype: 'float32'})
  }
  let nativeRuns = 0
  for (const c of cases) {
    const n = c.shape.reduce((a, b) => a * b, 1)
    const data = c.dtype === 'float32' ? Float32Array.from({length: n}, () => rand() - 0.5) : c.dtype === 'int32' ? Int32Array.from({length: n}, () => (rand() * 2 ** 32) | 0) : Uint8Array.from({length: n}, () => rand() * 256)
    const x: Tensor = {dtype: c.dtype, shape: c.shape, data}
    const p: Tensor = {dtype: 'int32', shape: [c.shape.length, 2], data: Int32Array.from(c.pads)}
    setPadKernel('ts')
    const [ref] = await runOp('Pad', [x, p])
    setPadKernel('auto')
    if (ref.data.length >= NATIVE_PAD_ELEMENTS) nativeRuns++
    for (const threads of [1, 2, 3]) {
      const [got] = await runOp('Pad', [x, p], {}, {threads})
      t.same(got.shape, ref.shape)
      t.ok(bytes(got).equals(bytes(ref)), `[${c.shape}] pads [${c.pads}] ${c.dtype}, ${threads} thread(s)`)
    }
    // A dirty output buffer (as the Session recycles them) is fully overwritten.
    if (ref.data.length > 0) {
      const dirty = new (data.constructor as Float32ArrayConstructor)(ref.data.length).fill(7)
      await padZeroNative(data as Float32Array, dirty, c.shape, c.pads.filter((_, i) => i % 2 === 0), c.pads.filter((_, i) => i % 2 === 1), {threads: 2})
      t.ok(Buffer.from(dirty.buffer).equals(bytes(ref)), `dirty buffer [${c.shape}]`)
    }
  }
  t.ok(nativeRuns >= 5, `${nativeRuns} cases large enough for the native path`)
  await t.rejects(padZeroNative(new Float32Array(4), new Float32Array(5), [4], [1], [1]), /values, the shape needs/)
})
