/** Runtime bounds: tensor sizes, non-finite quantization ranges, internal errors kept internal. */
import t from 'tap'
import '../../src/runtime/ops/index.js'
import {allocate, makeTensor} from '../../src/core/tensor.js'
import {registerOp} from '../../src/runtime/opRegistry.js'
import {Session} from '../../src/runtime/session.js'
import {AxqError} from '../../src/errors.js'
import {reportError} from '../../src/cli/errors.js'
import {makeAttr} from '../../src/graph/attrs.js'
import {cifarBatch} from '../../src/data/cifar.js'
import type {GraphDef} from '../../src/graph/types.js'
import {runOp} from '../helpers/runOp.js'

t.test('a tensor larger than 2^28 elements, or of no valid size, is an AxqError before allocation', async (t) => {
  t.throws(() => allocate('float32', 2 ** 28 + 1), {name: 'AxqError', message: /a float32 tensor of 268435457 elements is more than axq computes \(at most 2\^28/})
  t.throws(() => allocate('uint8', -1), {name: 'AxqError', message: /cannot exist/})
  t.throws(() => makeTensor('float32', [1e6, 1e6, 1e6]), {name: 'AxqError'})
  t.equal(allocate('uint8', 16).length, 16)
})

t.test('a batch larger than MAX_BATCH is refused before allocating images', async (t) => {
  const records = {images: new Uint8Array(3072), labels: Int32Array.of(1)}
  t.throws(() => cifarBatch(records, 0, 100_000_000), {name: 'AxqError', message: /--batch-size 100000000 is more than axq runs at once \(at most 10000/})
  t.equal(cifarBatch(records, 0, 3).labels.length, 3)
})

t.test('NaN or infinite quantization ranges are rejected, naming the node', async (t) => {
  const x = makeTensor('float32', [2], Float32Array.of(0, 1))
  const f = (v: number) => makeTensor('float32', [], Float32Array.of(v))
  const attrs = {T: makeAttr.type('quint8'), mode: makeAttr.string('MIN_FIRST')}
  await t.rejects(runOp('QuantizeV2', [x, f(NaN), f(1)], attrs), {message: /input 1 \(min_range\) is NaN; a quantization range must be finite/})
  await t.rejects(runOp('QuantizeV2', [x, f(0), f(Infinity)], attrs), {message: /input 2 \(max_range\) is Infinity/})
  const [q] = await runOp('QuantizeV2', [x, f(0), f(1)], attrs)
  t.same([...(q.data as Uint8Array)], [0, 255], 'finite ranges run')
})

t.test('failures inside an op that are not AxqErrors stay internal errors (exit 70)', async (t) => {
  registerOp({
    name: 'AxqTestAllocFails',
    compute: () => {
      throw new RangeError('Invalid typed array length: 307200000000')
    },
  })
  registerOp({name: 'AxqTestUserError', compute: () => { throw new AxqError('the graph is wrong') }})
  const graph = (op: string): GraphDef => ({node: [{name: 'n', op, input: [], attr: {}}]} as unknown as GraphDef)
  const internal = await new Session(graph('AxqTestAllocFails')).run({}, ['n']).catch((e: unknown) => e)
  t.notOk(internal instanceof AxqError, 'not re-labelled as a user error')
  t.same(reportError(internal), {code: 70, line: "internal error: node 'n' (AxqTestAllocFails): Invalid typed array length: 307200000000 (run with DEBUG=1 for the stack trace)"})
  const user = await new Session(graph('AxqTestUserError')).run({}, ['n']).catch((e: unknown) => e)
  t.same(reportError(user), {code: 1, line: "node 'n' (AxqTestUserError): the graph is wrong"})
})
