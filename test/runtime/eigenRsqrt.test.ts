import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {eigenFastRsqrtAt, eigenPacketRsqrt, rsqrtps, scalarRsqrt} from '../../src/runtime/eigenRsqrt.js'
import {f32, values} from './tensors.js'

const F = Math.fround
const view = new DataView(new ArrayBuffer(4))
const fromBits = (b: number) => (view.setUint32(0, b), view.getFloat32(0))
const toBits = (x: number) => (view.setFloat32(0, x), view.getUint32(0))

// [input bits, RSQRTPS bits, RSQRTPS + Eigen Newton step bits], measured with _mm_rsqrt_ps on the
// AMD EPYC (Zen 3) the table comes from (random normal inputs over the whole exponent range).
const MEASURED: [number, number, number][] = [
  [0x05b91c44, 0x5c54e800, 0x5c54e09c],
  [0x6e2e4494, 0x281b2000, 0x281b239b],
  [0x586380e4, 0x3307c800, 0x3307c7b1],
  [0x17ddd134, 0x53427800, 0x534277b7],
  [0x36e23584, 0x43c09800, 0x43c09213],
  [0x56f5add4, 0x33b8c800, 0x33b8c854],
  [0x77dd3a24, 0x2342c000, 0x2342ba11],
  [0x509dda74, 0x36e68800, 0x36e68668],
  [0x0efc8ec4, 0x57b64000, 0x57b63fb1],
  [0x3dfe5714, 0x4035a000, 0x40359beb],
  [0x00e83364, 0x5ebe1800, 0x5ebe11df],
  [0x6c3f23b4, 0x29142000, 0x2914224e],
  [0x5d482804, 0x3090c000, 0x3090c248],
  [0x3c884054, 0x40f82000, 0x40f8209b],
  [0x53c46ca4, 0x354ea800, 0x354ea7d8],
  [0x2401acf4, 0x4d33d800, 0x4d33d895],
  [0x25050144, 0x4cb19800, 0x4cb194b1],
  [0x2a536994, 0x4a0ce000, 0x4a0cda41],
  [0x22b1e5e4, 0x4dd92800, 0x4dd92659],
  [0x71257634, 0x269f3800, 0x269f36c7],
]

t.test('the RSQRTPS model and the Newton step reproduce measured hardware results bit for bit', async (t) => {
  for (const [x, r, n] of MEASURED) {
    t.equal(toBits(rsqrtps(fromBits(x))).toString(16), r.toString(16), `rsqrtps(0x${x.toString(16)})`)
    t.equal(toBits(eigenPacketRsqrt(fromBits(x))).toString(16), n.toString(16), `packet rsqrt(0x${x.toString(16)})`)
  }
})

t.test('RSQRTPS model: documented error bound, scaling by 4, special values', async (t) => {
  let worst = 0
  let worstNewton = 0
  let scalingFailures = 0
  for (let i = 0; i < 20000; i++) {
    const v = F(2 ** (i / 1000 - 10) * (1 + (i % 7) / 9))
    const exact = 1 / Math.sqrt(v)
    worst = Math.max(worst, Math.abs(rsqrtps(v) / exact - 1))
    worstNewton = Math.max(worstNewton, Math.abs(eigenPacketRsqrt(v) / exact - 1))
    if (rsqrtps(F(v * 4)) !== F(rsqrtps(v) / 2)) scalingFailures++
  }
  t.equal(scalingFailures, 0, 'rsqrtps(4v) = rsqrtps(v) / 2')
  t.ok(worst <= 1.5 * 2 ** -12, `relative error ${worst} within Intel's documented 1.5·2^-12`)
  t.ok(worstNewton < 2 ** -21, `one Newton step: relative error ${worstNewton} < 2^-21`)
  t.equal(rsqrtps(0), Infinity)
  t.equal(rsqrtps(1e-45), Infinity, 'denormals count as zero')
  t.ok(Number.isNaN(rsqrtps(-1)))
  t.equal(eigenPacketRsqrt(0), Infinity)
  t.ok(Number.isNaN(eigenPacketRsqrt(-4)))
  t.ok(Number.isNaN(eigenPacketRsqrt(Infinity)), 'Eigen: 0 · inf in the Newton step')
  t.equal(scalarRsqrt(4), 0.5)
  t.equal(scalarRsqrt(2), F(1 / F(Math.SQRT2)))
})

t.test('packets of 8, scalar tail', async (t) => {
  t.equal(eigenPacketRsqrt(6), 0.40824830532073975, 'packet path: 1 ulp above the correctly rounded value')
  t.equal(scalarRsqrt(6), 0.40824827551841736)
  t.equal(eigenFastRsqrtAt(6, 7, 9), eigenPacketRsqrt(6))
  t.equal(eigenFastRsqrtAt(6, 8, 9), scalarRsqrt(6))
  t.equal(eigenFastRsqrtAt(6, 0, 7), scalarRsqrt(6), 'fewer than 8 elements: all scalar')
})

t.test('the Rsqrt op follows RunOptions.rsqrt', async (t) => {
  const x = f32([9], Array(9).fill(6))
  const [fast] = await runOp('Rsqrt', [x])
  t.same(values(fast), [...Array(8).fill(eigenPacketRsqrt(6)), scalarRsqrt(6)])
  const [exact] = await runOp('Rsqrt', [x], {}, {rsqrt: 'correctly-rounded'})
  t.same(values(exact), Array(9).fill(scalarRsqrt(6)))
})
