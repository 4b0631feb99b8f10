import t from 'tap'
import {hash64, hash64Combine, hashNodeDef} from '../../src/transforms/nodeHash.js'
import {serializeAttrValue} from '../../src/graph/attrValueWire.js'
import {n, floatConst, utf8} from './graphFixtures.js'

/** Reference twin of Hash64 (MurmurHash64A, TF's seed) in BigInt arithmetic, straight from the definition. */
function hash64Reference(data: Uint8Array, seed = 0xdecafcaffen): bigint {
  const m = 0xc6a4a7935bd1e995n
  const mask = (1n << 64n) - 1n
  let h = seed ^ ((BigInt(data.length) * m) & mask)
  let i = 0
  for (; i + 8 <= data.length; i += 8) {
    let k = 0n
    for (let b = 7; b >= 0; b--) k = (k << 8n) | BigInt(data[i + b])
    k = (k * m) & mask
    k ^= k >> 47n
    k = (k * m) & mask
    h ^= k
    h = (h * m) & mask
  }
  const rest = data.length - i
  if (rest > 0) {
    for (let b = 0; b < rest; b++) h ^= BigInt(data[i + b]) << BigInt(8 * b)
    h = (h * m) & mask
  }
  h ^= h >> 47n
  h = (h * m) & mask
  h ^= h >> 47n
  return h
}

t.test('Hash64 equals its reference twin on every tail length and random data', async (t) => {
  let state = 12345
  const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24
  for (let len = 0; len < 70; len++) {
    const data = Uint8Array.from({length: len}, rand)
    t.equal(hash64(data), hash64Reference(data), `length ${len}`)
  }
  const big = Uint8Array.from({length: 100_003}, rand)
  t.equal(hash64(big), hash64Reference(big), '100 kB')
  const ones = new Uint8Array(64).fill(0xff)
  t.equal(hash64(ones), hash64Reference(ones), 'all bits set (carries)')
})

t.test('known values (from a separate C implementation of TensorFlow\'s Hash64, uint64 arithmetic)', async (t) => {
  // Printed by a small C program with TensorFlow's hash.cc arithmetic (MurmurHash64A, seed
  // 0xDECAFCAFFE) and Hash64Combine, compiled with cc: not by the code under test.
  const known: [string, string][] = [
    ['', '81769421199f9e3b'],
    ['Const', '509535092bf8fc84'],
    ['abcdefgh', '2f994778e453fc52'],
    ['QuantizedConv2D', 'd8e3ce949abb305f'],
    ['resnet/tower_0/conv2d/Conv2D', '0096f7099ec266e1'],
  ]
  for (const [text, hex] of known) t.equal(hash64(utf8(text)).toString(16).padStart(16, '0'), hex, `Hash64(${JSON.stringify(text)})`)
  t.equal(hash64Combine(1n, 2n), 0x9e3779b97f4a7c03n)
  t.equal(hash64Combine(0xffffffffffffffffn, 0xffffffffffffffffn), 0x51c8864680b58c01n, 'wraps at 64 bits')
  t.equal(hash64Combine(0x0123456789abcdefn, 0xfedcba9876543210n), 0x2b1f43a894daef01n)
})

t.test('HashNodeDef: what counts and what does not', async (t) => {
  const a = n('a', 'Add', ['x', 'y:1', '^z'], {T: {type: 1}, U: {b: false}})
  const h = hashNodeDef(a)
  t.equal(hashNodeDef({...a, input: ['x:0', 'y:1', '^z']}), h, "'x' and 'x:0' hash alike")
  t.equal(hashNodeDef({...a, input: ['x', 'y:1', '^z:0']}), h, "'^z' canonicalizes to '^z:0' (TensorFlow's CanonicalInputName)")
  t.not(hashNodeDef({...a, input: ['y:1', 'x', '^z']}), h, 'input order counts')
  t.equal(hashNodeDef({...a, attr: {U: {b: false}, T: {type: 1}}}), h, 'attr order in the object does not matter')
  t.not(hashNodeDef({...a, attr: {T: {type: 1}}}), h, 'a missing attr changes the hash')
  t.equal(hashNodeDef({...a, attr: {T: {type: 1}, V: {b: false}}}), h, 'attr names are not hashed, only values in name order')
  t.not(hashNodeDef({...a, attr: {T: {b: false}, U: {type: 1}}}), h, 'values in name order')
  t.not(hashNodeDef(a, ''), h, 'the name counts unless blanked')
  t.equal(hashNodeDef({...a, name: 'b'}, ''), hashNodeDef(a, ''), 'blanked names hash alike')
  t.not(hashNodeDef({...a, device: '/cpu:0'}), h, 'device counts')
})

t.test('AttrValue bytes as C++ serializes them', async (t) => {
  const hex = (v: Parameters<typeof serializeAttrValue>[0]) => Buffer.from(serializeAttrValue(v)).toString('hex')
  t.equal(hex({b: false}), '2800', 'a set oneof member is written even when false')
  t.equal(hex({type: 0}), '3000')
  t.equal(hex({i: -1}), '18ffffffffffffffffff01', 'negative int64: ten-byte varint')
  t.equal(hex({f: 1}), '250000803f')
  t.equal(hex({s: utf8('')}), '1200')
  t.equal(hex({list: {i: [1, 2, 2, 1]}}), '0a061a0401020201', 'packed ints inside the list')
  t.equal(hex({list: {}}), '0a00', 'empty list still written')
  t.equal(hex({shape: {dim: [{size: -1}, {size: 32}]}}), '3a11' + '120b08ffffffffffffffffff01' + '12020820')
  t.equal(hex({shape: {}}), '3a00', 'scalar shape: an empty message')
  t.equal(hex({shape: {unknownRank: true}}), '3a021801')
  const c = floatConst('c', [], [2])
  t.equal(hex(c.attr.value), '42' + '0a' + '0801' + '1200' + '2204' + '00000040', 'scalar tensor: dtype, empty shape, content')
  t.equal(hex({tensor: {dtype: 1, tensorShape: {dim: [{}]}, floatVal: [1, 2]}}), '42100801120212002a080000803f00000040', 'zero dim is an empty Dim; float_val packed')
})
