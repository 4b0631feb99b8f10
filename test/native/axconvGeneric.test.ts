/**
 * The portable fast path (SSE2 on x86-64, NEON on ARM64), forced with AXQ_SIMD=generic so that it
 * is tested on machines where the AVX2 path would be chosen. Each test file runs in its own
 * process, and the choice is made at the first fast call, so setting the variable here is enough.
 */
import t from 'tap'
process.env.AXQ_SIMD = 'generic'
const {axconvInfo} = await import('../../src/native/axconv.js')
const {randomFastVsReference} = await import('./randomConv.js')

t.test('AXQ_SIMD=generic selects the portable kernel', async (t) => {
  t.equal(axconvInfo().fastVariant, 'generic')
})

t.test('portable fast path == reference on random cases', async (t) => {
  t.equal(await randomFastVsReference(t, 777, 40), 40, 'all random cases agree bit for bit')
})
