import zlib from 'node:zlib'
import t from 'tap'
import {crc32, decodePng, encodePng} from '../../src/plot/png.js'
import {Raster} from '../../src/plot/raster.js'

t.test('CRC-32 of known strings', async (t) => {
  t.equal(crc32(new TextEncoder().encode('IEND')), 0xae426082)
  t.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926)
})

t.test('PNG structure and round trip', async (t) => {
  const img = new Raster(3, 2, [10, 20, 30])
  img.set(0, 0, [255, 0, 0])
  img.set(2, 1, [0, 0, 255])
  const png = encodePng(img)
  t.same(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'signature')
  const view = new DataView(png.buffer, png.byteOffset)
  t.equal(view.getUint32(8), 13, 'IHDR length')
  t.equal(String.fromCharCode(...png.subarray(12, 16)), 'IHDR')
  t.same([view.getUint32(16), view.getUint32(20), png[24], png[25], png[26], png[27], png[28]], [3, 2, 8, 6, 0, 0, 0])
  t.equal(String.fromCharCode(...png.subarray(png.length - 8, png.length - 4)), 'IEND')
  const back = decodePng(png)
  t.same([back.width, back.height], [3, 2])
  t.same(Array.from(back.data), Array.from(img.data))
  t.same(Array.from(back.data.subarray(0, 4)), [255, 0, 0, 255])
  // IDAT holds one filter byte (0) per row followed by the RGBA bytes
  const idatLen = view.getUint32(33)
  const raw = zlib.inflateSync(png.subarray(41, 41 + idatLen))
  t.equal(raw.length, 2 * (1 + 3 * 4))
  t.equal(raw[0], 0)
  t.throws(() => encodePng({width: 2, height: 2, data: new Uint8Array(15)}), /16 bytes/)
})
