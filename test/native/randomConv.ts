/**
 * Random AxConv2D cases for the property tests: the fast kernel must equal the reference loop
 * bit for bit on random shapes, tables, zero points, pad modes, origin rules, thread counts,
 * row budgets (rows kept for every, some or no output-channel tile; the others built per call)
 * and paths (whole windows per pixel, or rows tile by tile); the output range each kernel reports
 * must equal a plain scan of the output.
 */
import type {Test} from 'tap'
import {axConv, type AxConvRequest} from '../../src/native/axconv.js'
import {prng as rng} from '../../src/bench/convInputs.js'

/** The bench's deterministic PRNG (mulberry32), shared by the property tests. */
export {rng}

export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

/** [smallest, largest] of int32 values by a plain scan ([2^31 − 1, −2^31] for none). */
export function scanRange(values: Int32Array): [number, number] {
  let lo = 2147483647
  let hi = -2147483648
  for (const v of values) {
    lo = Math.min(lo, v)
    hi = Math.max(hi, v)
  }
  return [lo, hi]
}

/**
 * Runs `count` random cases on the instruction-set variant `isa` (default: the chosen one);
 * reports each mismatch as a failure; returns the number that agree.
 */
export async function randomFastVsReference(t: Test, seed: number, count: number, isa?: string): Promise<number> {
  const rand = rng(seed)
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
  let agree = 0
  for (let iter = 0; iter < count; iter++) {
    const KH = pick([1, 2, 3, 5])
    const KW = iter % 7 === 0 ? KH : pick([1, 3, 5])
    const stride = pick([1, 1, 2, 3])
    const padding = pick(['SAME', 'VALID'] as const)
    const H = int(Math.max(1, padding === 'VALID' ? KH : 1), 11)
    const W = int(Math.max(1, padding === 'VALID' ? KW : 1), 11)
    const C = pick([1, 2, 3, 5, 8, 16, 17])
    const K = pick([1, 3, 8, 13, 16, 32, 40, 64, 72, 128])
    const N = pick([1, 1, 2, 5])
    const table = new Uint16Array(65536)
    const kind = iter % 3
    for (let i = 0; i < 65536; i++) {
      table[i] = kind === 0 ? Math.floor(rand() * 65536) : kind === 1 ? (i >> 8) * (i & 255) : Math.max(0, (i >> 8) * (i & 255) - int(0, 300))
    }
    const input = new Uint8Array(N * H * W * C).map(() => (rand() < 0.3 ? 0 : int(0, 255)))
    const filter = new Uint8Array(KH * KW * C * K).map(() => int(0, 255))
    const zi = pick([0, int(0, 255), int(-300, -1), int(256, 700), int(-(2 ** 31), 2 ** 31 - 1)])
    const zf = pick([0, 128, int(0, 255), int(-300, 600), int(-(2 ** 31), 2 ** 31 - 1)])
    const padMode = pick(['table', 'table', 'zero'] as const)
    const originRule = pick(['tensorflow', 'tf-approximate'] as const)
    const req: AxConvRequest = {input, inputShape: [N, H, W, C], filter, filterShape: [KH, KW, C, K], table, stride, padding, zi, zf, padMode, originRule}
    const ref = await axConv({...req, kernel: 'reference'})
    const threads = pick([1, 2, 3, 8])
    // One k-tile of rows is KH·KW·C·256·KT·2 bytes (KT ≤ 32): 0 and small budgets build rows per call.
    const rowBudget = pick([undefined, undefined, 0, KH * KW * C * 256 * 16 * 2])
    // Rows built per call come in chunks: as small as one tap's rows (512 bytes per channel).
    const rowChunk = pick([undefined, 1, int(1, 5) * 512 * 8, int(1, 40) * 512 * 16])
    // The windows path: the default (few taps), never, or whenever all rows are kept.
    const windowBytes = pick([undefined, undefined, 0, 2 ** 40])
    const fast = await axConv({...req, kernel: 'fast', threads, isa, rowBudget, rowChunk, windowBytes})
    const label = `N${N} ${H}x${W}x${C} k${KH}x${KW}x${K} s${stride} ${padding} ${originRule} zi=${zi} zf=${zf} ${padMode} ${threads}t ${fast.isa} ${fast.path} chunk=${rowChunk} windowBytes=${windowBytes}`
    const m = firstMismatch(fast.output, ref.output)
    const range = scanRange(ref.output)
    if (m !== -1 || fast.shape.join() !== ref.shape.join()) t.fail(`${label}: first mismatch at ${m}: ${fast.output[m]} vs ${ref.output[m]}`)
    else if (fast.range.join() !== range.join() || ref.range.join() !== range.join()) t.fail(`${label}: range fast [${fast.range}] reference [${ref.range}], scan [${range}]`)
    else agree++
  }
  return agree
}
