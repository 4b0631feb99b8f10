/** Property-based fuzzing of the data readers: TFRecord, tf.train.Example, CIFAR .bin, pickle (see test/helpers/fuzz.ts). */
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import {parseTFRecords} from '../../src/data/tfrecord.js'
import {decodeExample} from '../../src/data/example.js'
import {parseCifarExample} from '../../src/data/dataset.js'
import {parseCifarBin} from '../../src/data/cifar.js'
import {parseCifarPickle, unpickle} from '../../src/data/pickle.js'
import {fixturesDir} from '../helpers/paths.js'
import {fuzzParser, hostileBytes} from '../helpers/fuzz.js'

const data = (name: string): Uint8Array => fs.readFileSync(path.join(fixturesDir, 'data', name))

t.test('TFRecord framing and the Examples inside', async (t) => {
  fuzzParser(t, 'TFRecord', hostileBytes([data('cifar_tf.tfrecords')]), (bytes) => {
    for (const r of parseTFRecords(bytes, 'fuzz.tfrecords')) {
      parseCifarExample(r.data)
      decodeExample(r.data, 'fuzz record')
    }
  })
  // The records themselves, mutated past their CRCs.
  const first = parseTFRecords(data('cifar_tf.tfrecords'), 'seed').next().value!.data
  fuzzParser(t, 'tf.train.Example', hostileBytes([first]), (bytes) => {
    parseCifarExample(bytes)
    decodeExample(bytes, 'fuzz record')
  })
})

t.test('CIFAR-10 binary batch', async (t) => {
  fuzzParser(t, 'CIFAR .bin', hostileBytes([data('cifar.bin')]), (bytes) => parseCifarBin(bytes, 'fuzz.bin'))
})

t.test('CIFAR-10 python batch (pickle protocols 0, 1, 2, 4, 5)', async (t) => {
  const seeds = ['cifar_py_p0', 'cifar_py_p1', 'cifar_py_p2', 'cifar_py_p4', 'cifar_py_p5'].map(data)
  fuzzParser(t, 'pickle', hostileBytes(seeds), (bytes) => {
    unpickle(bytes, 'fuzz')
    parseCifarPickle(bytes, 'fuzz')
  })
})
