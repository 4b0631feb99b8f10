/**
 * DRUM, the dynamic range unbiased multiplier: each operand x ≥ 2^k is cut to the k bits starting
 * at its leading one, the lowest kept bit is forced to 1 (so the truncation is unbiased on
 * average), the two k-bit values are multiplied exactly and the product is shifted back. Operands
 * below 2^k are used as they are. k = 8 is exact.
 */
import {checkRange, leadingOne, parseParams, type MultiplierFamily} from './family.js'

/** The operand as DRUM sees it: (x >> s | 1) << s with s = leading-one position − k + 1. */
export function drumOperand(x: number, k: number): number {
  if (x < 1 << k) return x
  const s = leadingOne(x) - k + 1
  return ((x >> s) | 1) << s
}

export function drumProduct(k: number): (a: number, w: number) => number {
  return (a, w) => drumOperand(a, k) * drumOperand(w, k)
}

export const drumFamily: MultiplierFamily = {
  family: 'drum8u',
  pattern: 'drum8u_k<k> (k = 2..8 bits kept from the leading one)',
  summary: 'dynamic range unbiased multiplier: k-bit segments from the leading one, lowest bit set to 1',
  reference: 'S. Hashemi, R. I. Bahar and S. Reda, "DRUM: A dynamic range unbiased multiplier for approximate applications", ICCAD 2015',
  listed: ['drum8u_k3', 'drum8u_k4', 'drum8u_k5', 'drum8u_k6'],
  member(name) {
    const p = parseParams(name, 'drum8u', ['k'])
    if (!p) return undefined
    checkRange(name, 'k', p[0], 2, 8)
    return drumProduct(p[0])
  },
}
