/**
 * Multiplier power and the relative multiplication power of a layer-wise configuration (ALWANN):
 *
 *   relativePower = Σ_l MACs_l · P(mult_l) / Σ_l MACs_l · P(exact)
 *
 * P is the multiplier's power (mW, 45 nm, as EvoApproxLib publishes it), as `multiplierCost`
 * (src/mults/catalog.ts) finds it: the table folder's sidecar or CSV, else the built-in
 * EvoApproxLib library's published figure. The functional families carry no power.
 */
import {AxqError} from '../errors.js'
import {multiplierCost} from './catalog.js'
import {resolveMultiplier} from './resolve.js'
import type {SearchOptions} from './searchPath.js'
import {EXACT_MULTIPLIER} from './table.js'

export interface MultiplierPower {
  name: string
  /** Power in mW, or null when no sidecar or CSV gives it. */
  powerMw: number | null
}

/** The power of a multiplier as resolved by name or path (null when unknown); an unknown name is an AxqError. */
export function multiplierPower(name: string, options: SearchOptions = {}): MultiplierPower {
  resolveMultiplier(name, options)
  return {name, powerMw: multiplierCost(name, options).powerMw}
}

/** Like multiplierPower, but an unknown power is an AxqError naming the multiplier. */
export function requirePower(name: string, options: SearchOptions = {}): number {
  const {powerMw} = multiplierPower(name, options)
  if (powerMw === null) {
    throw new AxqError(
      `no power is known for multiplier '${name}' (give it a <name>.json sidecar or a CSV with name and power_mW columns in its folder)`,
      {subject: name},
    )
  }
  return powerMw
}

export interface LayerLoad {
  /** Multiplications per image in this layer. */
  macs: number
  /** Power of the layer's multiplier, mW. */
  powerMw: number
  /** Power of the exact multiplier of the layer's operands (signed layers: mul8s_1KV8), mW; default `exactPowerMw`. */
  exactPowerMw?: number
}

/** Σ MACs·P / Σ MACs·P(exact); NaN when there are no multiplications. */
export function relativePower(layers: readonly LayerLoad[], exactPowerMw = Number.NaN): number {
  let num = 0
  let den = 0
  for (const l of layers) {
    num += l.macs * l.powerMw
    den += l.macs * (l.exactPowerMw ?? exactPowerMw)
  }
  return den > 0 ? num / den : Number.NaN
}

/** Power lookups memoised per name (one search path). */
export class PowerTable {
  private readonly known = new Map<string, number | null>()
  constructor(private readonly options: SearchOptions = {}) {}

  /** Power in mW or null. */
  of(name: string): number | null {
    if (!this.known.has(name)) this.known.set(name, multiplierPower(name, this.options).powerMw)
    return this.known.get(name)!
  }

  /** Power in mW; unknown is an AxqError. */
  require(name: string): number {
    const p = this.of(name)
    if (p === null) requirePower(name, this.options)
    return p as number
  }

  /** The exact multiplier's power (the denominator). */
  exact(): number | null {
    return this.of(EXACT_MULTIPLIER)
  }
}
