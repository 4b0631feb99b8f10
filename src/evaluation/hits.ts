/**
 * Per-image correctness as a compact bitset (bit i of byte i>>3, least significant bit first),
 * carried in JSON as base64; paired tests compare two such sets image by image.
 */
import {AxqError} from '../errors.js'

export function encodeHits(hits: ArrayLike<boolean | number>): string {
  const bytes = new Uint8Array(Math.ceil(hits.length / 8))
  for (let i = 0; i < hits.length; i++) if (hits[i]) bytes[i >> 3] |= 1 << (i & 7)
  return Buffer.from(bytes).toString('base64')
}

export function decodeHits(base64: string, images: number): Uint8Array {
  const bytes = Buffer.from(base64, 'base64')
  if (bytes.length !== Math.ceil(images / 8)) throw new AxqError(`a hit set of ${bytes.length} bytes cannot hold ${images} images`)
  const out = new Uint8Array(images)
  for (let i = 0; i < images; i++) out[i] = (bytes[i >> 3] >> (i & 7)) & 1
  return out
}

/** Discordant pairs: b = images only `a` gets right, c = images only `b` gets right. */
export function discordant(a: string, b: string, images: number): {b: number; c: number} {
  const x = decodeHits(a, images)
  const y = decodeHits(b, images)
  let onlyA = 0
  let onlyB = 0
  for (let i = 0; i < images; i++) {
    if (x[i] && !y[i]) onlyA++
    else if (!x[i] && y[i]) onlyB++
  }
  return {b: onlyA, c: onlyB}
}
