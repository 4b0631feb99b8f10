/**
 * A built-in multiplier family: a parameterised design whose members are named like
 * `trunc8u_k4`. Each family module in this folder exports one `MultiplierFamily`.
 */
/** The product of operands a (activation) and w (weight): 0..255 each, or −128..127 for signed families. */
export type ProductFunction = (a: number, w: number) => number

export interface MultiplierFamily {
  /** Family name, the part of every member name before its parameters, e.g. `trunc8u`. */
  readonly family: string
  /** Member name pattern for humans, e.g. `trunc8u_k<k> (k = 0..15)`. */
  readonly pattern: string
  /** True for signed families: operands −128..127, products −32768..32767 (an Int16Array table). */
  readonly signed?: boolean
  /** One line on what the design does. */
  readonly summary: string
  /** The published source of the design. */
  readonly reference: string
  /** Members shown by `axq list-mults` (every valid parameter resolves, listed or not). */
  readonly listed: readonly string[]
  /**
   * The product function of a member, `undefined` when `name` is not of this family. A name of
   * this family's shape with parameters out of range throws an Error explaining the range.
   */
  member(name: string): ProductFunction | undefined
}

/** Parse `prefix` followed by `_<letter><int>` groups, e.g. parseParams('bam8u_h2_v4', 'bam8u', ['h','v']). */
export function parseParams(name: string, prefix: string, keys: readonly string[]): number[] | undefined {
  const re = new RegExp(`^${prefix}` + keys.map((k) => `_${k}(\\d{1,2})`).join('') + '$')
  const m = re.exec(name)
  if (!m) return undefined
  return keys.map((_, i) => Number(m[i + 1]))
}

export function checkRange(name: string, key: string, value: number, lo: number, hi: number): void {
  if (value < lo || value > hi) throw new RangeError(`${name}: parameter ${key} must be ${lo}..${hi}, got ${value}`)
}

/** Position of the leading one bit (x > 0). */
export function leadingOne(x: number): number {
  return 31 - Math.clz32(x)
}
