/**
 * Multiplier power and the relative multiplication power of a layer-wise configuration (ALWANN):
 *
 *   relativePower = Σ_l MACs_l · P(mult_l) / Σ_l MACs_l · P(exact)
 *
 * P is the multiplier's power (mW, 45 nm, as EvoApproxLib publishes it), read from the same
 * places `axq list-mults` reads cost from: the `<name>.json` sidecar, else a CSV with a `name`
 * column in the table's folder (src/mults/costTable.ts). Built-in families carry no power.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../errors.js'
import {folderCosts} from './costTable.js'
import {resolveMultiplier} from './resolve.js'
import type {SearchOptions} from './searchPath.js'
import {readSidecarCost} from './sidecar.js'
import {EXACT_MULTIPLIER} from './table.js'

export interface MultiplierPower {
  name: string
  /** Power in mW, or null when no sidecar or CSV gives it. */
  powerMw: number | null
}

/** The power of a multiplier as resolved by name or path (null when unknown). */
export function multiplierPower(name: string, options: SearchOptions = {}): MultiplierPower {
  const resolved = resolveMultiplier(name, options)
  if (resolved.source === 'built-in') return {name, powerMw: null}
  const dir = path.dirname(resolved.source)
  const base = path.basename(resolved.source).replace(/\.bin$/, '')
  const sidecar = readSidecarCost(path.join(dir, `${base}.json`))
  const powerMw = sidecar?.powerMw ?? folderCosts(dir, safeReaddir(dir)).get(base)?.powerMw ?? null
  return {name, powerMw}
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
}

/** Σ MACs·P / Σ MACs·P(exact); NaN when there are no multiplications. */
export function relativePower(layers: readonly LayerLoad[], exactPowerMw: number): number {
  let num = 0
  let den = 0
  for (const l of layers) {
    num += l.macs * l.powerMw
    den += l.macs * exactPowerMw
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

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}
