/**
 * TensorFlow's node hash (tensorflow/core/lib/hash/hash.cc `Hash64`, hash.h `Hash64Combine`,
 * graph_transforms/transform_utils.cc `HashNodeDef`). MergeDuplicateNodes orders the whole graph
 * by this 64-bit value, so reproducing TF's node order and surviving names needs it bit-exact.
 */
import type {AttrValue, NodeDef} from '../graph/types.js'
import {canonicalInput} from './inputNames.js'
import {compareBytes, serializeAttrValue} from '../graph/attrValueWire.js'

const MASK = 0xffffffffffffffffn
const DEFAULT_SEED = 0xdecafcaffen
const utf8 = new TextEncoder()

// Result of mul64 (module scratch, so the hot loop allocates nothing).
let RH = 0
let RL = 0

/** (ah:al) × (bh:bl) mod 2^64 into RH:RL, unsigned 32-bit halves (exact in doubles). */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff
  const a1 = al >>> 16
  const b0 = bl & 0xffff
  const b1 = bl >>> 16
  const mid = a1 * b0 + a0 * b1 // < 2^33
  const low = a0 * b0 + (mid % 65536) * 65536 // < 2^33
  const lo = low >>> 0
  const carry = Math.floor(low / 4294967296)
  RH = (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0
  RL = lo
}

const M_HI = 0xc6a4a793
const M_LO = 0x5bd1e995

/** MurmurHash64A as TensorFlow's Hash64 (seed 0xDECAFCAFFE), on bytes. */
export function hash64(data: Uint8Array, seed: bigint = DEFAULT_SEED): bigint {
  const n = data.length
  mul64(Math.floor(n / 4294967296) >>> 0, n >>> 0, M_HI, M_LO)
  let hHi = (Number(seed >> 32n) ^ RH) >>> 0
  let hLo = (Number(seed & 0xffffffffn) ^ RL) >>> 0
  const full = n - (n % 8)
  for (let p = 0; p < full; p += 8) {
    const kLo0 = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0
    const kHi0 = (data[p + 4] | (data[p + 5] << 8) | (data[p + 6] << 16) | (data[p + 7] << 24)) >>> 0
    mul64(kHi0, kLo0, M_HI, M_LO)
    mul64(RH, (RL ^ (RH >>> 15)) >>> 0, M_HI, M_LO) // k ^= k >> 47; k *= m
    mul64((hHi ^ RH) >>> 0, (hLo ^ RL) >>> 0, M_HI, M_LO) // h ^= k; h *= m
    hHi = RH
    hLo = RL
  }
  const rest = n - full
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) {
      const b = data[full + i]
      if (i >= 4) hHi = (hHi ^ (b << (8 * (i - 4)))) >>> 0
      else hLo = (hLo ^ (b << (8 * i))) >>> 0
    }
    mul64(hHi, hLo, M_HI, M_LO)
    hHi = RH
    hLo = RL
  }
  mul64(hHi, (hLo ^ (hHi >>> 15)) >>> 0, M_HI, M_LO)
  hHi = RH
  hLo = (RL ^ (RH >>> 15)) >>> 0
  return (BigInt(hHi) << 32n) | BigInt(hLo)
}

export function hash64String(s: string): bigint {
  return hash64(utf8.encode(s))
}

/** Hash64Combine(a, b) = a ^ (b + 0x9e3779b97f4a7800 + (a << 10) + (a >> 4)), mod 2^64. */
export function hash64Combine(a: bigint, b: bigint): bigint {
  return (a ^ ((b + 0x9e3779b97f4a7800n + ((a << 10n) & MASK) + (a >> 4n)) & MASK)) & MASK
}

/**
 * HashNodeDef: op, name, canonical inputs (`x` and `x:0` hash alike), device, then each attr's
 * serialized AttrValue in ascending attr-name order (attr names themselves are not hashed).
 * `name` overrides the node's name (MergeDuplicateNodes hashes nameless copies).
 */
export function hashNodeDef(node: NodeDef, name: string = node.name): bigint {
  let h = hash64String(node.op)
  h = hash64Combine(h, hash64String(name))
  for (const input of node.input ?? []) h = hash64Combine(h, hash64String(canonicalInput(input)))
  h = hash64Combine(h, hash64String(node.device ?? ''))
  const attrs = node.attr ?? {}
  for (const key of Object.keys(attrs).sort(compareBytes)) h = hash64Combine(h, attrValueHash(attrs[key]))
  return h
}

// AttrValue objects are never mutated by the transforms, and MergeDuplicateNodes hashes the same
// (possibly large) tensors on every pass: remember each value's hash.
const attrHashes = new WeakMap<AttrValue, bigint>()

function attrValueHash(v: AttrValue): bigint {
  let h = attrHashes.get(v)
  if (h === undefined) {
    h = hash64(serializeAttrValue(v))
    attrHashes.set(v, h)
  }
  return h
}
