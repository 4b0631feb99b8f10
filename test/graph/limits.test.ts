/** Hostile graphs: deep nesting in text and binary GraphDefs; inspect with stride 0 and unknown shapes. */
import t from 'tap'
import {decodeGraph} from '../../src/graph/graphIO.js'
import {summarizeGraph} from '../../src/graph/graphSummary.js'
import {parseTextGraph} from '../../src/graph/textFormat.js'
import {makeAttr} from '../../src/graph/attrs.js'
import type {GraphDef} from '../../src/graph/types.js'

function varint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}
const field = (n: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, ...varint(payload.length)]), payload])
const str = (n: number, s: string): Buffer => field(n, Buffer.from(s))

t.test('a deeply nested text-format graph is an error, not a stack overflow', async (t) => {
  const depth = 20_000
  const text = 'node { name: "a" op: "Const" attr { key: "value" value {' + ' func { attr { key: "k" value {'.repeat(depth) + '}}}'.repeat(depth) + '}}}\n'
  t.throws(() => decodeGraph(Buffer.from(text), 'deep.pbtxt'), {name: 'AxqError', message: 'deep.pbtxt:1: messages nested more than 100 deep'})
  // 30 levels are fine.
  const ok = 'node { name: "a" op: "NoOp" attr { key: "value" value {' + ' func { name: "f" attr { key: "k" value {'.repeat(30) + '}}}'.repeat(30) + '}}}\n'
  t.equal(parseTextGraph(ok, 'ok.pbtxt').node.length, 1)
})

t.test('a deeply nested binary graph is an error', async (t) => {
  let value: Buffer = Buffer.alloc(0)
  for (let i = 0; i < 5000; i++) value = field(10, Buffer.concat([str(1, 'f'), field(2, Buffer.concat([str(1, 'k'), field(2, value)]))]))
  const node = Buffer.concat([str(1, 'a'), str(2, 'Const'), field(5, Buffer.concat([str(1, 'value'), field(2, value)]))])
  t.throws(() => decodeGraph(field(1, node), 'deep.pb'), {name: 'AxqError', message: /^deep\.pb: not a valid GraphDef \(truncated or corrupt protobuf: .*nesting/})
})

t.test('inspect: stride 0 gives an unknown shape, and uncounted layers are named', async (t) => {
  const graph = {
    node: [
      {name: 'x', op: 'Placeholder', input: [], attr: {dtype: makeAttr.type('float32'), shape: makeAttr.shape([1, 8, 8, 3])}},
      {name: 'w', op: 'Const', input: [], attr: {dtype: makeAttr.type('float32'), value: {tensor: {dtype: 1, tensorShape: {dim: [{size: 2}, {size: 2}, {size: 3}, {size: 4}]}, floatVal: [0]}}}},
      {name: 'good', op: 'Conv2D', input: ['x', 'w'], attr: {strides: makeAttr.intList([1, 1, 1, 1]), padding: makeAttr.string('SAME')}},
      {name: 'zero', op: 'Conv2D', input: ['x', 'w'], attr: {strides: makeAttr.intList([1, 0, 0, 1]), padding: makeAttr.string('SAME')}},
      {name: 'valid', op: 'Conv2D', input: ['x', 'w'], attr: {strides: makeAttr.intList([1, 1, 1, 1]), padding: makeAttr.string('VALID')}},
    ],
  } as unknown as GraphDef
  const s = summarizeGraph(graph)
  const byName = Object.fromEntries(s.layers.map((l) => [l.name, l]))
  t.same(byName.good.outputShape, [1, 8, 8, 4])
  t.same(byName.zero.outputShape, [1, -1, -1, 4], 'stride 0: unknown, not Infinity')
  t.equal(byName.zero.outputMacsPerImage, null)
  t.same(byName.valid.outputShape, [1, 7, 7, 4])
  // 8·8 positions × 2·2·3·4 filter = 3072 per layer, for the three layers (input and filter are known).
  t.equal(s.macsPerImage, 3 * 3072)
  t.same(s.unknownLayers, [])
  const noFilter = {node: [graph.node[0], {name: 'c', op: 'Conv2D', input: ['x', 'missing'], attr: {}}]} as unknown as GraphDef
  const u = summarizeGraph(noFilter)
  t.same(u.unknownLayers, ['c'], 'a layer of unknown shape is listed, not silently dropped')
  t.equal(u.macsPerImage, 0)
})
