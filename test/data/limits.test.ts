/** Hostile data files: inflation caps, archive extraction, labels outside the model's classes. */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import {gunzipCapped, frameTFRecord, iterateTFRecords} from '../../src/data/tfrecord.js'
import {extractCifarArchive, readTarGz} from '../../src/data/cifar10Archive.js'
import {checkLabels, openDataset} from '../../src/data/dataset.js'
import {tarGz} from './cifarFixtures.js'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-datalimits-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

t.test('GZIP inflation stops at the cap', async (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(4 << 20))
  t.ok(bomb.length < 10_000, 'a few KB of gzip')
  t.throws(() => gunzipCapped(bomb, 'bomb.tfrecords', 1 << 20), {name: 'AxqError', message: 'bomb.tfrecords: inflates to more than 1.0 MiB, more than a TFRecord file may hold'})
  t.equal(gunzipCapped(bomb, 'ok', 4 << 20).length, 4 << 20, 'at the cap is fine')
  t.throws(() => gunzipCapped(Buffer.from([0x1f, 0x8b, 1, 2, 3]), 'junk.gz', 1 << 20), /junk.gz: corrupt GZIP-compressed TFRecord file/)
  // A gzipped TFRecord file still reads.
  const file = path.join(tmp, 'ok.tfrecords')
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([frameTFRecord(Uint8Array.of(1, 2)), frameTFRecord(Uint8Array.of(3))])))
  t.same([...iterateTFRecords(file)].map((r) => [...r.data]), [[1, 2], [3]])
})

t.test('a tar.gz that inflates past the cap, or holds a huge member, stops early', async (t) => {
  const archive = path.join(tmp, 'bomb.tar.gz')
  fs.writeFileSync(archive, tarGz([['cifar-10-batches-py/data_batch_1', Buffer.alloc(3 << 20)]]))
  await t.rejects(readTarGz(archive, 1 << 20, () => {}), {name: 'AxqError', message: `${archive}: inflates to more than 1.0 MiB, more than the CIFAR-10 archive holds`})
  const files: string[] = []
  await readTarGz(archive, 8 << 20, (name) => files.push(name))
  t.same(files, ['cifar-10-batches-py/data_batch_1'])
})

t.test('a failed extraction leaves no partial output and no temporary folder', async (t) => {
  const dir = path.join(tmp, 'extract')
  fs.mkdirSync(dir)
  const good = tarGz([
    ['cifar-10-batches-py/data_batch_1', Buffer.alloc(100_000, 1)],
    ['cifar-10-batches-py/data_batch_2', Buffer.alloc(100_000, 2)],
  ])
  // Cut the archive inside the second member: the first was read completely before the error.
  const raw = zlib.gunzipSync(good)
  fs.writeFileSync(path.join(dir, 'cut.tar.gz'), zlib.gzipSync(raw.subarray(0, 512 + 100_352 + 512 + 50_000)))
  await t.rejects(extractCifarArchive(path.join(dir, 'cut.tar.gz'), dir), {name: 'AxqError'})
  t.same(fs.readdirSync(dir), ['cut.tar.gz'], 'nothing but the archive')
  fs.writeFileSync(path.join(dir, 'good.tar.gz'), good)
  const written = await extractCifarArchive(path.join(dir, 'good.tar.gz'), dir)
  t.same(written.map((f) => path.basename(f)), ['data_batch_1', 'data_batch_2'])
  t.same(fs.readdirSync(dir).sort(), ['cifar-10-batches-py', 'cut.tar.gz', 'good.tar.gz'])
})

t.test("labels outside the model's classes are an error naming the file", async (t) => {
  t.doesNotThrow(() => checkLabels(Int32Array.of(0, 9, 10), 11, 'x.bin'))
  t.throws(() => checkLabels(Int32Array.of(0, 200), 10, 'x.bin'), {name: 'AxqError', message: "x.bin: label 200 is outside the model's 10 classes (0..9); wrong data file for this graph?"})
  t.throws(() => checkLabels(Int32Array.of(-1), 10, 'x.tfrecords'), /label -1 is outside/)
  // A .bin record with label 200 is read as such (the check is against the model, at inference).
  const file = path.join(tmp, 'labels.bin')
  const record = Buffer.alloc(3073)
  record[0] = 200
  fs.writeFileSync(file, record)
  t.same([...openDataset(file).records.labels], [200])
})
