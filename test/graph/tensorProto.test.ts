import t from 'tap'
import {tensorFromProto, tensorToProto, encodeStringList, shapeToProto} from '../../src/graph/tensorProto.js'
import {decodeMessage, encodeMessage} from '../../src/graph/protos.js'
import type {TensorProto} from '../../src/graph/types.js'
import {AxqError} from '../../src/errors.js'
import type {DType, Tensor} from '../../src/core/tensor.js'
import {readGraph} from '../../src/graph/graphIO.js'
import {hasShared, shared} from '../helpers/paths.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))
const shape = (...dims: number[]) => shapeToProto(dims)
const s = (x: string): Uint8Array => new TextEncoder().encode(x)
const plain = (data: Tensor['data']): unknown[] => Array.from(data as ArrayLike<unknown>, (v) => (v instanceof Uint8Array ? Buffer.from(v).toString() : v))

t.test('tensor_content, every fixed-size dtype (little-endian, row-major)', async (t) => {
  const cases: [DType, number, string, unknown[]][] = [
    ['float32', 1, '0000c03f000000c0', [1.5, -2]],
    ['float64', 2, '000000000000f83f', [1.5]],
    ['int32', 3, 'ffffffff02000000', [-1, 2]],
    ['uint8', 4, '00ff07', [0, 255, 7]],
    ['int16', 5, 'ff7f0080', [32767, -32768]],
    ['int8', 6, '80ff', [-128, -1]],
    ['int64', 9, 'feffffffffffffff0000000000000001', [-2n, 2n ** 56n]],
    ['bool', 10, '000101', [0, 1, 1]],
    ['qint8', 11, '7f80', [127, -128]],
    ['quint8', 12, 'ff80', [255, 128]],
    ['qint32', 13, '00000080', [-(2 ** 31)]],
    ['qint16', 15, '0180', [-32767]],
    ['quint16', 16, 'ffff', [65535]],
    ['uint16', 17, '3412', [0x1234]],
  ]
  for (const [dtype, code, content, values] of cases) {
    const tensor = tensorFromProto({dtype: code, tensorShape: shape(values.length), tensorContent: bytes(content)})
    t.equal(tensor.dtype, dtype)
    t.same(tensor.shape, [values.length])
    t.same(Array.from(tensor.data as ArrayLike<unknown>), values, dtype)
    // and back: AsProtoTensorContent gives the same bytes
    t.equal(hex(tensorToProto(tensor, 'content').tensorContent!), content, `${dtype} content round trip`)
  }
})

t.test('bool bytes other than 0/1 read as true', async (t) => {
  const tensor = tensorFromProto({dtype: 10, tensorShape: shape(3), tensorContent: bytes('00ff02')})
  t.same(Array.from(tensor.data as Uint8Array), [0, 1, 1])
})

t.test('content views into a file at odd offsets are copied, not aliased', async (t) => {
  const file = bytes('aa' + '0000803f' + '00000040')
  const proto: TensorProto = {dtype: 1, tensorShape: shape(2), tensorContent: file.subarray(1)}
  const tensor = tensorFromProto(proto)
  t.same(Array.from(tensor.data as Float32Array), [1, 2])
  ;(tensor.data as Float32Array)[0] = 9
  t.equal(file[3], 0x80, 'the source bytes are untouched')
})

t.test('typed fields: the last value fills the shape', async (t) => {
  const f = tensorFromProto({dtype: 1, tensorShape: shape(2, 2), floatVal: [0.5, 3]})
  t.same(Array.from(f.data as Float32Array), [0.5, 3, 3, 3])
  t.same(f.shape, [2, 2])
  const one = tensorFromProto({dtype: 1, tensorShape: shape(3), floatVal: [7]})
  t.same(Array.from(one.data as Float32Array), [7, 7, 7])
  const none = tensorFromProto({dtype: 3, tensorShape: shape(3)})
  t.same(Array.from(none.data as Int32Array), [0, 0, 0], 'no values: zeros')
  const extra = tensorFromProto({dtype: 3, tensorShape: shape(2), intVal: [1, 2, 3]})
  t.same(Array.from(extra.data as Int32Array), [1, 2], 'more values than elements: the first N (as TensorFlow)')
  const scalar = tensorFromProto({dtype: 1, tensorShape: {}, floatVal: [0.1]})
  t.same(scalar.shape, [])
  t.equal((scalar.data as Float32Array)[0], Math.fround(0.1))
  const noShape = tensorFromProto({dtype: 1, floatVal: [2]})
  t.same(noShape.shape, [], 'no tensor_shape: a scalar')
  const d = tensorFromProto({dtype: 2, tensorShape: shape(2), doubleVal: [0.1]})
  t.same(Array.from(d.data as Float64Array), [0.1, 0.1])
  const q = tensorFromProto({dtype: 12, tensorShape: shape(3), intVal: [255, 7]})
  t.same(Array.from(q.data as Uint8Array), [255, 7, 7])
  const qi = tensorFromProto({dtype: 11, tensorShape: shape(2), intVal: [-5]})
  t.same(Array.from(qi.data as Int8Array), [-5, -5])
  const q32 = tensorFromProto({dtype: 13, tensorShape: shape(2), intVal: [-70000, 5]})
  t.same(Array.from(q32.data as Int32Array), [-70000, 5])
  const u8 = tensorFromProto({dtype: 4, tensorShape: shape(2), intVal: [200]})
  t.same(Array.from(u8.data as Uint8Array), [200, 200])
  const b = tensorFromProto({dtype: 10, tensorShape: shape(3), boolVal: [false, true]})
  t.same(Array.from(b.data as Uint8Array), [0, 1, 1])
  const i64 = tensorFromProto({dtype: 9, tensorShape: shape(3), int64Val: [-3, {low: 0, high: 0x40000000, toNumber: () => 2 ** 62}]})
  t.same(Array.from(i64.data as BigInt64Array), [-3n, 2n ** 62n, 2n ** 62n])
  const str = tensorFromProto({dtype: 7, tensorShape: shape(3), stringVal: [s('a'), s('bc')]})
  t.same(plain(str.data), ['a', 'bc', 'bc'])
  const empty = tensorFromProto({dtype: 7, tensorShape: shape(2)})
  t.same(plain(empty.data), ['', ''])
})

t.test('string tensor_content uses varint lengths then the bytes', async (t) => {
  const long = 'x'.repeat(300)
  const content = encodeStringList([s('ab'), s(''), s(long)])
  t.equal(hex(content.subarray(0, 4)), '0200ac02')
  t.equal(content.length, 4 + 2 + 300)
  const tensor = tensorFromProto({dtype: 7, tensorShape: shape(3), tensorContent: content})
  t.same(plain(tensor.data), ['ab', '', long])
  t.throws(() => tensorFromProto({dtype: 7, tensorShape: shape(3), tensorContent: content.subarray(0, 10)}), /string tensor_content/)
})

t.test('tensorToProto forms, and the bytes TensorFlow writes', async (t) => {
  const scalar: Tensor = {dtype: 'float32', shape: [], data: new Float32Array([1])}
  // AsProtoTensorContent of a scalar: dtype, an empty (but set) shape, 4 content bytes.
  t.equal(hex(encodeMessage('TensorProto', tensorToProto(scalar, 'content'))), '0801' + '1200' + '22040000803f')
  t.equal(hex(encodeMessage('TensorProto', tensorToProto(scalar, 'typed'))), '0801' + '1200' + '2a040000803f')
  t.equal(hex(encodeMessage('TensorProto', tensorToProto(scalar, 'auto'))), '0801' + '1200' + '2a040000803f', 'auto: one element → typed')
  const vec: Tensor = {dtype: 'int32', shape: [2], data: new Int32Array([1, -1])}
  t.same(Object.keys(tensorToProto(vec, 'auto')), ['dtype', 'tensorShape', 'tensorContent'], 'auto: several elements → content')
  t.same(tensorToProto(vec, 'typed').intVal, [1, -1])
  const empty: Tensor = {dtype: 'float32', shape: [0, 3], data: new Float32Array(0)}
  t.equal(hex(encodeMessage('TensorProto', tensorToProto(empty, 'content'))), '0801' + '1206' + '1200' + '12020803')
  t.same(tensorFromProto(tensorToProto(empty, 'content')).shape, [0, 3])
})

t.test('round trips in every dtype and form', async (t) => {
  const tensors: Tensor[] = [
    {dtype: 'float32', shape: [2, 2], data: new Float32Array([0.1, -0, Infinity, 3e38])},
    {dtype: 'float64', shape: [2], data: new Float64Array([0.1, -1e300])},
    {dtype: 'int32', shape: [3], data: new Int32Array([-(2 ** 31), 0, 2 ** 31 - 1])},
    {dtype: 'int64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])},
    {dtype: 'uint8', shape: [2], data: new Uint8Array([0, 255])},
    {dtype: 'quint8', shape: [1, 1, 1, 3], data: new Uint8Array([1, 2, 3])},
    {dtype: 'qint8', shape: [2], data: new Int8Array([-128, 127])},
    {dtype: 'qint32', shape: [2], data: new Int32Array([-5, 5])},
    {dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1])},
    {dtype: 'string', shape: [2], data: [s('hello'), s('')]},
    {dtype: 'float32', shape: [], data: new Float32Array([6])},
  ]
  for (const tensor of tensors) {
    for (const form of ['content', 'typed', 'auto'] as const) {
      const wire = encodeMessage('TensorProto', tensorToProto(tensor, form))
      const back = tensorFromProto(decodeMessage<TensorProto>('TensorProto', wire, 'w'))
      t.equal(back.dtype, tensor.dtype)
      t.same(back.shape, tensor.shape)
      t.same(plain(back.data), plain(tensor.data), `${tensor.dtype} ${form}`)
      t.equal(back.data.constructor, tensor.data.constructor)
    }
  }
})

t.test('bad tensors: clear errors naming where', async (t) => {
  const where = "node 'c' attr 'value'"
  const bad = (proto: TensorProto, pattern: RegExp): void => {
    try {
      tensorFromProto(proto, where)
      t.fail(`should throw ${pattern.source}`)
    } catch (e) {
      t.ok(e instanceof AxqError && e.message.startsWith(where), 'AxqError starting with where')
      t.match((e as Error).message, pattern)
    }
  }
  bad({dtype: 1, tensorShape: shape(3), tensorContent: bytes('00000000')}, /tensor_content has 4 bytes, a float tensor of 3 elements needs 12/)
  bad({dtype: 1, tensorShape: {unknownRank: true}}, /unknown rank/)
  bad({dtype: 1, tensorShape: {dim: [{size: -1}]}}, /dimension 0 is -1/)
  bad({tensorShape: shape(1)}, /no dtype/)
  bad({dtype: 101, tensorShape: shape(1)}, /reference dtype/)
  bad({dtype: 19, tensorShape: shape(1)}, /unsupported data type 19/)
  bad({dtype: 1, tensorShape: shape(100000, 100000)}, /too large/)
})

t.test("every Const of the shared models decodes, and re-encodes to TensorFlow's bytes", {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  const seen = new Set<string>()
  for (const name of ['resnet_8.pb', 'resnet_8_quant_ax.pb']) {
    const graph = readGraph(shared('models', name))
    for (const node of graph.node.filter((n) => n.op === 'Const')) {
      const proto = node.attr.value.tensor!
      const tensor = tensorFromProto(proto, node.name)
      const form = proto.tensorContent ? 'content' : 'typed'
      seen.add(`${tensor.dtype}/${form}`)
      const again = encodeMessage('TensorProto', tensorToProto(tensor, form))
      if (hex(again) !== hex(encodeMessage('TensorProto', proto))) t.fail(`${name} ${node.name} re-encodes differently`)
    }
  }
  t.same([...seen].sort(), ['float32/content', 'float32/typed', 'int32/content', 'quint8/content'])
})
