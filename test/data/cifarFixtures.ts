/** Synthetic CIFAR-10 data for the data tests: records, python-2 style pickles, tar.gz archives. */
import zlib from 'node:zlib'
import {CIFAR_IMAGE_BYTES, type CifarRecords} from '../../src/data/cifar.js'

/** Deterministic synthetic records. */
export function synthetic(count: number, seed = 1): CifarRecords {
  let s = seed
  const images = Uint8Array.from({length: count * CIFAR_IMAGE_BYTES}, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff)
  const labels = Int32Array.from({length: count}, (_, i) => (i * 7 + seed) % 10)
  return {images, labels}
}

/** A python-2 style pickle of a CIFAR batch, opcode by opcode as cPickle protocol 2 writes it. */
export function py2Pickle(records: CifarRecords): Uint8Array {
  const parts: number[] = []
  const push = (...b: number[]): void => {
    for (const x of b) parts.push(x)
  }
  const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0))
  const shortString = (s: string): void => push(0x55, s.length, ...ascii(s))
  const int = (n: number): void => (n < 256 ? push(0x4b, n) : push(0x4d, n & 0xff, n >> 8))
  const count = records.labels.length
  push(0x80, 2, 0x7d, 0x71, 1, 0x28) // PROTO 2, EMPTY_DICT, BINPUT 1, MARK
  shortString('data')
  push(0x63, ...ascii('numpy.core.multiarray\n_reconstruct\n'), 0x71, 2)
  push(0x63, ...ascii('numpy\nndarray\n'), 0x71, 3)
  int(0)
  push(0x85) // TUPLE1
  shortString('b')
  push(0x87, 0x52, 0x71, 4) // TUPLE3, REDUCE, BINPUT 4
  push(0x28) // MARK (state)
  int(1)
  int(count)
  int(3072)
  push(0x86) // TUPLE2 (shape)
  push(0x63, ...ascii('numpy\ndtype\n'))
  shortString('u1')
  int(0)
  int(1)
  push(0x87, 0x52, 0x71, 5) // dtype('u1', 0, 1)
  push(0x28, 0x4b, 3, 0x55, 1, 0x7c, 0x4e, 0x4e, 0x4e, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0, 0x74, 0x62) // dtype state, BUILD
  push(0x89) // False (fortran)
  const n = records.images.length
  push(0x54, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24) // BINSTRING raw bytes
  const head = Uint8Array.from(parts)
  const tail: number[] = [0x74, 0x62] // TUPLE (state), BUILD
  const t2 = (...b: number[]): void => {
    for (const x of b) tail.push(x)
  }
  t2(0x55, 6, ...ascii('labels'), 0x5d, 0x71, 6, 0x28)
  for (const l of records.labels) t2(0x4b, l)
  t2(0x65) // APPENDS
  t2(0x55, 11, ...ascii('batch_label'), 0x55, 3, ...ascii('xyz'))
  t2(0x75, 0x2e) // SETITEMS, STOP
  const out = new Uint8Array(head.length + n + tail.length)
  out.set(head)
  out.set(records.images, head.length)
  out.set(tail, head.length + n)
  return out
}


/** A ustar archive of regular files (name → bytes), gzip-compressed. */
export function tarGz(files: [string, Uint8Array][]): Buffer {
  const blocks: Buffer[] = []
  for (const [name, data] of files) {
    const h = Buffer.alloc(512)
    h.write(name, 0, 100, 'utf8')
    h.write('0000644\0', 100)
    h.write('0000000\0', 108)
    h.write('0000000\0', 116)
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124)
    h.write('00000000000\0', 136)
    h.write('        ', 148)
    h.write('0', 156)
    h.write('ustar\0', 257)
    h.write('00', 263)
    let sum = 0
    for (const b of h) sum += b
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    blocks.push(h, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return zlib.gzipSync(Buffer.concat(blocks))
}
