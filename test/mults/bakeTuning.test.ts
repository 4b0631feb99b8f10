import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {builtinMember, tabulate} from '../../axmult/index.js'
import {makeAttr} from '../../src/graph/attrs.js'
import {readGraph, writeGraph} from '../../src/graph/graphIO.js'
import {tensorToProto} from '../../src/graph/tensorProto.js'
import type {GraphDef, NodeDef} from '../../src/graph/types.js'
import {activationHistograms, bakeTuning} from '../../src/mults/bakeTuning.js'
import {tuneMapping} from '../../src/mults/tune.js'
import {Session} from '../../src/runtime/session.js'
import '../../src/runtime/ops/index.js'
import {makeTensor, type Tensor} from '../../src/core/tensor.js'
import {cliPath, hasShared, shared} from '../helpers/paths.js'

const table = tabulate('drum8u_k3', builtinMember('drum8u_k3')!.product)
const table4 = tabulate('drum8u_k4', builtinMember('drum8u_k4')!.product)

function constF(name: string, shape: number[], values: number[]): NodeDef {
  return {name, op: 'Const', input: [], attr: {dtype: makeAttr.type('float32'), value: {tensor: tensorToProto(makeTensor('float32', shape, Float32Array.from(values)), 'auto')}}}
}

function quantize(name: string, input: string, min: string, max: string): NodeDef {
  return {name, op: 'QuantizeV2', input: [input, min, max], attr: {T: makeAttr.type('quint8'), mode: makeAttr.string('MIN_FIRST')}}
}

/** x (placeholder, quantized with range [xmin, 8]) ⊛ a 2×2×2×3 filter quantized at run time, SAME. */
function graph(xmin: number): GraphDef {
  const filter = Array.from({length: 24}, (_, i) => Math.sin(i * 1.7) * 0.9)
  return {
    node: [
      {name: 'x', op: 'Placeholder', input: [], attr: {dtype: makeAttr.type('float32')}},
      constF('xmin', [], [xmin]),
      constF('xmax', [], [8]),
      quantize('xq', 'x', 'xmin', 'xmax'),
      constF('f', [2, 2, 2, 3], filter),
      constF('fmin', [], [-0.9]),
      constF('fmax', [], [0.9]),
      quantize('fq', 'f', 'fmin', 'fmax'),
      {
        name: 'conv', op: 'AxConv2D', input: ['xq', 'fq', 'xq:1', 'xq:2', 'fq:1', 'fq:2'],
        attr: {Tinput: makeAttr.type('quint8'), Tfilter: makeAttr.type('quint8'), out_type: makeAttr.type('qint32'), strides: makeAttr.intList([1, 1, 1, 1]), padding: {s: new TextEncoder().encode('SAME')}, AxMult: makeAttr.string('m'), AxTune: makeAttr.bool(true)},
      },
    ],
  } as GraphDef
}

const image = makeTensor('float32', [1, 4, 4, 2], Float32Array.from({length: 32}, (_, i) => ((i * 37) % 64) / 8))

async function conv(g: GraphDef, fetches = ['conv']): Promise<Tensor[]> {
  return new Session(g, {resolveMultiplier: () => table}).run({x: image}, fetches)
}

t.test('zero point 0: the baked graph without tuning equals the graph with AxTune, bit for bit', async (t) => {
  const g = graph(0)
  const baked = await bakeTuning(g, {mult: 'drum8u_k3', table})
  t.equal(baked.layers.length, 1)
  t.equal(baked.layers[0].folded, true)
  t.same(baked.layers[0].mapping, Array.from(tuneMapping(table)))
  // Independently: the filter codes TF's QuantizeV2 gives (run by the Session on the original
  // graph), and how many of them the tuning map moves.
  const [codes] = await conv(g, ['fq'])
  const mapping = tuneMapping(table)
  const moved = Array.from(codes.data as Uint8Array).filter((c) => mapping[c] !== c).length
  t.ok(moved > 0, 'the test filter has weights the map moves')
  t.equal(baked.layers[0].changedWeights, moved, `${moved} weights changed`)
  const conv2 = baked.graph.node.find((n) => n.name === 'conv')!
  t.equal(conv2.attr.AxTune.b, false)
  t.same(baked.graph.node.map((n) => n.name), ['x', 'xmin', 'xmax', 'xq', 'conv/axq_tuned_filter', 'conv/axq_tuned_filter_min', 'conv/axq_tuned_filter_max', 'conv'], 'the run-time quantization of the filter is gone')
  t.equal(baked.removedNodes, 4)
  const [want] = await conv(g)
  const [got] = await conv(baked.graph)
  t.same(Array.from(got.data as Int32Array), Array.from(want.data as Int32Array))
  // and the graph survives a save/load
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-bake-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  writeGraph(path.join(dir, 'g.pb'), baked.graph)
  const [again] = await conv(readGraph(path.join(dir, 'g.pb')))
  t.same(Array.from(again.data as Int32Array), Array.from(want.data as Int32Array))
})

t.test('zero point ≠ 0: the baked weights also enter −w·zi, a constant zi·Σ(w − w*) per output channel', async (t) => {
  const g = graph(-1)
  const baked = await bakeTuning(g, {mult: 'drum8u_k3', table})
  const [want, , , filter] = await conv(g, ['conv', 'xq:1', 'xq:2', 'fq'])
  const [got] = await conv(baked.graph)
  const zi = 28 // F2Q(0; −1, 8) = round(1 · 255 / 9)
  const map = baked.layers[0].mapping
  const codes = filter.data as Uint8Array
  const expected = Array.from(want.data as Int32Array, (v, i) => {
    const c = i % 3
    let s = 0
    for (let tap = 0; tap < 8; tap++) s += map[codes[tap * 3 + c]] - codes[tap * 3 + c]
    return v - zi * s
  })
  t.same(Array.from(got.data as Int32Array), expected)
  t.notSame(Array.from(got.data as Int32Array), Array.from(want.data as Int32Array))
})

t.test('calibrated tuning uses the activation histogram of each layer', async (t) => {
  const g = graph(0)
  const hist = await activationHistograms(g, {mult: 'drum8u_k3', table, input: 'x', batches: [image, image]})
  const h = hist.get('conv')!
  t.equal(h.reduce((a, b) => a + b, 0), 64, 'two batches of 32 codes')
  const baked = await bakeTuning(g, {mult: 'drum8u_k3', table, activationHistograms: hist})
  t.equal(baked.layers[0].calibrated, true)
  t.same(baked.layers[0].mapping, Array.from(tuneMapping(table, h)))
  await t.rejects(bakeTuning({node: [g.node[0]]} as GraphDef, {mult: 'x', table}), /no AxConv2D node/)
})

t.test('axq tune GRAPH --out on ResNet-8: every AxConv2D gets constant tuned weights', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  const {execFile} = await import('node:child_process')
  const {promisify} = await import('node:util')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-bake-cli-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const out = path.join(dir, 'tuned.pb')
  const {stdout} = await promisify(execFile)(process.execPath, [cliPath, 'tune', shared('models', 'resnet_8_quant_ax.pb'), '--mult', 'drum8u_k4', '--out', out, '--json'], {env: {...process.env, AXQ_HOME: dir}})
  const report = JSON.parse(stdout)
  t.equal(report.layers.length, 7)
  t.equal(report.calibrated, false)
  t.same(report.layers.map((l: {folded: boolean}) => l.folded), [true, false, false, false, false, false, false], 'only the first layer\'s filter is quantized at run time')
  const expected = Array.from(tuneMapping(table4))
  for (const l of report.layers) t.same(l.mapping, expected)
  const g = readGraph(out)
  const byName = new Map(g.node.map((n) => [n.name, n]))
  for (const n of g.node.filter((x) => x.op === 'AxConv2D')) {
    t.equal(n.attr.AxTune.b, false)
    t.equal(byName.get(n.input[1])!.op, 'Const')
  }
  t.equal(g.node.filter((n) => n.op === 'Placeholder').length, 1)
  const text = await promisify(execFile)(process.execPath, [cliPath, 'tune', shared('models', 'resnet_8_quant_ax.pb'), '--mult', 'drum8u_k4', '--out', out], {env: {...process.env, AXQ_HOME: dir}})
  t.match(text.stdout, `run it with: axq infer ${out} --mult drum8u_k4 --no-tune (axq infer sets every node's AxMult from --mult, default mul8u_1JFF)\n`, 'text output says how to run the baked graph')
})
