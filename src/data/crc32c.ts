/**
 * CRC32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF),
 * and TFRecord's masking of it (tensorflow/core/lib/hash/crc32c.h):
 * mask(c) = ((c >>> 15) | (c << 17)) + 0xA282EAD8 (mod 2^32).
 */

const MASK_DELTA = 0xa282ead8

// Slicing-by-8 tables: TABLES[k][b] is the CRC of byte b followed by k zero bytes.
const TABLES: Uint32Array[] = (() => {
  const tables = Array.from({length: 8}, () => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    tables[0][n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0][n]
    for (let k = 1; k < 8; k++) {
      c = tables[0][c & 0xff] ^ (c >>> 8)
      tables[k][n] = c >>> 0
    }
  }
  return tables
})()

/** CRC32C of `bytes`; pass a previous result as `crc` to continue it over more bytes. */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES
  let c = (crc ^ 0xffffffff) >>> 0
  let i = 0
  const n = bytes.length
  for (; i + 8 <= n; i += 8) {
    const a = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))
    c =
      t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[bytes[i + 4]] ^ t2[bytes[i + 5]] ^ t1[bytes[i + 6]] ^ t0[bytes[i + 7]]
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0
  return ((rot >>> 17) | (rot << 15)) >>> 0
}

/** The masked CRC32C TFRecord stores after the length and after the data. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes))
}
