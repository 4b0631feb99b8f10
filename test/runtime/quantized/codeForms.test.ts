// Code forms (src/runtime/codeForms.ts): the chain Dequantize → FusedBatchNorm → Reshape →
// Min/Max → QuantizeV2 of ResNet-8's 8-bit graph, computed from the 8-bit codes, must give the
// same bits as the element-wise path (forms off) for every output, channel count, thread count
// and the portable kernels (AXQ_SIMD=generic, in a child process); a form is dropped when the
// buffer holding its codes is handed out again.
import t from 'tap'
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import '../../../src/runtime/ops/index.js'
import {runOp} from '../../helpers/runOp.js'
import {makeAttr} from '../../../src/graph/attrs.js'
import type {Tensor} from '../../../src/core/tensor.js'
import {codeFormOf, setCodeForms} from '../../../src/runtime/codeForms.js'
import {outputArray, type OpContext} from '../../../src/runtime/opRegistry.js'
import {prng} from '../../../src/bench/convInputs.js'
import {haveNativeQuantizedKernels as haveNative} from './nativeAvailable.js'

const skip = haveNative ? false : 'native library not built'
const scalar = (v: number): Tensor => ({dtype: 'float32', shape: [], data: Float32Array.of(v)})
const vector = (v: number[]): Tensor => ({dtype: 'float32', shape: [v.length], data: Float32Array.from(v)})
const empty: Tensor = {dtype: 'float32', shape: [0], data: new Float32Array(0)}
const MIN_FIRST = {mode: makeAttr.string('MIN_FIRST'), T: makeAttr.type('quint8')}
const bits = (t: Tensor): string => Buffer.from((t.data as Uint8Array).buffer, (t.data as Uint8Array).byteOffset, (t.data as Uint8Array).byteLength).toString('base64')

/** Every output of the chain, as base64 bits, for one batch of codes. */
async function chain(codes: Tensor, lo: number, hi: number, gamma: number[], beta: number[], threads: number): Promise<string[]> {
  const [x] = await runOp('Dequantize', [codes, scalar(lo), scalar(hi)], MIN_FIRST, {threads})
  const bn = await runOp('FusedBatchNorm', [x, vector(gamma), vector(beta), empty, empty], {epsilon: makeAttr.float(0.001)}, {threads})
  const [flat] = await runOp('Reshape', [bn[0], {dtype: 'int32', shape: [1], data: Int32Array.of(-1)}], {}, {threads})
  const axes: Tensor = {dtype: 'int32', shape: [1], data: Int32Array.of(0)}
  const [mn] = await runOp('Min', [flat, axes], {keep_dims: makeAttr.bool(false)}, {threads})
  const [mx] = await runOp('Max', [flat, axes], {keep_dims: makeAttr.bool(false)}, {threads})
  const q = await runOp('QuantizeV2', [bn[0], mn, mx], MIN_FIRST, {threads})
  return [...bn, mn, mx, ...q].map(bits)
}

export async function compareChains(log: (ok: boolean, what: string) => void): Promise<void> {
  const rand = prng(2024)
  for (const [i, depth] of [16, 32, 64, 24, 3, 8].entries()) {
    const n = 40 * 16 * 16 * depth
    const shape = [40, 16, 16, depth]
    // Codes clustered like a conv output (many near the zero point), and a few extremes.
    const codes: Tensor = {dtype: 'quint8', shape, data: Uint8Array.from({length: n}, () => Math.min(255, Math.floor(-Math.log(1 - rand()) * 30)))}
    const lo = -3 - i
    const hi = 2 + 3 * rand()
    const gamma = Array.from({length: depth}, () => 0.5 + rand())
    const beta = Array.from({length: depth}, () => rand() - 0.5)
    setCodeForms(false)
    const ref = await chain(codes, lo, hi, gamma, beta, 1)
    setCodeForms(true)
    for (const threads of [1, 2, 5]) {
      const got = await chain(codes, lo, hi, gamma, beta, threads)
      const names = ['y', 'batch_mean', 'batch_variance', 'saved_mean', 'saved_variance', 'min', 'max', 'codes', 'out_min', 'out_max']
      for (const [k, name] of names.entries()) log(got[k] === ref[k], `depth ${depth}, ${threads} thread(s): ${name}`)
    }
  }
}

if (process.env.AXQ_CODE_FORMS_CHILD === '1') {
  // Child run (AXQ_SIMD=generic): print failures only.
  let failed = 0
  await compareChains((ok, what) => {
    if (!ok) {
      failed++
      console.log(`FAIL ${what}`)
    }
  })
  console.log(`child done, ${failed} failed`)
} else {
  t.test('the chain on codes equals the element-wise chain, bit for bit', {skip}, async (t) => {
    t.teardown(() => setCodeForms(true))
    let checks = 0
    await compareChains((ok, what) => {
      checks++
      if (!ok) t.fail(what)
    })
    t.pass(`${checks} outputs identical`)
  })

  t.test('the same with the portable kernels (AXQ_SIMD=generic)', {skip}, async (t) => {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {env: {...process.env, AXQ_SIMD: 'generic', AXQ_CODE_FORMS_CHILD: '1'}, encoding: 'utf8'})
    t.equal(child.status, 0, child.stderr)
    t.match(child.stdout, /child done, 0 failed/)
  })

  t.test('FusedBatchNorm records a form with the range; a recycled codes buffer drops it', {skip}, async (t) => {
    const data = Uint8Array.from({length: 1 << 16}, (_, i) => (i * 37) % 256)
    const codesBuffer = data.buffer
    const codes: Tensor = {dtype: 'quint8', shape: [16, 16, 16, 16], data}
    const [x] = await runOp('Dequantize', [codes, scalar(-1), scalar(1)], MIN_FIRST, {threads: 2})
    const [y] = await runOp('FusedBatchNorm', [x, vector(new Array(16).fill(1)), vector(new Array(16).fill(0.1)), empty, empty], {}, {threads: 2})
    const form = codeFormOf(y.data as Float32Array)
    t.ok(form, 'the output is in code form')
    const values = y.data as Float32Array
    t.same(form?.range, [Math.min(...values), Math.max(...values)], 'its range is the extremes of the values')
    t.ok(codeFormOf(x.data as Float32Array), 'the Dequantize output too')
    // A Session hands the codes' buffer to a new node: both forms must go.
    const ctx = {recycle: () => new Uint8Array(codesBuffer)} as unknown as OpContext
    outputArray(ctx, 'quint8', codesBuffer.byteLength)
    t.equal(codeFormOf(y.data as Float32Array), undefined)
    t.equal(codeFormOf(x.data as Float32Array), undefined)
  })
}
