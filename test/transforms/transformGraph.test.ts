import t from 'tap'
import {shouldIgnoreErrors, transformGraph, validateTransforms} from '../../src/transforms/transformGraph.js'
import {parseTransforms} from '../../src/transforms/transformParams.js'
import {registerTransform} from '../../src/transforms/registry.js'
import {AxqError} from '../../src/errors.js'
import {graph, n, names} from './graphFixtures.js'

registerTransform({name: 'test_fail', summary: 'always fails', params: [], run: () => { throw new AxqError('test_fail: boom') }})
registerTransform({name: 'test_dangle', summary: 'leaves a dangling input', params: [], run: (g) => ({node: [...g.node, n('bad', 'Relu', ['nowhere'])]})})

const g = {...graph(n('a', 'Const'), n('b', 'Identity', ['a'])), library: {function: []}, versions: {producer: 27}}

t.test('ignore_errors', async (t) => {
  t.equal(shouldIgnoreErrors(parseTransforms('x(ignore_errors=TRUE)')[0]), true, 'case-insensitive')
  t.equal(shouldIgnoreErrors(parseTransforms('x(ignore_errors=false)')[0]), false)
  t.throws(() => shouldIgnoreErrors(parseTransforms('x(ignore_errors=1)')[0]), /ignore_errors should be true or false, found '1'/)
  await t.rejects(transformGraph(g, 'test_fail', {inputs: [], outputs: []}), /test_fail: boom/)
  const r = await transformGraph(g, 'test_fail(ignore_errors=true) remove_nodes(op=Identity)', {inputs: [], outputs: ['b']})
  t.equal(r.steps[0].ignoredError, 'test_fail: boom', 'the error is reported and the graph passes through')
  // An output Identity is kept: its match (b and its input a) is re-emitted at b's position.
  t.same(names(r.graph), ['b', 'a'], 'outputs are kept by remove_nodes')
})

t.test('validity check after every step, library copied, versions as the transform leaves them', async (t) => {
  await t.rejects(transformGraph(g, 'test_dangle', {inputs: [], outputs: []}), /test_dangle: invalid graph: node 'bad' has input 'nowhere'/)
  await t.rejects(transformGraph(g, 'test_dangle(ignore_errors=true)', {inputs: [], outputs: []}), /invalid graph/, 'ignore_errors does not cover the validity check')
  const kept = await transformGraph(g, 'add_default_attributes', {inputs: [], outputs: []})
  t.same(kept.graph.versions, {producer: 27}, 'add_default_attributes keeps versions')
  t.same(kept.graph.library, {function: []})
  const dropped = await transformGraph(g, 'sort_by_execution_order', {inputs: [], outputs: []})
  t.notOk('versions' in dropped.graph, 'rebuilding transforms drop versions, as in TensorFlow')
  t.same(dropped.graph.library, {function: []}, 'the library is copied into every result')
})

t.test('names and parameters are checked before anything runs', async (t) => {
  t.throws(() => validateTransforms(parseTransforms('fold_constants fold_constnts')), /transform 'fold_constnts' not recognized \(known: .*fold_constants.*\)/)
  t.throws(() => validateTransforms(parseTransforms('quantize_weights(minimum_sze=10)')), /quantize_weights: unknown parameter 'minimum_sze' \(accepted: ignore_errors, minimum_size\)/)
  t.throws(() => validateTransforms([]), /at least one transform/)
})
