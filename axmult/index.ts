/**
 * The built-in multiplier families, in resolution order. A built-in name resolves to the table
 * of its product function over all 256×256 operand pairs (activation first): unsigned families
 * over 0..255, signed ones (`signed: true`, names with `8s`) over −128..127.
 */
import type {MultiplierFamily, ProductFunction} from './family.js'
import {exactFamily} from './exact.js'
import {truncatedFamily} from './truncated.js'
import {brokenArrayFamily} from './brokenArray.js'
import {drumFamily} from './drum.js'
import {mitchellFamily} from './mitchell.js'
import {underdesignedFamily} from './underdesigned.js'
import {signedDrumFamily, signedMitchellFamily, signedTruncatedFamily} from './signMagnitude.js'

export type {MultiplierFamily, ProductFunction} from './family.js'

export const builtinFamilies: readonly MultiplierFamily[] = [
  exactFamily,
  truncatedFamily,
  brokenArrayFamily,
  drumFamily,
  mitchellFamily,
  underdesignedFamily,
  signedTruncatedFamily,
  signedDrumFamily,
  signedMitchellFamily,
]

/** The family and product function of a built-in name, or undefined. Out-of-range parameters throw RangeError. */
export function builtinMember(name: string): {family: MultiplierFamily; product: ProductFunction} | undefined {
  for (const family of builtinFamilies) {
    const product = family.member(name)
    if (product) return {family, product}
  }
  return undefined
}

/** Every listed built-in name, family by family. */
export function listedBuiltinNames(): string[] {
  return builtinFamilies.flatMap((f) => [...f.listed])
}

/**
 * The 65536-entry table of a product function: unsigned, entry a*256 + w for a, w in 0..255
 * (a Uint16Array); signed, entry (a & 255)*256 + (w & 255) for a, w in −128..127 (an
 * Int16Array). Throws if a product leaves the 16-bit range.
 */
export function tabulate(name: string, product: ProductFunction): Uint16Array
export function tabulate(name: string, product: ProductFunction, signed: boolean): Uint16Array | Int16Array
export function tabulate(name: string, product: ProductFunction, signed = false): Uint16Array | Int16Array {
  const t = signed ? new Int16Array(65536) : new Uint16Array(65536)
  const lo = signed ? -128 : 0
  const [min, max] = signed ? [-32768, 32767] : [0, 65535]
  for (let a = lo; a < lo + 256; a++) {
    for (let w = lo; w < lo + 256; w++) {
      const p = product(a, w)
      if (!Number.isInteger(p) || p < min || p > max) throw new RangeError(`${name}: product of ${a}·${w} is ${p}, outside ${min}..${max}`)
      t[(a & 255) * 256 + (w & 255)] = p
    }
  }
  return t
}
