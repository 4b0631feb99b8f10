import t from 'tap'
import '../../src/runtime/ops/index.js'
import {outputArray, registerOp} from '../../src/runtime/opRegistry.js'
import {Session} from '../../src/runtime/session.js'
import {placeholderNames, sinkNames} from '../../src/graph/endpoints.js'
import type {GraphDef} from '../../src/graph/types.js'
import {attrs, constF32, f32, i32, node, values} from './tensors.js'
import {makeAttr} from '../../src/graph/attrs.js'

// Test-only ops: a log of executions, two outputs, an async op, a per-node cache counter.
const log: string[] = []
registerOp({
  name: 'TestLog',
  compute(ctx) {
    log.push(ctx.node.name)
    return ctx.inputs.length > 0 ? [ctx.inputs[0]] : [f32([], [log.length])]
  },
})
registerOp({name: 'TestSplit2', compute: (ctx) => [f32([1], [1]), f32([1], [2])]})
registerOp({
  name: 'TestAsyncDouble',
  async compute(ctx) {
    await new Promise((r) => setTimeout(r, 5))
    const x = ctx.inputs[0].data as Float32Array
    return [f32(ctx.inputs[0].shape, Array.from(x, (v) => 2 * v))]
  },
})
registerOp({
  name: 'TestCacheCount',
  compute(ctx) {
    const n = ((ctx.cache.get('n') as number | undefined) ?? 0) + 1
    ctx.cache.set('n', n)
    return [f32([], [n])]
  },
})
registerOp({
  name: 'TestDefaults',
  defaults: {k: {i: 7}},
  compute: (ctx) => [f32([], [Number(ctx.attr('k').i)])],
})
registerOp({name: 'TestFresh', compute: (ctx) => [f32([4], Array.from(ctx.inputs[0].data as Float32Array))]})

const graph = (...nodes: GraphDef['node']): GraphDef => ({node: nodes})
const placeholder = (name: string, shape?: number[]) =>
  node(name, 'Placeholder', [], {dtype: makeAttr.type('float32'), ...(shape ? {shape: makeAttr.shape(shape)} : {})})

t.test('runs a small float graph and fetches by name and name:k', async (t) => {
  const g = graph(
    placeholder('x', [-1, 2]),
    constF32('c', [2], [10, 20]),
    node('add', 'Add', ['x', 'c']),
    node('split', 'TestSplit2'),
  )
  const s = new Session(g)
  const [sum, a, b, again] = await s.run({x: f32([1, 2], [1, 2])}, ['add', 'split:0', 'split:1', 'add:0'])
  t.same(values(sum), [11, 22])
  t.same(sum.shape, [1, 2])
  t.same(values(a), [1])
  t.same(values(b), [2])
  t.equal(again, sum, 'the same tensor fetched twice')
})

t.test('control inputs order nodes, carry no data, and pull their node in', async (t) => {
  log.length = 0
  const g = graph(
    node('second', 'TestLog', ['first_value', '^first']),
    node('first', 'TestLog'),
    constF32('first_value', [], [5]),
    node('unused', 'TestLog'),
  )
  const [out] = await new Session(g).run({}, ['second'])
  t.same(log, ['first', 'second'], 'first ran before second; unused did not run')
  t.same(values(out), [5], 'the control input passed no data')
})

t.test('only what the fetches need runs; feeds cut the graph', async (t) => {
  log.length = 0
  const g = graph(
    placeholder('x'),
    node('upstream', 'TestLog', ['x']),
    node('mid', 'TestLog', ['upstream']),
    node('top', 'TestLog', ['mid']),
    node('other', 'TestLog', ['x']),
  )
  const s = new Session(g)
  const [out] = await s.run({mid: f32([], [3])}, ['top'])
  t.same(log, ['top'], 'upstream and the unfed placeholder behind the feed did not run')
  t.same(values(out), [3])
  const [fed] = await s.run({'mid:0': f32([], [4])}, ['mid'])
  t.same(values(fed), [4], 'fetching a fed tensor returns the feed')
})

t.test('async ops, op defaults and per-node cache across runs', async (t) => {
  const g = graph(
    constF32('c', [2], [1.5, -2]),
    node('double', 'TestAsyncDouble', ['c']),
    node('count', 'TestCacheCount'),
    node('count2', 'TestCacheCount'),
    node('dflt', 'TestDefaults'),
    node('set', 'TestDefaults', [], {k: attrs.int(3)}),
  )
  const s = new Session(g)
  const [d, c1, k1, k2] = await s.run({}, ['double', 'count', 'dflt', 'set'])
  t.same(values(d), [3, -4])
  t.same(values(c1), [1])
  t.same(values(k1), [7], 'missing attr falls back to the op default')
  t.same(values(k2), [3])
  const [c2, other] = await s.run({}, ['count', 'count2'])
  t.same(values(c2), [2], 'the node cache persisted across runs')
  t.same(values(other), [1], 'each node has its own cache')
  t.equal(new Session(g).profile().length, 0)
  const prof = s.profile()
  const count = prof.find((p) => p.op === 'TestCacheCount')
  t.equal(count?.calls, 3)
  t.ok(prof.every((p) => p.seconds >= 0 && typeof p.op === 'string'))
  t.ok(prof[0].seconds >= prof[prof.length - 1].seconds, 'slowest first')
})

t.test('outputs are released after their last consumer', async (t) => {
  const nodes = [placeholder('x')]
  for (let i = 0; i < 20; i++) nodes.push(node(`n${i}`, 'TestFresh', [i === 0 ? 'x' : `n${i - 1}`]))
  const s = new Session(graph(...nodes))
  const [out] = await s.run({x: f32([4], [1, 2, 3, 4])}, ['n19'])
  t.same(values(out), [1, 2, 3, 4])
  t.ok(s.lastPeakLiveTensors <= 2, `at most 2 tensors live at once, got ${s.lastPeakLiveTensors}`)
})

t.test('errors name the node', async (t) => {
  await t.rejects(new Session(graph(node('weird', 'NoSuchOp'))).run({}, ['weird']), /node 'weird': unknown op 'NoSuchOp'/)
  await t.rejects(new Session(graph(node('a', 'Identity', ['ghost']))).run({}, ['a']), /node 'a' \(Identity\): input 'ghost' names no node/)
  await t.rejects(new Session(graph(placeholder('img', [-1, 3]), node('a', 'Identity', ['img']))).run({}, ['a']),
    /node 'img' \(Placeholder\): no value was fed for this Placeholder \(float, shape \[-1,3\]\)/)
  const p = new Session(graph(placeholder('img', [-1, 3])))
  await t.rejects(p.run({img: i32([1, 3], [1, 2, 3])}, ['img']), /node 'img' \(Placeholder\): fed a int32 tensor, but the placeholder's dtype is float/)
  await t.rejects(p.run({img: f32([1, 4], [1, 2, 3, 4])}, ['img']), /node 'img' \(Placeholder\): fed a tensor of shape \[1,4\], but the placeholder's shape is \[\?,3\]/)
  await t.rejects(p.run({img: f32([3], [1, 2, 3])}, ['img']), /shape is \[\?,3\]/)
  await t.rejects(p.run({img: f32([2, 3], [1, 2, 3])}, ['img']), /feed 'img' has shape \[2,3\] but 3 values/)
  await t.rejects(p.run({nothere: f32([1], [1])}, ['img']), /feed 'nothere': the graph has no node 'nothere'/)
  await t.rejects(p.run({}, ['imgg']), /fetch 'imgg': the graph has no node 'imgg' \(did you mean 'img'\?\)/)
  const mismatch = graph(constF32('a', [2], [1, 2]), constF32('b', [3], [1, 2, 3]), node('sum', 'Add', ['a', 'b']))
  await t.rejects(new Session(mismatch).run({}, ['sum']), /node 'sum' \(Add\): incompatible shapes for broadcasting: \[2\] and \[3\]/)
  const cyc = graph(node('a', 'Identity', ['b']), node('b', 'Identity', ['c']), node('c', 'Identity', ['a']))
  await t.rejects(new Session(cyc).run({}, ['a']), /graph has a cycle: 'a' -> 'b' -> 'c' -> 'a'/)
  const ctrlCycle = graph(node('a', 'NoOp', ['^b']), node('b', 'NoOp', ['^a']), constF32('k', [], [1]), node('i', 'Identity', ['k', '^a']))
  await t.rejects(new Session(ctrlCycle).run({}, ['i']), /cycle/)
  await t.rejects(new Session(graph(node('s', 'TestSplit2'), node('i', 'Identity', ['s:5']))).run({}, ['i']), /node 's' \(TestSplit2\): output 5 is read downstream, but the op produced 2/)
  await t.rejects(new Session(graph(node('m', 'Mean', []))).run({}, ['m']), /node 'm' \(Mean\): expects 2 data input/)
  t.throws(() => new Session(graph(node('a', 'NoOp'), node('a', 'NoOp'))), /two nodes are named 'a'/)
  await t.rejects(p.run({}, ['^img']), /control input names no tensor/)
})

t.test('a graph error is detected before any node runs', async (t) => {
  log.length = 0
  const g = graph(node('ok', 'TestLog'), node('bad', 'Bogus', ['ok']))
  await t.rejects(new Session(g).run({}, ['bad']), /unknown op 'Bogus'/)
  t.same(log, [])
})

t.test('PlaceholderWithDefault uses its input unless fed', async (t) => {
  const g = graph(constF32('d', [2], [1, 2]), node('p', 'PlaceholderWithDefault', ['d'], {dtype: makeAttr.type('float32'), shape: makeAttr.shape([2])}))
  const s = new Session(g)
  t.same(values((await s.run({}, ['p']))[0]), [1, 2])
  t.same(values((await s.run({p: f32([2], [7, 8])}, ['p']))[0]), [7, 8])
  await t.rejects(s.run({p: f32([3], [7, 8, 9])}, ['p']), /shape is \[2\]/)
})

t.test('placeholderNames and sinkNames', async (t) => {
  const g = graph(placeholder('in'), constF32('c', [], [1]), node('a', 'Add', ['in', 'c']), node('out', 'Relu', ['a']), node('n', 'NoOp', ['^out']))
  t.same(placeholderNames(g), ['in'])
  t.same(sinkNames(g), [])
  t.same(sinkNames(graph(placeholder('in'), node('out', 'Relu', ['in']))), ['out'])
})

t.test('Min/Max share one pass within a run, never across runs (a refilled feed is re-read)', async (t) => {
  const g = graph(
    placeholder('x'),
    node('axes', 'Const', [], {dtype: makeAttr.type('int32'), value: {tensor: {dtype: 3, tensorShape: {dim: [{size: 1}]}, intVal: [0]}}}),
    node('lo', 'Min', ['x', 'axes']),
    node('hi', 'Max', ['x', 'axes']),
  )
  const s = new Session(g)
  const buffer = new Float32Array(100000).map((_, i) => i % 1000)
  const feed = {x: {dtype: 'float32' as const, shape: [100000], data: buffer}}
  const [lo, hi] = await s.run(feed, ['lo', 'hi'])
  t.same([values(lo)[0], values(hi)[0]], [0, 999])
  buffer.fill(-5)
  buffer[77] = 12
  const [lo2, hi2] = await s.run(feed, ['lo', 'hi'])
  t.same([values(lo2)[0], values(hi2)[0]], [-5, 12])
})

// A test op writing x + 1 into a buffer from the Session's pool (every element written).
const pooledBuffers: ArrayBufferLike[] = []
registerOp({
  name: 'TestPooledInc',
  compute(ctx) {
    const x = ctx.inputs[0].data as Float32Array
    const out = outputArray(ctx, 'float32', x.length) as Float32Array
    pooledBuffers.push(out.buffer)
    for (let i = 0; i < x.length; i++) out[i] = x[i] + 1
    return [{dtype: 'float32', shape: [...ctx.inputs[0].shape], data: out}]
  },
})

t.test('output buffers are recycled only when no live tensor or fetch result uses them', async (t) => {
  const n = 1 << 15 // 128 KiB of float32: pooled
  // p1 is also read, through the pass-through TestLog node, by p4: p1's buffer must stay intact
  // until p4 has run although p1 itself was released earlier.
  const g = graph(
    placeholder('x'),
    node('p1', 'TestPooledInc', ['x']),
    node('view', 'TestLog', ['p1']),
    node('p2', 'TestPooledInc', ['p1']),
    node('p3', 'TestPooledInc', ['p2']),
    node('p4', 'TestPooledInc', ['p3']),
    node('sum', 'Add', ['p4', 'view']),
  )
  const s = new Session(g)
  const x = {dtype: 'float32' as const, shape: [n], data: new Float32Array(n).map((_, i) => i)}
  pooledBuffers.length = 0
  const [sum1, p2] = await s.run({x}, ['sum', 'p2'])
  t.equal(values(sum1)[5], 5 + 4 + 5 + 1, 'p4 + p1 with p1 kept alive by its view')
  t.equal(new Set(pooledBuffers).size, 4, 'no buffer is reused while a tensor still uses it')
  const p2Copy = Float32Array.from(p2.data as Float32Array)
  pooledBuffers.length = 0
  const [sum2] = await s.run({x}, ['sum'])
  t.same(values(sum2), values(sum1), 'a second run computes the same')
  t.ok(pooledBuffers.some((b) => b !== (p2.data as Float32Array).buffer), 'buffers are reused across runs')
  t.ok(!pooledBuffers.includes((p2.data as Float32Array).buffer), 'a fetched result is never recycled')
  t.same(Array.from(p2.data as Float32Array), Array.from(p2Copy), 'the first run\'s fetched p2 is unchanged')
  t.ok(pooledBuffers.includes((sum1.data as Float32Array).buffer) === false, 'nor is the fetched sum')
  // Outside a Session, outputArray gives a new zeroed array.
  const ctx = {recycle: undefined} as unknown as Parameters<typeof outputArray>[0]
  t.same(Array.from(outputArray(ctx, 'int32', 3) as Int32Array), [0, 0, 0])
})
