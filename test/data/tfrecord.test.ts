import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import {crc32c, maskCrc, maskedCrc32c, unmaskCrc} from '../../src/data/crc32c.js'
import {frameTFRecord, iterateTFRecords, readTFRecords, TFRecordWriter, writeTFRecords} from '../../src/data/tfrecord.js'
import {bytesFeature, decodeExample, encodeExample, featureBytes, featureInt64, floatFeature, int64Feature, featureFloat} from '../../src/data/example.js'
import {AxqError} from '../../src/errors.js'
import {fixturesDir} from '../helpers/paths.js'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-tfrecord-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))
const tfFile = path.join(fixturesDir, 'data', 'cifar_tf.tfrecords')

t.test('CRC32C reference vectors (RFC 3720 B.4, and the usual check value)', async (t) => {
  t.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283)
  t.equal(crc32c(new Uint8Array(0)), 0)
  t.equal(crc32c(new Uint8Array(32)), 0x8a9136aa)
  t.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43)
  t.equal(crc32c(Uint8Array.from({length: 32}, (_, i) => i)), 0x46dd794e)
  t.equal(crc32c(Uint8Array.from({length: 32}, (_, i) => 31 - i)), 0x113fdb5c)
  // incremental = whole, across the 8-byte fast path and the byte tail
  const data = Uint8Array.from({length: 1001}, (_, i) => (i * 7919) & 0xff)
  t.equal(crc32c(data.subarray(13), crc32c(data.subarray(0, 13))), crc32c(data))
})

t.test('masking', async (t) => {
  t.equal(maskCrc(0), 0xa282ead8)
  for (const c of [0, 1, 0xdeadbeef, 0xffffffff, 0x80000000]) t.equal(unmaskCrc(maskCrc(c)), c)
  t.equal(maskedCrc32c(new Uint8Array(0)), 0xa282ead8)
})

t.test("TensorFlow's TFRecordWriter output reads back, and our framing reproduces it", async (t) => {
  const records = readTFRecords(tfFile)
  t.equal(records.length, 4)
  t.same(records.map((r) => r.index), [0, 1, 2, 3])
  t.equal(records[0].offset, 0)
  const framed = Buffer.concat(records.map((r) => frameTFRecord(r.data)))
  t.equal(Buffer.compare(framed, fs.readFileSync(tfFile)), 0, 'byte-identical framing')
  const labels = records.map((r) => featureInt64(decodeExample(r.data, 'r'), 'label', 'r')[0])
  t.same(labels, [3, 8, 0, 9])
  const image = featureBytes(decodeExample(records[1].data, 'r'), 'image', 'r')
  t.equal(image.length, 1)
  t.equal(image[0].length, 3072)
})

t.test('Example encoding round-trips', async (t) => {
  const img = Uint8Array.from({length: 3072}, (_, i) => i & 0xff)
  const bytes = encodeExample({image: bytesFeature(img), label: int64Feature(7), score: floatFeature(0.5, -1)})
  const f = decodeExample(bytes, 'mem')
  t.same(Object.keys(f), ['image', 'label', 'score'])
  t.same(Array.from(featureBytes(f, 'image', 'mem')[0]), Array.from(img))
  t.same(featureInt64(f, 'label', 'mem'), [7])
  t.same(featureFloat(f, 'score', 'mem'), [0.5, -1])
  t.throws(() => featureInt64(f, 'image', 'rec 3'), /rec 3: feature 'image' is not a int64 list; the Example has image \(bytes\), label \(int64\), score \(float\)/)
  t.throws(() => featureBytes(f, 'pixels', 'rec 3'), /no bytes feature 'pixels'/)
  // The bytes TensorFlow writes for the same Example (the fixture's record 0).
  const tfRecord0 = readTFRecords(tfFile)[0].data
  const f0 = decodeExample(tfRecord0, 'tf')
  // TensorFlow writes the map entries in an order that changes from run to run (hashing);
  // with the entries in the order found, the encoding is TensorFlow's byte for byte.
  const ordered = Object.fromEntries(Object.keys(f0).map((k) => [k, k === 'label' ? int64Feature(3) : bytesFeature(featureBytes(f0, 'image', 'tf')[0])]))
  t.equal(Buffer.compare(Buffer.from(encodeExample(ordered)), Buffer.from(tfRecord0)), 0, "byte-identical to TensorFlow's Example")
})

t.test('writer: atomic, round trip, and many records', async (t) => {
  const file = path.join(tmp, 'w.tfrecords')
  const recs = Array.from({length: 300}, (_, i) => Uint8Array.from({length: i * 37}, (_, j) => (i + j) & 0xff))
  t.equal(writeTFRecords(file, recs), 300)
  const back = [...iterateTFRecords(file)]
  t.equal(back.length, 300)
  t.ok(back.every((r, i) => Buffer.compare(Buffer.from(r.data), Buffer.from(recs[i])) === 0))
  const w = new TFRecordWriter(path.join(tmp, 'aborted.tfrecords'))
  w.write(new Uint8Array(5))
  w.abort()
  t.notOk(fs.existsSync(path.join(tmp, 'aborted.tfrecords')), 'abort leaves no file')
  t.same(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left')
})

t.test('GZIP-compressed TFRecord files', async (t) => {
  const file = path.join(tmp, 'z.tfrecords')
  fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(tfFile)))
  t.equal(readTFRecords(file).length, 4)
})

t.test('corrupt and truncated files: errors naming the file and the record', async (t) => {
  const good = fs.readFileSync(tfFile)
  const recordSize = 12 + readTFRecords(tfFile)[0].data.length + 4
  const expectError = (name: string, bytes: Uint8Array, pattern: RegExp): void => {
    const file = path.join(tmp, name)
    fs.writeFileSync(file, bytes)
    try {
      readTFRecords(file)
      t.fail(`${name} should fail`)
    } catch (error) {
      t.ok(error instanceof AxqError, `${name}: AxqError`)
      t.ok((error as Error).message.startsWith(file), `${name}: names the file`)
      t.match((error as Error).message, pattern, (error as Error).message)
    }
  }
  const dataFlip = Buffer.from(good)
  dataFlip[2 * recordSize + 100] ^= 1
  expectError('data.tfrecords', dataFlip, /record 2: data CRC mismatch/)
  const lengthFlip = Buffer.from(good)
  lengthFlip[recordSize + 1] ^= 0x10
  expectError('length.tfrecords', lengthFlip, /record 1: length CRC mismatch/)
  expectError('truncated.tfrecords', good.subarray(0, good.length - 10), /record 3 is truncated/)
  expectError('header.tfrecords', good.subarray(0, 3 * recordSize + 5), /record 3 is truncated/)
  const footer = Buffer.from(good)
  footer[recordSize - 1] ^= 0xff
  expectError('footer.tfrecords', footer, /record 0: data CRC mismatch/)
  expectError('notrecords.tfrecords', Buffer.from('hello world, this is not a TFRecord'), /record 0: length CRC mismatch/)
  t.throws(() => readTFRecords(path.join(tmp, 'missing.tfrecords')), /no such file/)
})
