/**
 * Bounded, seeded property-based fuzzing of parsers with fast-check: inputs are random bytes or
 * mutations of a real file (bit flips, overwritten bytes, truncation, inserted runs, huge varints,
 * spliced halves). A parser may return a result or throw one AxqError; any other exception (a
 * RangeError, a TypeError, a stack overflow) fails the property, and fast-check prints the seed
 * and the shrunk counterexample. Runs are reproducible: the seed is fixed (FUZZ_SEED overrides).
 */
import fc from 'fast-check'
import type {Test} from 'tap'
import {AxqError} from '../../src/errors.js'

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261207)
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300)

type Mutation =
  | {kind: 'flip'; at: number; bit: number}
  | {kind: 'set'; at: number; value: number}
  | {kind: 'truncate'; at: number}
  | {kind: 'insert'; at: number; bytes: Uint8Array}
  | {kind: 'varint'; at: number}
  | {kind: 'splice'; at: number; from: number}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({min: 0, max: 7})}),
  fc.record({kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x0a, 0x22, 0x7b, 0x7d)}),
  fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({minLength: 1, maxLength: 16})}),
  fc.record({kind: fc.constant('varint' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat()}),
)

function apply(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b: Uint8Array = Uint8Array.from(seed)
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1)
    switch (m.kind) {
      case 'flip':
        if (at < b.length) b[at] ^= 1 << m.bit
        break
      case 'set':
        if (at < b.length) b[at] = m.value
        break
      case 'truncate':
        b = b.subarray(0, at)
        break
      case 'insert':
        b = concat(b.subarray(0, at), m.bytes, b.subarray(at))
        break
      case 'varint':
        // A length or tag of 2^62: what makes naive readers allocate or loop.
        b = concat(b.subarray(0, at), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f), b.subarray(at))
        break
      case 'splice': {
        const from = b.length === 0 ? 0 : m.from % b.length
        b = concat(b.subarray(0, at), b.subarray(from))
        break
      }
    }
  }
  return b
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Random bytes, or 1..4 mutations of one of `seeds`. */
export function hostileBytes(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({maxLength: 512}),
    fc.tuple(fc.integer({min: 0, max: seeds.length - 1}), fc.array(mutation, {minLength: 1, maxLength: 4})).map(([i, ms]) => apply(seeds[i], ms)),
  )
}

/** Text versions: random strings, or mutations of the seed texts (as latin1 bytes). */
export function hostileText(seeds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({maxLength: 200}),
    hostileBytes(seeds.map((s) => Buffer.from(s, 'latin1'))).map((b) => Buffer.from(b).toString('latin1')),
  )
}

/**
 * Check that `parse` returns or throws one AxqError on every generated input.
 */
export function fuzzParser<T>(t: Test, name: string, inputs: fc.Arbitrary<T>, parse: (input: T) => unknown, runs = FUZZ_RUNS): void {
  let rejected = 0
  let accepted = 0
  fc.assert(
    fc.property(inputs, (input) => {
      try {
        parse(input)
        accepted++
      } catch (error) {
        // (The CLI prints any AxqError as one line, src/cli/errors.ts.)
        if (!(error instanceof AxqError)) throw error
        rejected++
      }
    }),
    {seed: FUZZ_SEED, numRuns: runs},
  )
  t.pass(`${name}: ${runs} inputs (seed ${FUZZ_SEED}): ${accepted} accepted, ${rejected} refused with an AxqError, no other exception`)
}

