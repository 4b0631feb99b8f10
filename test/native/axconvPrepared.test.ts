// The AxConv2D filter-cache handle (axconvPreparedFilter) checks what it was built from: reused
// with another filter or another table of the same shape it rebuilds its rows, so results always
// equal the reference loop; a value that is not such a handle is refused.
import t from 'tap'
import {axConv, axconvPreparedFilter, type AxConvRequest} from '../../src/native/axconv.js'
import {native} from '../../src/native/binding.js'
import {prng} from '../../src/bench/convInputs.js'

const rand = prng(77)
const N = 2, H = 6, W = 7, C = 5, K = 16
const bytes = (n: number): Uint8Array => Uint8Array.from({length: n}, () => Math.floor(rand() * 256))
const exact = Uint16Array.from({length: 65536}, (_, i) => (i >> 8) * (i & 255))
const other = Uint16Array.from({length: 65536}, (_, i) => ((i >> 8) * (i & 255)) ^ (i & 7))

t.test('a handle reused with another filter or table rebuilds', async (t) => {
  const prepared = axconvPreparedFilter()
  const input = bytes(N * H * W * C)
  const base = {input, inputShape: [N, H, W, C], filterShape: [3, 3, C, K], stride: 1, padding: 'SAME', zi: 3, zf: 120} as const
  const filterA = bytes(9 * C * K)
  const filterB = bytes(9 * C * K)
  for (const [label, filter, table] of [['A, exact', filterA, exact], ['B, exact', filterB, exact], ['B, other table', filterB, other], ['A, exact again', filterA, exact]] as const) {
    const req: AxConvRequest = {...base, filter, table}
    const ref = await axConv({...req, kernel: 'reference'})
    const fast = await axConv({...req, kernel: 'fast', threads: 2, prepared})
    t.same(Array.from(fast.output), Array.from(ref.output), `${label}: fast with the shared handle = reference`)
  }
})

t.test('only handles from axconvPreparedFilter are accepted', async (t) => {
  const lib = native() as unknown as {axconvRun(a: object): Promise<unknown>}
  const args = {
    N: 1, H: 1, W: 1, C: 1, KH: 1, KW: 1, K: 1, Ho: 1, Wo: 1, stride: 1, offTop: 0, offLeft: 0, zi: 0, zf: 0, padCode: 0, padMode: 0,
    threads: 1, kernel: 'fast', input: new Uint8Array(1), filter: new Uint8Array(1), table: exact, output: new Int32Array(1),
  }
  t.throws(() => lib.axconvRun({...args, prepared: {}}), /prepared must come from axconvPrepared/)
  const ok = await lib.axconvRun({...args, prepared: axconvPreparedFilter()})
  t.ok(ok, 'a real handle is accepted')
})
