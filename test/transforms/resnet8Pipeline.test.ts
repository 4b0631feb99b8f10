// The acceptance test: TensorFlow's quantization pipeline applied by axq to ResNet-8 gives
// exactly TensorFlow's own output graph (same nodes, order, names, ops, inputs, attrs, tensors).
import t from 'tap'
import fs from 'node:fs'
import {hasShared, shared} from '../helpers/paths.js'
import {decodeGraph, encodeGraph, readGraph} from '../../src/graph/graphIO.js'
import {ALWANN_TRANSFORMS, transformGraph, transformGraphFile} from '../../src/transforms/transformGraph.js'
import {diffGraphs} from '../../src/graph/graphDiff.js'
import type {GraphDef} from '../../src/graph/types.js'
import os from 'node:os'
import path from 'node:path'

const OUTPUT = 'resnet/tower_0/fully_connected/dense/BiasAdd'

/** The graph with every node's attrs in key order: C++ writes attr map entries in hash order. */
function sortedAttrs(g: GraphDef): GraphDef {
  return {
    ...g,
    node: g.node.map((n) => ({...n, attr: Object.fromEntries(Object.keys(n.attr).sort().map((k) => [k, n.attr[k]]))})),
  }
}

t.test('alwann pipeline on ResNet-8 reproduces TensorFlow’s graph', {skip: hasShared ? false : 'needs ../shared/models'}, async (t) => {
  const float = readGraph(shared('models', 'resnet_8.pb'))
  const reference = readGraph(shared('models', 'resnet_8_quant_ax.pb'))
  const cpu = process.cpuUsage()
  const {graph, steps} = await transformGraph(float, ALWANN_TRANSFORMS, {inputs: ['input'], outputs: [OUTPUT]})
  const used = process.cpuUsage(cpu)
  t.same(steps.map((s) => [s.name, s.nodesAfter]), [
    ['add_default_attributes', 103],
    ['strip_unused_nodes', 103],
    ['remove_nodes', 80],
    ['fold_constants', 80],
    ['fold_batch_norms', 80],
    ['quantize_weights', 98],
    ['quantize_nodes', 211 + 110],
    ['strip_unused_nodes', 211],
    ['sort_by_execution_order', 211],
    ['rename_op', 211],
  ])
  t.equal(steps.filter((s) => s.ignoredError).length, 0, 'no error ignored')
  t.same(graph.node.map((n) => n.name), reference.node.map((n) => n.name), 'same node names in the same order')
  const d = diffGraphs(graph, reference, {order: true})
  t.ok(d.identical, `axq diff finds no difference: ${JSON.stringify(d).slice(0, 500)}`)
  t.equal(encodeGraph(graph).length, fs.statSync(shared('models', 'resnet_8_quant_ax.pb')).size, 'same file size')
  // The nodes are byte-identical once attr map entries are put in one order on both sides (C++
  // writes map entries, here and inside the function library, in an unspecified order).
  const mine = Buffer.from(encodeGraph({node: sortedAttrs(graph).node}))
  const theirs = Buffer.from(encodeGraph({node: sortedAttrs(reference).node}))
  t.ok(mine.equals(theirs), 'same node bytes up to attr map order')
  t.notOk('versions' in graph, 'versions dropped as by TensorFlow')
  t.ok((user(used) as number) < 5000, `CPU time ${user(used).toFixed(0)} ms`)
})

function user(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000
}

t.test('transformGraphFile writes the result atomically and reports each step', {skip: hasShared ? false : 'needs ../shared/models'}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-transform-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const out = path.join(dir, 'q.pb')
  const r = await transformGraphFile({inGraph: shared('models', 'resnet_8.pb'), outGraph: out})
  t.same(r.inputs, ['input'], 'default inputs: the placeholders')
  t.same(r.outputs, [OUTPUT], 'default outputs: the sinks')
  t.equal(r.nodesOut, 211)
  t.same(fs.readdirSync(dir), ['q.pb'], 'no temporary file left')
  const written = decodeGraph(fs.readFileSync(out), out)
  t.ok(diffGraphs(written, readGraph(shared('models', 'resnet_8_quant_ax.pb')), {order: true}).identical)
})
