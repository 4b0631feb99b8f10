/**
 * Mitchell's logarithmic multiplier: log2 x ≈ p + f with p the leading-one position and
 * f = (x − 2^p) / 2^p; the two logarithms are added and the antilogarithm taken with the same
 * piecewise-linear approximation:
 *   fa + fw < 1:  2^(pa+pw) · (1 + fa + fw)
 *   otherwise:    2^(pa+pw+1) · (fa + fw)
 * With 8-bit operands every term is an integer, so the product is exact integer arithmetic:
 *   s = (a − 2^pa)·2^pw + (w − 2^pw)·2^pa;  s < 2^(pa+pw) ? 2^(pa+pw) + s : 2·s.
 * A zero operand gives 0. Mitchell never overestimates; its worst relative error is about 11.1 %.
 */
import {leadingOne, type MultiplierFamily} from './family.js'

export function mitchellProduct(a: number, w: number): number {
  if (a === 0 || w === 0) return 0
  const pa = leadingOne(a)
  const pw = leadingOne(w)
  const s = (a - (1 << pa)) * (1 << pw) + (w - (1 << pw)) * (1 << pa)
  const base = 1 << (pa + pw)
  return s < base ? base + s : 2 * s
}

export const mitchellFamily: MultiplierFamily = {
  family: 'mitchell8u',
  pattern: 'mitchell8u',
  summary: 'Mitchell\'s logarithmic multiplier (piecewise-linear log and antilog, no correction)',
  reference: 'J. N. Mitchell, "Computer multiplication and division using binary logarithms", IRE Transactions on Electronic Computers EC-11(4), 1962',
  listed: ['mitchell8u'],
  member(name) {
    return name === 'mitchell8u' ? mitchellProduct : undefined
  },
}
