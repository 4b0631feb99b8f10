/**
 * Broken-array multiplier (BAM): an array multiplier whose carry-save adder cells are omitted
 * below a horizontal break level h (the first h partial-product rows, i.e. the rows of weight bits
 * w_0..w_{h-1}) and right of a vertical break level v (the v least significant columns). A
 * partial-product bit a_i·w_j survives when j ≥ h and i + j ≥ v. h = 0 is the truncated
 * multiplier with k = v; h = v = 0 is exact.
 */
import {checkRange, parseParams, type MultiplierFamily} from './family.js'

export function brokenArrayProduct(h: number, v: number): (a: number, w: number) => number {
  return (a, w) => {
    let sum = 0
    for (let j = h; j < 8; j++) {
      if (((w >> j) & 1) === 0) continue
      for (let i = 0; i < 8; i++) if (i + j >= v && ((a >> i) & 1) !== 0) sum += 1 << (i + j)
    }
    return sum
  }
}

export const brokenArrayFamily: MultiplierFamily = {
  family: 'bam8u',
  pattern: 'bam8u_h<h>_v<v> (h = 0..8 horizontal, v = 0..15 vertical break level)',
  summary: 'broken-array multiplier: partial products of weight bits below row h and columns below v omitted',
  reference: 'H. R. Mahdiani, A. Ahmadi, S. M. Fakhraie and C. Lucas, "Bio-inspired imprecise computational blocks for efficient VLSI implementation of soft-computing applications", IEEE TCAS-I 57(4), 2010',
  listed: ['bam8u_h1_v6', 'bam8u_h2_v8', 'bam8u_h3_v10'],
  member(name) {
    const p = parseParams(name, 'bam8u', ['h', 'v'])
    if (!p) return undefined
    checkRange(name, 'h', p[0], 0, 8)
    checkRange(name, 'v', p[1], 0, 15)
    return brokenArrayProduct(p[0], p[1])
  },
}
