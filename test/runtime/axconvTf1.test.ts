/**
 * AxConv2D against tf-approximate itself: ../shared/fixtures/axconv2d-tf1 holds the outputs of
 * tf-approximate's own tf1 AxConv2D kernel (6 multipliers × AxTune on/off × the 7 ResNet-8 layers,
 * 84 cases; see its README). Both of axq's kernels (AXQ_KERNEL=reference and fast) must give the
 * same int32 outputs, byte for byte, and the same output range.
 */
import t from 'tap'
import crypto from 'node:crypto'
import fs from 'node:fs'
import '../../src/runtime/ops/quantizedConv2D.js'
import {makeTensor, type Tensor} from '../../src/core/tensor.js'
import {makeAttr} from '../../src/graph/attrs.js'
import {readTableFile, type ProductTable} from '../../src/mults/table.js'
import {runOp} from '../helpers/runOp.js'
import {hasShared, shared} from '../helpers/paths.js'

interface Tf1Case {
  mult: string
  tune: boolean
  layer: number
  node: string
  strides: number[]
  padding: 'SAME' | 'VALID'
  input: string
  inputShape: number[]
  filter: string
  filterShape: number[]
  minInput: number
  maxInput: number
  minFilter: number
  maxFilter: number
  output: string
  outputShape: number[]
  outputSha256: string
  minOutput: number
  maxOutput: number
}

const dir = (...parts: string[]): string => shared('fixtures', 'axconv2d-tf1', ...parts)
const f32 = (v: number): Tensor => makeTensor('float32', [], Float32Array.of(v))

t.test('both AxConv2D kernels reproduce tf-approximate on all 84 cases', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const cases = JSON.parse(fs.readFileSync(dir('manifest.json'), 'utf8')) as Tf1Case[]
  t.equal(cases.length, 84, '84 cases')
  t.equal(new Set(cases.map((c) => c.mult)).size, 6, '6 multipliers')
  t.equal(new Set(cases.map((c) => c.layer)).size, 7, '7 layers')
  const tables = new Map<string, ProductTable>()
  const resolveMultiplier = (name: string): ProductTable => {
    let table = tables.get(name)
    if (!table) tables.set(name, (table = readTableFile(shared('axmult', `${name}.bin`))))
    return table
  }
  const saved = process.env.AXQ_KERNEL
  t.teardown(() => {
    if (saved === undefined) delete process.env.AXQ_KERNEL
    else process.env.AXQ_KERNEL = saved
  })
  for (const kernel of ['reference', 'fast'] as const) {
    process.env.AXQ_KERNEL = kernel
    let equal = 0
    for (const c of cases) {
      const name = `${kernel}: ${c.mult} ${c.tune ? 'tuned' : 'untuned'} layer ${c.layer}`
      const expected = fs.readFileSync(dir(c.output))
      // The fixture is what its manifest says it is.
      if (crypto.createHash('sha256').update(expected).digest('hex') !== c.outputSha256) {
        t.fail(`${name}: ${c.output} does not match its outputSha256`)
        continue
      }
      const inputs = [
        makeTensor('quint8', c.inputShape, new Uint8Array(fs.readFileSync(dir(c.input)))),
        makeTensor('quint8', c.filterShape, new Uint8Array(fs.readFileSync(dir(c.filter)))),
        f32(c.minInput), f32(c.maxInput), f32(c.minFilter), f32(c.maxFilter),
      ]
      const attrs = {
        strides: makeAttr.intList(c.strides),
        padding: makeAttr.string(c.padding),
        AxMult: makeAttr.string(c.mult),
        AxTune: makeAttr.bool(c.tune),
      }
      const [out, min, max] = await runOp('AxConv2D', inputs, attrs, {resolveMultiplier, threads: 2})
      const got = out.data as Int32Array
      const gotBytes = Buffer.from(got.buffer, got.byteOffset, got.byteLength)
      const same =
        JSON.stringify(out.shape) === JSON.stringify(c.outputShape) &&
        gotBytes.equals(expected) &&
        (min.data as Float32Array)[0] === Math.fround(c.minOutput) &&
        (max.data as Float32Array)[0] === Math.fround(c.maxOutput)
      if (same) equal++
      else {
        const ref = new Int32Array(expected.buffer, expected.byteOffset, expected.byteLength / 4)
        const first = got.findIndex((v, i) => v !== ref[i])
        t.fail(`${name}: differs (shape [${out.shape}] vs [${c.outputShape}], first different element ${first}: ${got[first]} vs ${ref[first]}, range ${(min.data as Float32Array)[0]}..${(max.data as Float32Array)[0]} vs ${c.minOutput}..${c.maxOutput})`)
      }
    }
    t.equal(equal, cases.length, `${kernel} kernel: every case equals tf-approximate's output and range`)
  }
})
