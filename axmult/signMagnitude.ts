/**
 * Signed versions of the unsigned families, built the way sign-magnitude hardware does it: the
 * magnitudes |a|, |w| (0..128, which fit the unsigned 8-bit design) go through the unsigned
 * approximate multiplier and the product takes the sign of a·w. The error is therefore symmetric
 * in the signs: T(−a, w) = −T(a, w). DRUM's paper describes exactly this for signed operands;
 * for truncation and Mitchell it is the usual sign-magnitude wrapper (a truncated two's-complement
 * array, e.g. Baugh–Wooley, would err differently).
 */
import {checkRange, parseParams, type MultiplierFamily, type ProductFunction} from './family.js'
import {drumProduct} from './drum.js'
import {mitchellProduct} from './mitchell.js'
import {truncatedProduct} from './truncated.js'

/** The signed product of an unsigned design applied to magnitudes. */
export function signMagnitude(unsigned: ProductFunction): ProductFunction {
  return (a, w) => {
    const p = unsigned(Math.abs(a), Math.abs(w))
    return (a < 0) !== (w < 0) && p !== 0 ? -p : p
  }
}

export const signedTruncatedFamily: MultiplierFamily = {
  family: 'trunc8s',
  signed: true,
  pattern: 'trunc8s_k<k> (k = 0..15; signed, sign-magnitude trunc8u_k<k>)',
  summary: 'signed: |a|·|w| with the k least significant partial-product columns removed, sign of a·w applied (rounds toward zero)',
  reference: 'M. J. Schulte and E. E. Swartzlander, "Truncated multiplication with correction constant", VLSI Signal Processing VI, 1993 (sign-magnitude, no correction constant)',
  listed: ['trunc8s_k4', 'trunc8s_k6'],
  member(name) {
    const p = parseParams(name, 'trunc8s', ['k'])
    if (!p) return undefined
    checkRange(name, 'k', p[0], 0, 15)
    return signMagnitude(truncatedProduct(p[0]))
  },
}

export const signedDrumFamily: MultiplierFamily = {
  family: 'drum8s',
  signed: true,
  pattern: 'drum8s_k<k> (k = 2..8; signed, sign-magnitude drum8u_k<k>)',
  summary: 'signed DRUM: magnitudes cut to k bits from the leading one (lowest kept bit set), multiplied, sign of a·w applied',
  reference: 'S. Hashemi, R. I. Bahar and S. Reda, "DRUM: A dynamic range unbiased multiplier for approximate applications", ICCAD 2015 (its signed variant: sign-magnitude)',
  listed: ['drum8s_k4', 'drum8s_k6'],
  member(name) {
    const p = parseParams(name, 'drum8s', ['k'])
    if (!p) return undefined
    checkRange(name, 'k', p[0], 2, 8)
    return signMagnitude(drumProduct(p[0]))
  },
}

export const signedMitchellFamily: MultiplierFamily = {
  family: 'mitchell8s',
  signed: true,
  pattern: 'mitchell8s (signed, sign-magnitude mitchell8u)',
  summary: 'signed Mitchell logarithmic multiplier on magnitudes, sign of a·w applied',
  reference: 'J. N. Mitchell, "Computer multiplication and division using binary logarithms", IRE Transactions on Electronic Computers EC-11(4), 1962 (sign-magnitude)',
  listed: ['mitchell8s'],
  member(name) {
    return name === 'mitchell8s' ? signMagnitude(mitchellProduct) : undefined
  },
}
