import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {hasShared, shared} from '../helpers/paths.js'
import {axq, axqLines} from './cliRunner.js'
import {encodeGraph, readGraph} from '../../src/graph/graphIO.js'
import {diffGraphs} from '../../src/graph/graphDiff.js'
import {f, graph, n, placeholder} from '../transforms/graphFixtures.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-transform-cmd-'))
t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
const small = path.join(dir, 'small.pb')
fs.writeFileSync(small, encodeGraph(graph(placeholder('x'), f('id', 'Identity', ['x']), f('r', 'Relu', ['id']), n('dead', 'Const', [], {dtype: {type: 1}}))))

t.test('TensorFlow flag spellings, --json summary', async (t) => {
  const out = path.join(dir, 'o.pb')
  const r = await axq('transform', `--in_graph=${small}`, `--out_graph=${out}`, '--inputs=x', '--outputs=r', '--transforms=remove_nodes(op=Identity) strip_unused_nodes', '--json')
  t.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  t.same(s.transforms, ['remove_nodes', 'strip_unused_nodes'])
  t.same(s.steps.map((x: {nodesAfter: number}) => x.nodesAfter), [3, 2])
  t.same(readGraph(out).node.map((x) => [x.name, x.input]), [['x', []], ['r', ['x']]])
  for (const spelling of ['--output_as_text=false', '--output-as-text=False']) {
    const again = await axq('transform', small, out, '--outputs=r', spelling, '--transforms=remove_nodes(op=Identity)')
    t.equal(again.code, 0, `${spelling}: ${again.stderr}`)
  }
  const text = await axq('transform', `--in_graph=${small}`, `--out_graph=${out}`, '--output_as_text=true')
  t.equal(text.code, 1)
  t.equal(axqLines(text.stderr), 'axq: --output-as-text is not supported: axq writes binary GraphDefs')
})

t.test('--list-transforms --json', async (t) => {
  const r = await axq('transform', '--list-transforms', '--json')
  t.equal(r.code, 0, r.stderr)
  const list = JSON.parse(r.stdout).transforms as {name: string; params: string[]}[]
  t.ok(list.length >= 18)
  t.same(list.find((x) => x.name === 'strip_unused_nodes')!.params, ['type', 'shape', 'name', 'type_for_name', 'shape_for_name'])
})

t.test('errors name the flag or transform', async (t) => {
  const out = path.join(dir, 'e.pb')
  let r = await axq('transform', small, out, '--transforms', 'fold_constnts')
  t.equal(r.code, 1)
  t.match(axqLines(r.stderr), /transform 'fold_constnts' not recognized \(known: add_default_attributes, .*\)/)
  r = await axq('transform', small, out, '--transforms', 'quantize_weights(minimum_size=x)')
  t.match(axqLines(r.stderr), /couldn't interpret the minimum_size argument as a number: 'x'/)
  r = await axq('transform', small)
  t.equal(r.code, 2, 'a missing argument is a usage error')
  t.match(axqLines(r.stderr), /give the output graph/)
  r = await axq('transform', small, out, '--inputs', 'y', '--outputs', 'r')
  t.equal(r.code, 1)
  t.equal(axqLines(r.stderr), `axq: --inputs: no node 'y' in ${small}`, 'an unknown input is not silently ignored (as TensorFlow does)')
  r = await axq('transform', small, out, '--outputs', 'r:0,relu')
  t.equal(axqLines(r.stderr), `axq: --outputs: no node 'relu' in ${small}`)
  t.notOk(fs.existsSync(out), 'nothing written on error')
})

t.test('positional IN OUT with the default (alwann) pipeline', {skip: hasShared ? false : 'needs ../shared/models'}, async (t) => {
  const out = path.join(dir, 'q.pb')
  const r = await axq('transform', shared('models', 'resnet_8.pb'), out)
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /rename_op .* 211 .*nodes/)
  t.ok(diffGraphs(readGraph(out), readGraph(shared('models', 'resnet_8_quant_ax.pb')), {order: true}).identical)
  t.equal(axqLines(r.stderr), '', 'no warning for a float graph')
  const again = await axq('transform', out, path.join(dir, 'qq.pb'), '--json')
  t.equal(again.code, 0, again.stderr)
  t.equal(axqLines(again.stderr), `axq: warning: ${out} is already quantized (37 QuantizeV2/Quantized*/AxConv2D nodes); quantize_weights and quantize_nodes are meant for float graphs`)
  t.same(JSON.parse(again.stdout).warnings, [axqLines(again.stderr).slice('axq: warning: '.length)])
})
