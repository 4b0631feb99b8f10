import t from 'tap'
import {builtinFamilies, builtinMember, listedBuiltinNames, tabulate} from '../../axmult/index.js'
import {computeMetrics} from '../../src/mults/metrics.js'

function product(name: string, a: number, w: number): number {
  const m = builtinMember(name)
  if (!m) throw new Error(`no built-in ${name}`)
  return m.product(a, w)
}

function metrics(name: string) {
  return computeMetrics(tabulate(name, builtinMember(name)!.product))
}

t.test('exact', async (t) => {
  t.equal(product('mul8u_1JFF', 255, 255), 65025)
  t.equal(metrics('mul8u_1JFF').mae, 0)
})

t.test('truncated: k least significant partial-product columns dropped', async (t) => {
  // 15·15 = 225; columns 0..3 hold 1+2+3+4 bits of weight 1,2,4,8: 49 dropped.
  t.equal(product('trunc8u_k4', 15, 15), 176)
  t.equal(product('trunc8u_k0', 201, 77), 201 * 77)
  t.equal(product('trunc8u_k14', 128, 128), 16384, 'only column 14 (a7·w7) left')
  t.equal(product('trunc8u_k14', 127, 255), 0)
  t.equal(product('trunc8u_k15', 255, 255), 0, 'every column dropped')
  // Uniform independent bits: E|e| = Σ_{c<k} (c+1)·2^c / 4.
  t.equal(metrics('trunc8u_k2').mae, 1.25)
  t.equal(metrics('trunc8u_k2').epPct, 50)
  t.equal(metrics('trunc8u_k8').mae, 448.25)
  t.equal(metrics('trunc8u_k8').meanError, -448.25)
  t.throws(() => builtinMember('trunc8u_k16'), /k must be 0\.\.15/)
})

t.test('broken array: rows below h and columns below v removed', async (t) => {
  // 65025 − rows 0,1 (255 + 510) − row 2 columns < 4 (4·3) − row 3 column 3 (8) = 64240
  t.equal(product('bam8u_h2_v4', 255, 255), 64240)
  t.equal(product('bam8u_h0_v4', 15, 15), 176, 'h = 0 is the truncated multiplier')
  t.equal(product('bam8u_h8_v0', 255, 255), 0)
  t.equal(product('bam8u_h1_v0', 255, 1), 0, 'w bit 0 row removed')
  t.equal(product('bam8u_h1_v0', 1, 2), 2)
  t.same(metrics('bam8u_h0_v8'), metrics('trunc8u_k8'))
  t.equal(metrics('bam8u_h2_v8').mae, 512.25)
})

t.test('DRUM: k bits from the leading one, lowest kept bit forced to 1', async (t) => {
  // 200 = 11001000b → 110|01000 → (110|1)<<5 = 224; 9 = 1001b → (100|1)<<1 = 10
  t.equal(product('drum8u_k3', 200, 9), 2240)
  t.equal(product('drum8u_k3', 7, 7), 49, 'operands below 2^k are exact')
  t.equal(product('drum8u_k4', 255, 255), 240 * 240, '255 → 1111|1111 → 1111<<4 = 240')
  t.equal(product('drum8u_k4', 128, 16), 144 * 18, '128 → (1000|1)<<4 = 144, 16 → (1000|1)<<1 = 18')
  t.equal(product('drum8u_k8', 173, 91), 173 * 91)
  // Worst relative error per operand 2^-(k-1) → (1 + 1/4)² − 1 = 56.25 % for k = 3.
  t.equal(metrics('drum8u_k3').wcrePct, 56.25)
  t.equal(metrics('drum8u_k8').mae, 0)
})

t.test('Mitchell: piecewise-linear log and antilog', async (t) => {
  t.equal(product('mitchell8u', 3, 3), 8)
  t.equal(product('mitchell8u', 5, 6), 28)
  t.equal(product('mitchell8u', 128, 200), 25600, 'a power-of-two operand is exact')
  t.equal(product('mitchell8u', 0, 200), 0)
  const m = metrics('mitchell8u')
  t.ok(Math.abs(m.wcrePct - 100 / 9) < 1e-9, 'worst case 8/9 at 3·3, 11.1 %')
  t.equal(m.meanError, -m.mae, 'never overestimates')
})

t.test('underdesigned multiplier: 2×2 blocks with 3·3 = 7', async (t) => {
  t.equal(product('udm8u_b7', 3, 3), 7)
  t.equal(product('udm8u_b7', 15, 15), 175, 'four blocks of 7: 7·(1 + 4 + 4 + 16)')
  t.equal(product('udm8u_b1', 15, 15), 223, 'only the lowest block approximated')
  t.equal(product('udm8u_b0', 255, 255), 65025)
  t.ok(Math.abs(metrics('udm8u_b7').wcrePct - 200 / 9) < 1e-9, 'worst case 7/9')
})

t.test('every listed name belongs to a family and tabulates', async (t) => {
  const names = listedBuiltinNames()
  t.ok(names.length >= 15)
  for (const family of builtinFamilies) t.ok(family.listed.length > 0 && family.reference.length > 20, family.family)
  for (const name of names) t.equal(tabulate(name, builtinMember(name)!.product).length, 65536)
  t.equal(builtinMember('mul8u_XXXX'), undefined)
})

t.test('signed families: sign-magnitude versions, hand-computed', async (t) => {
  // trunc8u_k4(15, 15) = 176 (above); the sign of a·w is applied to the magnitudes' product.
  t.equal(product('trunc8s_k4', -15, 15), -176)
  t.equal(product('trunc8s_k4', -15, -15), 176)
  t.equal(product('trunc8s_k0', -128, 127), -16256, 'k = 0 is exact')
  // DRUM k = 3: 100 = 0b1100100, leading one at 6, shift 4: (6 | 1) << 4 = 112; 7 < 8 stays 7.
  t.equal(product('drum8s_k3', 100, -7), -784)
  // |−128| = 128: shift 5, (4 | 1) << 5 = 160; 160·160 = 25600 (still within int16).
  t.equal(product('drum8s_k3', -128, -128), 25600)
  // Mitchell: 3 = 2^1 + 1, 5 = 2^2 + 1: s = 1·4 + 1·2 = 6 < 8 → 8 + 6 = 14.
  t.equal(product('mitchell8s', -3, 5), -14)
  t.equal(product('mitchell8s', -128, -128), 16384, 'powers of two are exact')
  t.equal(product('mitchell8s', 0, -77), 0)
  const table = tabulate('drum8s_k3', builtinMember('drum8s_k3')!.product, true)
  t.ok(table instanceof Int16Array)
  t.equal(table[(100 & 255) * 256 + (-7 & 255)], -784)
  t.equal(builtinMember('drum8s_k3')!.family.signed, true)
  t.throws(() => builtinMember('drum8s_k1'), /parameter k must be 2\.\.8/)
  // Errors are odd in each operand, so the signed families have no bias.
  t.equal(computeMetrics(tabulate('mitchell8s', builtinMember('mitchell8s')!.product, true)).meanError, 0)
})
