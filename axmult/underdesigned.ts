/**
 * Kulkarni's underdesigned multiplier (UDM): an 8×8 multiplier built from 2×2 blocks whose only
 * inexact entry is 3·3 = 7 (binary 111, three output bits instead of four); the partial products of
 * the sixteen blocks are added exactly. Parameter b: only blocks whose column weight 4^(i+j) is
 * below 4^b use the approximate 2×2 block (b = 7 approximates every block, b = 0 is exact).
 */
import {checkRange, parseParams, type MultiplierFamily} from './family.js'

/** The approximate 2×2 block: exact except 3·3 = 7. */
export function udmBlock(x: number, y: number): number {
  return x === 3 && y === 3 ? 7 : x * y
}

export function underdesignedProduct(b: number): (a: number, w: number) => number {
  return (a, w) => {
    let sum = 0
    for (let i = 0; i < 4; i++) {
      const x = (a >> (2 * i)) & 3
      for (let j = 0; j < 4; j++) {
        const y = (w >> (2 * j)) & 3
        const p = i + j < b ? udmBlock(x, y) : x * y
        sum += p * 4 ** (i + j)
      }
    }
    return sum
  }
}

export const underdesignedFamily: MultiplierFamily = {
  family: 'udm8u',
  pattern: 'udm8u_b<b> (b = 0..7: 2×2 blocks of digit weight below 4^b approximated)',
  summary: 'underdesigned multiplier: 2×2 blocks with 3·3 = 7, summed exactly',
  reference: 'P. Kulkarni, P. Gupta and M. Ercegovac, "Trading accuracy for power with an underdesigned multiplier architecture", VLSI Design 2011',
  listed: ['udm8u_b3', 'udm8u_b7'],
  member(name) {
    const p = parseParams(name, 'udm8u', ['b'])
    if (!p) return undefined
    checkRange(name, 'b', p[0], 0, 7)
    return underdesignedProduct(p[0])
  },
}
