/**
 * The synthetic data set's random numbers: xoshiro128** (Blackman & Vigna), seeded through
 * splitmix32. Only 32-bit integer operations (Math.imul, shifts), so every platform and Node
 * version produces the same stream. Never Math.random.
 */

/** splitmix32 step: a well-mixed 32-bit value from a 32-bit state. */
export function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** Mix a list of 32-bit words into one seed (order-sensitive). */
export function mixSeed(...words: number[]): number {
  let h = 0x243f6a88
  for (const w of words) h = splitmix32((h ^ (w >>> 0)) >>> 0) ^ Math.imul(h, 0x9e3779b1)
  return h >>> 0
}

export class Xoshiro128 {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    let s = seed >>> 0
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      return splitmix32(s)
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next()
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }

  /** Uniform in [0, 1) with 32 bits of resolution (exact in a double). */
  next(): number {
    return this.nextUint32() / 4294967296
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }

  /** Uniform integer in [0, n), n ≤ 2^32, without modulo bias (rejection). */
  int(n: number): number {
    if (n <= 1) return 0
    const limit = 4294967296 - (4294967296 % n)
    for (;;) {
      const v = this.nextUint32()
      if (v < limit) return v % n
    }
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** Approximately normal (Irwin–Hall of 4 uniforms, variance-matched), mean 0, deviation 1. */
  gauss(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * Math.sqrt(3)
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
