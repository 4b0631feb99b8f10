/**
 * Truncated array multiplier: the partial-product bits a_i·w_j of the k least significant columns
 * (i + j < k) are never generated; every other column is summed exactly. k = 0 is exact.
 */
import {checkRange, parseParams, type MultiplierFamily} from './family.js'
import {brokenArrayProduct} from './brokenArray.js'

/** The broken-array multiplier without a horizontal break: bam8u_h0_v<k>. */
export function truncatedProduct(k: number): (a: number, w: number) => number {
  return brokenArrayProduct(0, k)
}

export const truncatedFamily: MultiplierFamily = {
  family: 'trunc8u',
  pattern: 'trunc8u_k<k> (k = 0..15 dropped partial-product columns)',
  summary: 'array multiplier with the k least significant partial-product columns removed (always underestimates)',
  reference: 'M. J. Schulte and E. E. Swartzlander, "Truncated multiplication with correction constant", VLSI Signal Processing VI, 1993 (here without the correction constant)',
  listed: ['trunc8u_k2', 'trunc8u_k4', 'trunc8u_k6', 'trunc8u_k8'],
  member(name) {
    const p = parseParams(name, 'trunc8u', ['k'])
    if (!p) return undefined
    checkRange(name, 'k', p[0], 0, 15)
    return truncatedProduct(p[0])
  },
}
