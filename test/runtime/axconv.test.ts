/**
 * The QuantizedConv2D and AxConv2D ops (src/runtime/ops/quantizedConv2D.ts): TF reference vectors
 * through the op, AxConv2D with the exact table == QuantizedConv2D, AxMult/AxTune, the prepared
 * data cache, and errors that name the node.
 */
import t from 'tap'
import '../../src/runtime/ops/quantizedConv2D.js'
import {getOp, type OpContext, type RunOptions} from '../../src/runtime/opRegistry.js'
import {makeTensor, type Tensor} from '../../src/core/tensor.js'
import {makeAttr} from '../../src/graph/attrs.js'
import type {AttrValue, NodeDef} from '../../src/graph/types.js'
import {runOp} from '../helpers/runOp.js'
import {quantizedConvFixtures, type QuantizedConvFixture} from '../helpers/quantizedConvFixtures.js'
import {exactTable} from '../../src/mults/table.js'
import {axConv} from '../../src/native/axconv.js'
import {quint8ZeroPoint} from '../../src/runtime/ops/quantizedConv2D.js'
import {AxqError} from '../../src/errors.js'

type Fixture = QuantizedConvFixture

const fixtures = quantizedConvFixtures()

const f32 = (v: number): Tensor => makeTensor('float32', [], Float32Array.of(v))
const q8 = (shape: number[], data: ArrayLike<number>): Tensor => makeTensor('quint8', shape, Uint8Array.from(data))

function inputsOf(c: Fixture): Tensor[] {
  return [q8(c.inputShape, c.input), q8(c.filterShape, c.filter), f32(c.minInput), f32(c.maxInput), f32(c.minFilter), f32(c.maxFilter)]
}

function convAttrs(stride: number, padding: string): Record<string, AttrValue> {
  return {strides: makeAttr.intList([1, stride, stride, 1]), padding: makeAttr.string(padding), Tinput: makeAttr.type('quint8'), Tfilter: makeAttr.type('quint8')}
}

t.test('QuantizedConv2D op reproduces TensorFlow reference vectors', async (t) => {
  for (const c of fixtures) {
    const [out, min, max] = await runOp('QuantizedConv2D', inputsOf(c), convAttrs(c.stride, c.padding), {threads: 2})
    t.equal(out.dtype, 'qint32')
    t.same(out.shape, c.outputShape, `${c.name}: shape`)
    t.same([...(out.data as Int32Array)], c.output, `${c.name}: codes`)
    t.equal((min.data as Float32Array)[0], c.minOutput, `${c.name}: min_output`)
    t.equal((max.data as Float32Array)[0], c.maxOutput, `${c.name}: max_output`)
    t.same(min.shape, [])
  }
})

t.test('AxConv2D with the exact multiplier equals QuantizedConv2D (defaults: mul8u_1JFF, AxTune true)', async (t) => {
  for (const c of fixtures) {
    const zi = quint8ZeroPoint(c.minInput, c.maxInput)
    const [out, min, max] = await runOp('AxConv2D', inputsOf(c), convAttrs(c.stride, c.padding))
    t.equal((min.data as Float32Array)[0], c.minOutput)
    t.equal((max.data as Float32Array)[0], c.maxOutput)
    if (zi >= 0) {
      t.same([...(out.data as Int32Array)], c.output, `${c.name}: equals QuantizedConv2D`)
    } else {
      // TF's QuantizedConv2D adds 0 for border taps when zi < 0; tf-approximate's AxConv2D stores zi
      // in a quint8 (zi mod 256) and sends it through the table.
      const ref = await axConv({
        input: Uint8Array.from(c.input), inputShape: c.inputShape, filter: Uint8Array.from(c.filter), filterShape: c.filterShape,
        table: exactTable(), stride: c.stride, padding: c.padding, zi, zf: quint8ZeroPoint(c.minFilter, c.maxFilter),
        padMode: 'table', kernel: 'reference', originRule: 'tf-approximate',
      })
      t.same([...(out.data as Int32Array)], [...ref.output], `${c.name}: zi < 0 pads with code zi mod 256`)
      t.notSame([...(out.data as Int32Array)], c.output, `${c.name}: and so differs from QuantizedConv2D at the border`)
    }
  }
})

t.test('AxMult and AxTune: hand-computed products', async (t) => {
  // Exact table except column 2 (all zeros) and column 7 (= 2·i). Tuning maps w=2 → 7 (its
  // column is exactly 2·i) and w=7 → 6 (the smallest of the two best columns 6 and 8).
  const table = exactTable()
  for (let i = 0; i < 256; i++) {
    table[i * 256 + 2] = 0
    table[i * 256 + 7] = 2 * i
  }
  const resolved: string[] = []
  const options: RunOptions = {
    resolveMultiplier: (name) => {
      resolved.push(name)
      return table
    },
  }
  // x = 10, filter codes [2, 7]; ranges with zi = zf = 0.
  const inputs = [q8([1, 1, 1, 1], [10]), q8([1, 1, 1, 2], [2, 7]), f32(0), f32(1), f32(0), f32(1)]
  const attrs = (tune: boolean) => ({...convAttrs(1, 'VALID'), AxMult: makeAttr.string('mul8u_TEST'), AxTune: makeAttr.bool(tune)})
  const [plain] = await runOp('AxConv2D', inputs, attrs(false), options)
  t.same([...(plain.data as Int32Array)], [0, 20], 'untuned: T[10][2] = 0, T[10][7] = 20')
  const [tuned] = await runOp('AxConv2D', inputs, attrs(true), options)
  t.same([...(tuned.data as Int32Array)], [20, 60], 'tuned: T[10][7] = 20, T[10][6] = 60')
  t.same(resolved, ['mul8u_TEST', 'mul8u_TEST'], 'the AxMult attr is resolved through RunOptions')
})

t.test('prepared product rows are cached per node and rebuilt when the filter or table changes', async (t) => {
  const def = getOp('AxConv2D')!
  const cache = new Map<string, unknown>()
  const node: NodeDef = {name: 'conv', op: 'AxConv2D', input: [], attr: convAttrs(1, 'SAME')}
  const ctxFor = (inputs: Tensor[], options: RunOptions = {}): OpContext => ({
    node, inputs, options, cache,
    attr: (name) => node.attr[name] ?? def.defaults![name],
    hasAttr: (name) => name in node.attr || name in def.defaults!,
  })
  const c = fixtures.find((f) => f.padding === 'SAME' && quint8ZeroPoint(f.minInput, f.maxInput) >= 0)!
  const first = await def.compute(ctxFor(inputsOf(c)))
  const entry = cache.get('axconv.prepared')
  t.ok(entry, 'cache entry stored')
  const second = await def.compute(ctxFor(inputsOf(c)))
  t.equal(cache.get('axconv.prepared'), entry, 'same filter and table: entry reused')
  t.same([...(second[0].data as Int32Array)], [...(first[0].data as Int32Array)])
  t.same([...(first[0].data as Int32Array)], c.output)
  // A different filter through the same node: rebuilt, and still correct.
  const other = fixtures.find((f) => f !== c && f.padding === 'SAME' && f.inputShape[3] === c.inputShape[3] && quint8ZeroPoint(f.minInput, f.maxInput) >= 0)
  if (other) {
    const third = await def.compute(ctxFor([q8(c.inputShape, c.input), q8(other.filterShape, other.filter), ...inputsOf(c).slice(2)]))
    t.not(cache.get('axconv.prepared'), entry, 'new filter: entry replaced')
    const expect = await runOp('QuantizedConv2D', [q8(c.inputShape, c.input), q8(other.filterShape, other.filter), ...inputsOf(c).slice(2)], convAttrs(1, 'SAME'))
    t.same([...(third[0].data as Int32Array)], [...(expect[0].data as Int32Array)])
  }
})

t.test('errors name the node', async (t) => {
  const c = fixtures[0]
  const good = inputsOf(c)
  const cases: [string, string, Tensor[], Record<string, AttrValue>, RegExp, RunOptions?][] = [
    ['float input', 'QuantizedConv2D', [makeTensor('float32', c.inputShape), ...good.slice(1)], convAttrs(1, 'SAME'), /input 0 \(input\) must be quint8, got float/],
    ['rank 3 filter', 'QuantizedConv2D', [good[0], q8([3, 3, 3], new Uint8Array(27)), ...good.slice(2)], convAttrs(1, 'SAME'), /input 1 \(filter\) must be 4-D/],
    ['depth mismatch', 'AxConv2D', [good[0], q8([3, 3, 5, 1], new Uint8Array(45)), ...good.slice(2)], convAttrs(1, 'SAME'), /same depth/],
    ['missing range', 'QuantizedConv2D', good.slice(0, 5), convAttrs(1, 'SAME'), /expects 6 data input/],
    ['empty range', 'QuantizedConv2D', [...good.slice(0, 2), makeTensor('float32', [0]), ...good.slice(3)], convAttrs(1, 'SAME'), /min_input\) is empty/],
    ['strides of 3', 'QuantizedConv2D', good, {...convAttrs(1, 'SAME'), strides: makeAttr.intList([1, 1, 1])}, /4 dimensions/],
    ['unequal strides', 'QuantizedConv2D', good, {...convAttrs(1, 'SAME'), strides: makeAttr.intList([1, 1, 2, 1])}, /equal length strides/],
    ['batch stride', 'AxConv2D', good, {...convAttrs(1, 'SAME'), strides: makeAttr.intList([2, 1, 1, 1])}, /batch and depth/],
    ['bad padding', 'QuantizedConv2D', good, convAttrs(1, 'EXPLICIT'), /padding must be SAME or VALID/],
    ['dilations', 'AxConv2D', good, {...convAttrs(1, 'SAME'), dilations: makeAttr.intList([1, 2, 2, 1])}, /dilations/],
    ['unknown multiplier', 'AxConv2D', good, {...convAttrs(1, 'SAME'), AxMult: makeAttr.string('mul8u_NOPE')}, /multiplier 'mul8u_NOPE' cannot be resolved/],
    ['resolver error', 'AxConv2D', good, {...convAttrs(1, 'SAME'), AxMult: makeAttr.string('mul8u_NOPE')}, /unknown multiplier 'mul8u_NOPE'/,
      {resolveMultiplier: (name: string) => { throw new AxqError(`unknown multiplier '${name}'`) }}],
    ['short table', 'AxConv2D', good, {...convAttrs(1, 'SAME'), AxMult: makeAttr.string('short')}, /not a 65536-entry table/, {resolveMultiplier: () => new Uint16Array(10)}],
    ['signed table', 'AxConv2D', good, {...convAttrs(1, 'SAME'), AxMult: makeAttr.string('mul8s_1KV9')},
      /multiplier 'mul8s_1KV9' is a signed table \(operands −128\.\.127\), but this AxConv2D \(quint8 inputs and filter\) multiplies unsigned 8-bit operands; use an unsigned multiplier: mul8u_\*/,
      {resolveMultiplier: () => new Int16Array(65536)}],
    ['VALID filter too large', 'QuantizedConv2D', [q8([1, 2, 2, 3], new Uint8Array(12)), ...good.slice(1)], convAttrs(1, 'VALID'), /leaves no output/],
  ]
  for (const [label, op, inputs, attrs, message, options] of cases) {
    await t.rejects(runOp(op, inputs, attrs, options ?? {}), {name: 'AxqError', message: new RegExp(`^node 'test_${op}' \\(${op}\\): .*${message.source}`)}, label)
  }
})
