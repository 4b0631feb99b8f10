import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {readGraph, decodeGraph, encodeGraph, writeGraph, cloneGraph} from '../../src/graph/graphIO.js'
import {decodeMessage, encodeMessage, PROTO_DIR} from '../../src/graph/protos.js'
import type {GraphDef, NodeDef} from '../../src/graph/types.js'
import {AxqError} from '../../src/errors.js'
import {hasShared, shared} from '../helpers/paths.js'

const models = ['resnet_8.pb', 'resnet_8_quant_ax.pb']
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-graphio-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

t.test('schemas load from the package proto/ folder', async (t) => {
  t.ok(fs.existsSync(path.join(PROTO_DIR, 'graph.proto')))
  t.ok(path.isAbsolute(PROTO_DIR))
})

t.test('load → save of the shared models is byte-identical', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  for (const name of models) {
    const file = shared('models', name)
    const original = fs.readFileSync(file)
    const graph = readGraph(file)
    t.equal(Buffer.compare(Buffer.from(encodeGraph(graph)), original), 0, `${name} re-encodes identically`)
    const out = path.join(tmp, name)
    writeGraph(out, graph)
    t.equal(Buffer.compare(fs.readFileSync(out), original), 0, `${name} written identically`)
    t.equal(Buffer.compare(Buffer.from(encodeGraph(cloneGraph(graph))), original), 0, `${name} clone identical`)
  }
  const ax = readGraph(shared('models', 'resnet_8_quant_ax.pb'))
  t.equal(ax.node.length, 211)
  t.equal(ax.node.filter((n) => n.op === 'AxConv2D').length, 7)
  const conv = ax.node.find((n) => n.op === 'AxConv2D')!
  t.same(conv.attr.strides.list!.i, [1, 1, 1, 1], 'int64 list values decode as numbers')
  t.equal(conv.attr.Tinput.type, 12)
  t.equal(Buffer.from(conv.attr.padding.s!).toString(), 'SAME')
  t.equal(conv.input.length, 6)
  const float = readGraph(shared('models', 'resnet_8.pb'))
  t.equal(float.node.length, 103)
  t.ok(float.library, 'the function library is carried along')
})

t.test('presence: oneof defaults and empty sub-messages survive a round trip', async (t) => {
  // Hand-encoded NodeDef: name "n", op "Op", attr {a: {b: false}}, {t: {type: DT_INVALID}},
  // {s: {shape: {}}} — the bytes C++ writes for these.
  const graph: GraphDef = {
    node: [{name: 'n', op: 'Op', input: [], attr: {a: {b: false}, t: {type: 0}, s: {shape: {}}, i: {i: 0}, f: {f: 0}}}],
  }
  const bytes = encodeGraph(graph)
  // node(1) { name(1)="n" op(2)="Op" attr(5){key "a" value{b(5)=0}} ... }
  const expectAttr = (key: string, value: string): string => {
    const entry = '0a01' + Buffer.from(key).toString('hex') + '12' + (value.length / 2).toString(16).padStart(2, '0') + value
    return '2a' + (entry.length / 2).toString(16).padStart(2, '0') + entry
  }
  const nodeBody = '0a016e' + '12024f70' + expectAttr('a', '2800') + expectAttr('t', '3000') + expectAttr('s', '3a00') + expectAttr('i', '1800') + expectAttr('f', '2500000000')
  t.equal(hex(bytes), '0a' + (nodeBody.length / 2).toString(16).padStart(2, '0') + nodeBody)
  const back = decodeGraph(bytes, 'mem')
  t.same(back.node[0].attr, {a: {b: false}, t: {type: 0}, s: {shape: {}}, i: {i: 0}, f: {f: 0}})
  t.ok(Object.prototype.hasOwnProperty.call(back.node[0].attr.a, 'b'))
  t.notOk('i' in back.node[0].attr.a, 'absent oneof members are not own properties (nor inherited)')
  t.equal(hex(encodeGraph(back)), hex(bytes))
})

t.test('encoding drops proto3 defaults outside oneofs, like C++', async (t) => {
  const node: NodeDef = {name: 'x', op: 'Const', input: [], device: '', attr: {}}
  t.equal(hex(encodeGraph({node: [node], version: 0})), '0a0a' + '0a0178' + '1205436f6e7374')
  // A Dim of size 0 is an empty message; a set but empty TensorShape is written.
  const shape = encodeMessage('TensorShapeProto', {dim: [{size: 0}, {size: 3}]})
  t.equal(hex(shape), '1200' + '12020803')
})

t.test('packed and unpacked repeated fields both parse', async (t) => {
  // ListValue.i = [1, 2, 300]: packed (1a 04 01 02 ac 02) and unpacked (18 01 18 02 18 ac 02).
  const packed = Buffer.from('1a0401' + '02ac02', 'hex')
  const unpacked = Buffer.from('1801' + '1802' + '18ac02', 'hex')
  t.same(decodeMessage<{i: number[]}>('AttrValue.ListValue', packed, 'p').i, [1, 2, 300])
  t.same(decodeMessage<{i: number[]}>('AttrValue.ListValue', unpacked, 'u').i, [1, 2, 300])
  t.equal(hex(encodeMessage('AttrValue.ListValue', {i: [1, 2, 300]})), '1a040102ac02', 'written packed')
})

t.test('int64: negatives, and values beyond 2^53 stay exact', async (t) => {
  const shape = decodeMessage<{dim: {size: unknown}[]}>('TensorShapeProto', encodeMessage('TensorShapeProto', {dim: [{size: -1}]}), 's')
  t.equal(shape.dim[0].size, -1)
  const big = Buffer.from('18' + 'ffffffffffffffff7f', 'hex') // AttrValue.i = 2^63-1
  const v = decodeMessage<{i: {toString(): string}}>('AttrValue', big, 'big')
  t.equal(v.i.toString(), '9223372036854775807')
  t.equal(hex(encodeMessage('AttrValue', v)), hex(big))
})

t.test('map entry order is preserved', async (t) => {
  const attr: Record<string, {i: number}> = {zeta: {i: 1}, alpha: {i: 2}, mid: {i: 3}}
  const g = decodeGraph(encodeGraph({node: [{name: 'a', op: 'B', input: [], attr}]}), 'm')
  t.same(Object.keys(g.node[0].attr), ['zeta', 'alpha', 'mid'])
})

t.test('decoded graphs are mutable plain objects', async (t) => {
  const g = decodeGraph(encodeGraph({node: [{name: 'a', op: 'NoOp', input: [], attr: {}}]}), 'm')
  g.node[0].input.push('^b')
  g.node[0].attr.x = {i: 5}
  g.node.push({name: 'b', op: 'NoOp', input: [], attr: {}})
  const again = decodeGraph(encodeGraph(g), 'm')
  t.same(again.node.map((n) => n.name), ['a', 'b'])
  t.same(again.node[0].input, ['^b'])
  t.equal(again.node[0].attr.x.i, 5)
  t.same(Object.keys(again.node[1]).sort(), ['attr', 'input', 'name', 'op'])
})

t.test('experimental_debug_info and versions round-trip', async (t) => {
  const g: GraphDef = {
    node: [{name: 'a', op: 'X', input: [], attr: {}, experimentalDebugInfo: {originalNodeNames: ['p', 'q']}}],
    versions: {producer: 27, minConsumer: 12, badConsumers: [3]},
  }
  const bytes = encodeGraph(g)
  const back = decodeGraph(bytes, 'm')
  t.same(back.node[0].experimentalDebugInfo, {originalNodeNames: ['p', 'q']})
  t.same(back.versions, {producer: 27, minConsumer: 12, badConsumers: [3]})
  t.equal(hex(encodeGraph(back)), hex(bytes))
})

t.test('a malformed graph object is an error, not garbage bytes', async (t) => {
  t.throws(() => encodeGraph({node: [{name: 'a', op: 'X', input: [], attr: {v: {i: 'seven' as unknown as number}}}]}), AxqError)
  t.throws(() => encodeGraph({node: [{name: 'a', op: 'X', input: [], attr: {v: {i: 1, f: 2}}}]}), /cannot encode GraphDef/)
})

t.test('bad .pb files: one line naming the file', async (t) => {
  const check = (name: string, bytes: Uint8Array | null, pattern: RegExp): void => {
    const file = path.join(tmp, name)
    if (bytes) fs.writeFileSync(file, bytes)
    try {
      readGraph(file)
      t.fail(`${name} should not load`)
    } catch (error) {
      t.ok(error instanceof AxqError, `${name}: AxqError`)
      const message = (error as Error).message
      t.ok(message.includes(file), `${name}: message names the file`)
      t.notOk(message.includes('\n'), `${name}: one line`)
      t.match(message, pattern, `${name}: ${message}`)
    }
  }
  check('missing.pb', null, /no such file/)
  check('empty.pb', new Uint8Array(0), /empty file/)
  fs.mkdirSync(path.join(tmp, 'dir.pb'))
  check('dir.pb', null, /folder/)
  let seed = 12345
  const random = new Uint8Array(4096).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff)
  check('random.pb', random, /not a valid (TensorFlow )?GraphDef/)
  const valid = encodeGraph({node: [{name: 'conv', op: 'Conv2D', input: ['x', 'w'], attr: {T: {type: 1}, padding: {s: utf8('SAME')}}}]})
  check('truncated.pb', valid.slice(0, valid.length - 5), /truncated or corrupt/)
  check('no-nodes.pb', encodeMessage('GraphDef', {versions: {producer: 1}}), /no nodes/)
  check('bad-name.pb', encodeGraph({node: [{name: 'a b', op: 'X', input: [], attr: {}}]}), /invalid name/)
  check('duplicate.pb', encodeGraph({node: [{name: 'a', op: 'X', input: [], attr: {}}, {name: 'a', op: 'Y', input: [], attr: {}}]}), /two nodes are named 'a'/)
  check('savedmodel.pb', Buffer.from('0801' + '1203' + '0a0178', 'hex'), /SavedModel/)
})

t.test('random byte strings never crash the decoder', async (t) => {
  let seed = 99
  const next = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) >>> 24)
  let rejected = 0
  for (let i = 0; i < 300; i++) {
    const bytes = new Uint8Array(1 + (next() % 64)).map(() => next())
    try {
      decodeGraph(bytes, 'rnd')
    } catch (error) {
      if (!(error instanceof AxqError)) throw error
      rejected++
    }
  }
  t.equal(rejected, 300)
})

t.test('encoding guards: strings for bytes, bigint int64', async (t) => {
  t.throws(() => encodeGraph({node: [{name: 'a', op: 'X', input: [], attr: {padding: {s: 'SAME' as unknown as Uint8Array}}}]}), /AttrValue.s: bytes expected/)
  const big = encodeMessage('AttrValue', {i: 2n ** 62n as unknown as number})
  t.equal(hex(big), '18' + '80808080808080804' + '0')
  t.equal(hex(encodeMessage('AttrValue', {i: -5n as unknown as number})), '18fbffffffffffffffff01')
  t.equal(hex(encodeMessage('AttrValue.ListValue', {i: [1n, 2n] as unknown as number[]})), '1a020102')
})

t.test('fields unknown to the schemas survive load → save, after the known ones', async (t) => {
  const ld = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag, body.length]), body])
  // TensorProto { dtype: 1, tensor_shape {}, float_val: [1], field 30 (varint 7) }
  const tensor = Buffer.concat([Buffer.from('0801' + '1200' + '2a040000803f', 'hex'), Buffer.from([0xf0, 0x01, 0x07])])
  const attrEntry = ld(0x2a, Buffer.concat([ld(0x0a, Buffer.from('value')), ld(0x12, ld(0x42, tensor))]))
  // NodeDef { name "c", op "Const", attr {...}, field 9 (bytes "zz") }
  const node = Buffer.concat([ld(0x0a, Buffer.from('c')), ld(0x12, Buffer.from('Const')), attrEntry, ld(0x4a, Buffer.from('zz'))])
  // GraphDef { node, field 7 (fixed32) }
  const graph = Buffer.concat([ld(0x0a, node), Buffer.from('3d01020304', 'hex')])
  const g = decodeGraph(graph, 'future.pb')
  t.equal(g.node[0].name, 'c')
  t.same((g.node[0].attr.value.tensor as {floatVal: number[]}).floatVal, [1])
  t.equal(hex(encodeGraph(g)), hex(graph), 'byte-identical')
  const copy = cloneGraph(g)
  t.equal(hex(encodeGraph(copy)), hex(graph), 'clones keep them too')
})
