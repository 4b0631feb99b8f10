import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {openDataset, findDataFile, detectFormat, readCifarRecords, parseCifarExample} from '../../src/data/dataset.js'
import {CIFAR_RECORD_BYTES, cifarBatch, encodeCifarBin, parseCifarBin, writeCifarBin} from '../../src/data/cifar.js'
import {parseCifarPickle, unpickle, PyDict} from '../../src/data/pickle.js'
import {writeTFRecords} from '../../src/data/tfrecord.js'
import {bytesFeature, encodeExample, int64Feature} from '../../src/data/example.js'
import {AxqError} from '../../src/errors.js'
import {fixturesDir, hasShared, shared} from '../helpers/paths.js'
import {py2Pickle, synthetic} from './cifarFixtures.js'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-cifar-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))
const fixture = (name: string): string => path.join(fixturesDir, 'data', name)

t.test('test_first1000.bin: labels start 3, 8, 8, 0, 6, 6, 1, 6, 3, 1', {skip: hasShared ? false : 'no ../shared'}, async (t) => {
  const d = openDataset(shared('cifar10', 'test_first1000.bin'))
  t.equal(d.count, 1000)
  t.equal(d.format, 'cifar-bin')
  t.same(Array.from(d.records.labels.subarray(0, 10)), [3, 8, 8, 0, 6, 6, 1, 6, 3, 1])
  const raw = fs.readFileSync(shared('cifar10', 'test_first1000.bin'))
  const b = d.batch(0, 2)
  // record 1, pixel (y=5, x=7): R, G, B from the three planes of the raw record
  const rec = 1 * CIFAR_RECORD_BYTES + 1
  const p = 5 * 32 + 7
  const at = ((1 * 32 + 5) * 32 + 7) * 3
  t.same(Array.from((b.images.data as Float32Array).subarray(at, at + 3)), [raw[rec + p], raw[rec + 1024 + p], raw[rec + 2048 + p]])
})

t.test('the readers agree on the same data (TF-written fixtures)', async (t) => {
  const files = ['cifar.bin', 'cifar_py_p0', 'cifar_py_p1', 'cifar_py_p2', 'cifar_py_p4', 'cifar_py_p5', 'cifar_tf.tfrecords']
  const formats = ['cifar-bin', 'cifar-pickle', 'cifar-pickle', 'cifar-pickle', 'cifar-pickle', 'cifar-pickle', 'tfrecord']
  const sets = files.map((f) => openDataset(fixture(f)))
  t.same(sets.map((d) => d.format), formats)
  const ref = sets[0]
  t.same(Array.from(ref.records.labels), [3, 8, 0, 9])
  for (const d of sets) {
    t.equal(d.count, 4)
    t.same(Array.from(d.records.labels), [3, 8, 0, 9], `${d.source} labels`)
    t.equal(Buffer.compare(Buffer.from(d.records.images), Buffer.from(ref.records.images)), 0, `${d.source} images`)
    const ours = d.batch(2, 5).images.data as Float32Array
    const theirs = ref.batch(2, 5).images.data as Float32Array
    t.equal(Buffer.compare(Buffer.from(ours.buffer), Buffer.from(theirs.buffer)), 0, `${d.source} batch`)
  }
})

t.test('a python-2 cPickle batch (SHORT_BINSTRING, GLOBAL, BINSTRING) reads like the binary batch', async (t) => {
  const records = synthetic(7, 3)
  const fromPickle = parseCifarPickle(py2Pickle(records), 'py2')
  t.same(Array.from(fromPickle.labels), Array.from(records.labels))
  t.equal(Buffer.compare(Buffer.from(fromPickle.images), Buffer.from(records.images)), 0)
  const fromBin = parseCifarBin(encodeCifarBin(records), 'bin')
  t.same(Array.from(fromBin.labels), Array.from(records.labels))
  t.equal(Buffer.compare(Buffer.from(fromBin.images), Buffer.from(records.images)), 0)
  // as files named like the official ones
  fs.writeFileSync(path.join(tmp, 'test_batch'), py2Pickle(records))
  t.equal(detectFormat(path.join(tmp, 'test_batch')), 'cifar-pickle')
  t.equal(readCifarRecords(path.join(tmp, 'test_batch')).records.labels.length, 7)
})

t.test('batches: NHWC float32 0..255, file order, wrapping around', async (t) => {
  const records = synthetic(4)
  const b = cifarBatch(records, 3, 6)
  t.same(b.images.shape, [6, 32, 32, 3])
  t.equal(b.images.dtype, 'float32')
  t.same(Array.from(b.labels), [1, 1, 8, 5, 2, 1].map((_, i) => records.labels[(3 + i) % 4]))
  const data = b.images.data as Float32Array
  for (const [i, y, x, c] of [[0, 0, 0, 0], [1, 31, 31, 2], [2, 10, 3, 1], [5, 7, 30, 0]]) {
    const r = (3 + i) % 4
    t.equal(data[((i * 32 + y) * 32 + x) * 3 + c], records.images[r * 3072 + c * 1024 + y * 32 + x], `image ${i} (${y},${x},${c})`)
  }
  const big = cifarBatch(records, 1000001, 1)
  t.equal(big.labels[0], records.labels[1000001 % 4])
  t.throws(() => cifarBatch(records, 0, 0), /positive integer/)
  t.throws(() => cifarBatch(records, -1, 1), /non-negative/)
})

t.test('openDataset on a folder: eval.tfrecords, then test_batch.bin, then test_batch', async (t) => {
  const dir = path.join(tmp, 'data')
  fs.mkdirSync(dir)
  const a = synthetic(3, 1)
  const b = synthetic(5, 2)
  const c = synthetic(2, 3)
  fs.writeFileSync(path.join(dir, 'test_batch'), py2Pickle(c))
  t.equal(openDataset(dir).count, 2)
  writeCifarBin(path.join(dir, 'test_batch.bin'), b)
  t.equal(openDataset(dir).count, 5)
  const examples = Array.from({length: 3}, (_, i) =>
    encodeExample({image: bytesFeature(a.images.subarray(i * 3072, (i + 1) * 3072)), label: int64Feature(a.labels[i])}),
  )
  writeTFRecords(path.join(dir, 'eval.tfrecords'), examples)
  const d = openDataset(dir)
  t.equal(d.count, 3)
  t.equal(d.source, path.join(dir, 'eval.tfrecords'))
  t.same(Array.from(d.records.labels), Array.from(a.labels))
  t.equal(findDataFile(dir), path.join(dir, 'eval.tfrecords'))
})

t.test('bad data: one clear line naming the file', async (t) => {
  const expectError = (target: string, pattern: RegExp, bytes?: Uint8Array): void => {
    if (bytes) fs.writeFileSync(target, bytes)
    try {
      openDataset(target)
      t.fail(`${target} should fail`)
    } catch (error) {
      t.ok(error instanceof AxqError, 'AxqError')
      const m = (error as Error).message
      t.ok(m.includes(target), `names ${target}`)
      t.notOk(m.includes('\n'), 'one line')
      t.match(m, pattern, m)
    }
  }
  expectError(path.join(tmp, 'nope'), /does not exist/)
  const empty = path.join(tmp, 'emptydir')
  fs.mkdirSync(empty)
  expectError(empty, /no CIFAR-10 test data in .* \(looked for eval.tfrecords, test_batch.bin, test_batch\); create it with 'axq data cifar10/)
  expectError(path.join(tmp, 'short.bin'), /3073 bytes is not a whole number|is not a whole number of CIFAR-10 records/, new Uint8Array(3073 * 2 - 1))
  expectError(path.join(tmp, 'zero.bin'), /empty file/, new Uint8Array(0))
  const evil = Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('cos\nsystem\n'), Buffer.from([0x55, 2]), Buffer.from('ls'), Buffer.from([0x85, 0x52, 0x2e])])
  expectError(path.join(tmp, 'evil_batch'), /unsupported object 'os.system' in pickle/, evil)
  const good = py2Pickle(synthetic(2))
  expectError(path.join(tmp, 'cut_batch'), /truncated pickle/, good.subarray(0, 5000))
  const cifar100 = Buffer.from(py2Pickle(synthetic(2)))
  cifar100.set(Buffer.from('xxxxxx'), cifar100.indexOf(Buffer.from('labels')))
  expectError(path.join(tmp, 'other_batch'), /no 'labels' entry/, cifar100)
  const wrongImage = encodeExample({image: bytesFeature(new Uint8Array(100)), label: int64Feature(1)})
  writeTFRecords(path.join(tmp, 'png.tfrecords'), [encodeExample({image: bytesFeature(new Uint8Array(3072)), label: int64Feature(1)}), wrongImage])
  expectError(path.join(tmp, 'png.tfrecords'), /record 1: 'image' must be one value of 3072 raw bytes/)
  writeTFRecords(path.join(tmp, 'nolabel.tfrecords'), [encodeExample({image: bytesFeature(new Uint8Array(3072))})])
  expectError(path.join(tmp, 'nolabel.tfrecords'), /record 0: no int64 feature 'label'/)
  const corrupt = Buffer.from(fs.readFileSync(fixture('cifar_tf.tfrecords')))
  corrupt[5000] ^= 4
  expectError(path.join(tmp, 'corrupt.tfrecords'), /data CRC mismatch/, corrupt)
  expectError(path.join(tmp, 'mystery.dat'), /not a CIFAR-10 data file/, new Uint8Array([200, 1, 2, 3]))
})

t.test('unpickler basics', async (t) => {
  // {'a': [1, -2, 3.5, None, True, 'é', b'\x00'], 70000: (1,)} at protocol 2, hand-assembled
  const bytes = Buffer.concat([
    Buffer.from([0x80, 2, 0x7d, 0x28, 0x58, 1, 0, 0, 0, 0x61, 0x5d, 0x28, 0x4b, 1, 0x4a, 0xfe, 0xff, 0xff, 0xff, 0x47]),
    Buffer.from([0x40, 0x0c, 0, 0, 0, 0, 0, 0]),
    Buffer.from([0x4e, 0x88, 0x8c, 2, 0xc3, 0xa9, 0x43, 1, 0, 0x65, 0x4a, 0x70, 0x11, 1, 0, 0x4b, 1, 0x85, 0x75, 0x2e]),
  ])
  const v = unpickle(bytes, 'mem')
  t.ok(v instanceof PyDict)
  const d = v as PyDict
  const list = d.entries.get('a') as unknown[]
  t.same(list.slice(0, 5), [1, -2, 3.5, null, true])
  t.equal(list[5], 'é')
  t.same(d.entries.get('70000'), {items: [1]})
  t.throws(() => unpickle(Buffer.from([0x80, 2, 0x7d]), 'mem'), /truncated pickle/)
  t.throws(() => unpickle(Buffer.from([0x80, 2, 0xff]), 'mem'), /unsupported pickle opcode 0xff/)
})

t.test('TFRecord Examples: the fast path and the general one agree', async (t) => {
  const img = Uint8Array.from({length: 3072}, (_, i) => (i * 13) & 0xff)
  const plain = encodeExample({label: int64Feature(7), image: bytesFeature(img)})
  const fast = parseCifarExample(plain)
  t.equal(fast?.label, 7)
  t.equal(Buffer.compare(Buffer.from(fast!.image), Buffer.from(img)), 0)
  t.equal(parseCifarExample(encodeExample({image: bytesFeature(img), label: int64Feature(300)}))?.label, 300, 'either entry order')
  // unpacked int64 list: Int64List { value: 9 } written as a plain varint field
  const labelFeature = Buffer.from('1a' + '02' + '0809', 'hex') // Feature{int64_list{value: 9 (unpacked)}}
  const delimited = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), varint(body.length), body])
  const entry = (key: string, feature: Buffer): Buffer => delimited(0x0a, Buffer.concat([delimited(0x0a, Buffer.from(key)), delimited(0x12, feature)]))
  const imageFeature = delimited(0x0a, delimited(0x0a, Buffer.from(img))) // bytes_list { value: img }
  const imageEntry = entry('image', imageFeature)
  const features = Buffer.concat([entry('label', labelFeature), imageEntry])
  const example = Buffer.concat([Buffer.from([0x0a]), varint(features.length), features])
  t.equal(parseCifarExample(example)?.label, 9, 'unpacked label')
  // extra features: not the fast path, but the general reader takes them
  const extra = encodeExample({image: bytesFeature(img), label: int64Feature(4), id: bytesFeature(new Uint8Array([1]))})
  t.equal(parseCifarExample(extra), undefined)
  const file = path.join(tmp, 'mixed.tfrecords')
  writeTFRecords(file, [plain, example, extra])
  t.same(Array.from(openDataset(file).records.labels), [7, 9, 4])
})

function varint(n: number): Buffer {
  const out: number[] = []
  do {
    out.push(n > 0x7f ? (n & 0x7f) | 0x80 : n)
    n >>>= 7
  } while (n > 0)
  return Buffer.from(out)
}
