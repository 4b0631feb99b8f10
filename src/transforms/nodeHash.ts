/**
 * TensorFlow's node hash (tensorflow/core/lib/hash/hash.cc `Hash64`, hash.h `Hash64Combine`,
 * graph_transforms/transform_utils.cc `HashNodeDef`). MergeDuplicateNodes orders the whole graph
 * by this 64-bit value, so reproducing TF's node order and surviving names needs it bit-exact.
 */
import type {NodeDef} from '../graph/types.js'
import {canonicalInput} from './inputNames.js'
import {compareBytes, serializeAttrValue} from './attrValueWire.js'

const M = 0xc6a4a7935bd1e995n
const MASK = 0xffffffffffffffffn
const DEFAULT_SEED = 0xdecafcaffen
const utf8 = new TextEncoder()

/** MurmurHash64A as TensorFlow's Hash64 (seed 0xDECAFCAFFE), on bytes. */
export function hash64(data: Uint8Array, seed: bigint = DEFAULT_SEED): bigint {
  const n = data.length
  let h = (seed ^ ((BigInt(n) * M) & MASK)) & MASK
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const full = n - (n % 8)
  for (let p = 0; p < full; p += 8) {
    let k = view.getBigUint64(p, true)
    k = (k * M) & MASK
    k ^= k >> 47n
    k = (k * M) & MASK
    h ^= k
    h = (h * M) & MASK
  }
  const rest = n - full
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(data[full + i]) << BigInt(8 * i)
    h = (h * M) & MASK
  }
  h ^= h >> 47n
  h = (h * M) & MASK
  h ^= h >> 47n
  return h
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
  for (const key of Object.keys(attrs).sort(compareBytes)) {
    h = hash64Combine(h, hash64(serializeAttrValue(attrs[key])))
  }
  return h
}
