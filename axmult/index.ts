/**
 * The built-in multiplier families, in resolution order. A built-in name resolves to the table
 * of its product function over all 256×256 operand pairs (activation code first).
 */
import type {MultiplierFamily, ProductFunction} from './family.js'
import {exactFamily} from './exact.js'
import {truncatedFamily} from './truncated.js'
import {brokenArrayFamily} from './brokenArray.js'
import {drumFamily} from './drum.js'
import {mitchellFamily} from './mitchell.js'
import {underdesignedFamily} from './underdesigned.js'

export type {MultiplierFamily, ProductFunction} from './family.js'

export const builtinFamilies: readonly MultiplierFamily[] = [
  exactFamily,
  truncatedFamily,
  brokenArrayFamily,
  drumFamily,
  mitchellFamily,
  underdesignedFamily,
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

/** The 65536-entry table of a product function; throws if a product leaves 0..65535. */
export function tabulate(name: string, product: ProductFunction): Uint16Array {
  const t = new Uint16Array(65536)
  for (let a = 0; a < 256; a++) {
    for (let w = 0; w < 256; w++) {
      const p = product(a, w)
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`${name}: product of ${a}·${w} is ${p}, outside 0..65535`)
      t[a * 256 + w] = p
    }
  }
  return t
}
