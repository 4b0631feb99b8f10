import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {readGraph, encodeGraph, decodeGraph} from '../../src/graph/graphIO.js'
import {parseTextGraph, parseTextMessage, looksLikeTextFormat} from '../../src/graph/textFormat.js'
import {tensorFromProto} from '../../src/graph/tensorProto.js'
import {AxqError} from '../../src/errors.js'
import type {GraphDef} from '../../src/graph/types.js'
import {fixturesDir} from '../helpers/paths.js'

const fixture = (name: string): string => path.join(fixturesDir, 'graph', name)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-text-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

t.test("a text-format GraphDef encodes to TensorFlow's binary bytes", async (t) => {
  const text = readGraph(fixture('small.pbtxt'))
  const binary = readGraph(fixture('small.pb'))
  // TensorFlow's "deterministic" serialization orders map entries its own way (not by key), so
  // compare with the attrs of both in key order; everything else must be byte-identical.
  const sortAttrs = (g: GraphDef): GraphDef => ({
    ...g,
    node: g.node.map((n) => ({...n, attr: Object.fromEntries(Object.entries(n.attr).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))})),
  })
  t.equal(Buffer.compare(Buffer.from(encodeGraph(sortAttrs(text))), Buffer.from(encodeGraph(sortAttrs(binary)))), 0, 'same bytes')
  t.equal(encodeGraph(text).length, fs.readFileSync(fixture('small.pb')).length)
  t.same(text.node.map((n) => n.name), binary.node.map((n) => n.name))
  const strings = tensorFromProto(text.node.find((n) => n.name === 'strings')!.attr.value.tensor!)
  t.same((strings.data as Uint8Array[]).map((s) => Buffer.from(s).toString('hex')), ['610062', 'ff2271'])
  const big = tensorFromProto(text.node.find((n) => n.name === 'big')!.attr.value.tensor!)
  t.same(Array.from(big.data as BigInt64Array), [-1n, 2n ** 40n])
  t.same(text.node.find((n) => n.name === 'input')!.attr.shape.shape, {dim: [{size: -1}, {size: 4}, {size: 4}, {size: 3}]})
})

t.test('text format details', async (t) => {
  t.ok(looksLikeTextFormat(Buffer.from('# comment\n\nnode {\n')))
  t.notOk(looksLikeTextFormat(Buffer.from([0x0a, 0x10, 0x0a])))
  const g = parseTextGraph(
    `node < name: 'a' op: "Const" attr [ { key: "v" value { f: -inf } }, { key: 'w', value: { list: { i: [1, 0x10, -3] s: "x" "y" } } } ] > ; node { name: "b" op: "X" input: ["a", "^a"] }`,
    'mem',
  )
  t.equal(g.node[0].attr.v.f, -Infinity)
  t.same(g.node[0].attr.w.list!.i, [1, 16, -3])
  t.same(g.node[0].attr.w.list!.s!.map((b) => Buffer.from(b).toString()), ['xy'])
  t.same(g.node[1].input, ['a', '^a'])
  const oneof = parseTextMessage('AttrValue', 'i: 3 b: false', 'mem')
  t.same(oneof, {b: false}, 'a later oneof member replaces an earlier one')
  t.same(decodeGraph(Buffer.from('node { name: "n" op: "NoOp" }\n'), 'mem').node[0].name, 'n')
})

t.test('text format errors name the file and line', async (t) => {
  const check = (text: string, pattern: RegExp): void => {
    const file = path.join(tmp, 'bad.pbtxt')
    fs.writeFileSync(file, text)
    try {
      readGraph(file)
      t.fail('should fail')
    } catch (error) {
      t.ok(error instanceof AxqError)
      t.match((error as Error).message, pattern, (error as Error).message)
      t.ok((error as Error).message.startsWith(file))
    }
  }
  check('node {\n  name: "a"\n  colour: "red"\n}\n', /bad.pbtxt:3: unknown field 'colour' in tensorflow.NodeDef/)
  check('node {\n  name: "a"\n  op: "X"\n', /missing '}'/)
  check('node {\n  name: "a\n}\n', /:2: unterminated or malformed string/)
  check('node { name: "a" op: "X" attr { key: "t" value { type: DT_NOPE } } }', /unknown DataType value 'DT_NOPE'/)
  check('node { name: "a" op: "X" attr { key: "t" value { i: 1.5 } } }', /expected an integer, found '1.5'/)
})
