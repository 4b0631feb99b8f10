/**
 * QLinearAdd's native element loop (cpp/onnx_qlinear_add.cc) equals its JavaScript twin on
 * onnxruntime's arithmetic (qlinearAddTable), whatever the thread count and size.
 */
import t from 'tap'
import {onnxLookupPairsNative} from '../../../src/native/onnxKernels.js'
import {qlinearAddTable} from '../../../src/runtime/ops/onnx/quantizedOps.js'
import {prng} from '../../../src/bench/convInputs.js'

t.test('native pair lookup == the JavaScript loop', async (t) => {
  const rng = prng(3)
  for (const [dtype, rA, rB, fixed] of [['uint8', 0.75, 1.25, 3.5], ['int8', 0.5, 0.9, -2.25]] as const) {
    const table = qlinearAddTable(dtype, rA, rB, fixed)
    for (const n of [1, 7, 65536, 100003]) {
      const a = Uint8Array.from({length: n}, () => Math.floor(rng() * 256))
      const b = Uint8Array.from({length: n}, () => Math.floor(rng() * 256))
      const want = Uint8Array.from(a, (v, i) => table[(v << 8) | b[i]])
      for (const threads of [1, 3]) {
        const out = new Uint8Array(n)
        await onnxLookupPairsNative(a, b, table, out, threads)
        t.ok(out.every((v, i) => v === want[i]), `${dtype} n=${n} ${threads} thread(s)`)
      }
    }
  }
  await t.rejects(onnxLookupPairsNative(new Uint8Array(3), new Uint8Array(2), new Uint8Array(65536), new Uint8Array(3)), /sizes do not match/)
})
