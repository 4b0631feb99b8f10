/**
 * Every multiplier axq can resolve, with metrics and hardware cost: one entry per name, in search
 * order (the first folder holding a name shadows later ones and the built-ins). Used by
 * `axq list-mults`. `multiplierCost` gives the hardware cost of one name, resolved the same way.
 */
import fs from 'node:fs'
import {AxqError} from '../errors.js'
import path from 'node:path'
import {builtinMember, listedBuiltinNames} from '../../axmult/index.js'
import {evoapproxEntry, evoapproxNames} from '../../axmult/evoapprox.js'
import {folderCosts} from './costTable.js'
import {cachedMetrics} from './metricsCache.js'
import type {MultiplierMetrics} from './metrics.js'
import {builtinTable, folderTableNames, isValidMultiplierName, loadTableFile, looksLikePath} from './resolve.js'
import {isSignedTable} from './table.js'
import {searchFolders, type FolderKind, type SearchOptions} from './searchPath.js'
import {readSidecarCost, UNKNOWN_COST, type HardwareCost} from './sidecar.js'

export interface CatalogEntry extends MultiplierMetrics, HardwareCost {
  name: string
  /** 'built-in', or the .bin file. */
  source: string
  /** 'built-in', 'mult-dir', 'AXQ_MULT_PATH' or 'user'. */
  origin: 'built-in' | FolderKind
  /** Built-in family, else the name up to its last '_' (EvoApproxLib's `mul8u`). */
  family: string
  /** Signed table: operands −128..127, metrics against the exact signed product. */
  signed: boolean
}

export interface CatalogOptions extends SearchOptions {
  /** Also list built-in names beyond the listed representatives. */
  extraBuiltins?: string[]
  /**
   * Called for a table that cannot be listed (wrong size, unreadable, bad sidecar); the entry is
   * skipped. Without it the first problem is thrown.
   */
  onProblem?: (error: Error) => void
}

export function familyOf(name: string): string {
  try {
    const member = builtinMember(name)
    if (member) return member.family.family
  } catch {
    // out-of-range parameters: fall through
  }
  const cut = name.lastIndexOf('_')
  return cut > 0 ? name.slice(0, cut) : name
}

export function listMultipliers(options: CatalogOptions = {}): CatalogEntry[] {
  const env = options.env ?? process.env
  const seen = new Set<string>()
  const entries: CatalogEntry[] = []
  for (const folder of searchFolders(options)) {
    const names = folderTableNames(folder.dir)
    if (names.length === 0) continue
    const costs = folderCosts(folder.dir, fs.readdirSync(folder.dir))
    for (const name of names) {
      if (seen.has(name)) continue
      seen.add(name)
      const file = path.join(folder.dir, `${name}.bin`)
      let table
      let cost
      try {
        table = loadTableFile(file)
        cost = readSidecarCost(path.join(folder.dir, `${name}.json`)) ?? UNKNOWN_COST
      } catch (error) {
        if (!options.onProblem) throw error
        options.onProblem(error as Error)
        continue
      }
      entries.push({name, source: file, origin: folder.kind, family: familyOf(name), signed: isSignedTable(table), ...cachedMetrics(table, {env}), ...mergeCost(cost, costs.get(name))})
    }
  }
  for (const name of [...evoapproxNames(), ...listedBuiltinNames(), ...(options.extraBuiltins ?? [])]) {
    if (seen.has(name)) continue
    const builtin = builtinTable(name)
    if (!builtin) continue
    seen.add(name)
    entries.push({name, source: 'built-in', origin: 'built-in', family: builtin.family, signed: isSignedTable(builtin.table), ...cachedMetrics(builtin.table, {env}), ...builtinCost(name)})
  }
  return entries
}

function mergeCost(sidecar: HardwareCost, csv: HardwareCost | undefined): HardwareCost {
  return {
    powerMw: sidecar.powerMw ?? csv?.powerMw ?? null,
    areaUm2: sidecar.areaUm2 ?? csv?.areaUm2 ?? null,
    delayNs: sidecar.delayNs ?? csv?.delayNs ?? null,
  }
}

/** The published 45 nm cost of a built-in (EvoApproxLib's); unknown (nulls) for the functional families. */
export function builtinCost(name: string): HardwareCost {
  const e = evoapproxEntry(name)
  return e ? {...e.cost} : {...UNKNOWN_COST}
}

/**
 * The hardware cost (45 nm power in mW, area in µm², delay in ns; null when unknown) of the
 * multiplier `name` resolves to, searched as resolveMultiplier does: the first folder holding
 * `<name>.bin` gives it (its sidecar, else a CSV in that folder), else the built-in library
 * (EvoApproxLib's published PDK45 figures; the functional families have none). A .bin path gives
 * its sidecar's or its folder's CSV's cost. Reads no table. An invalid name is an AxqError; an
 * unknown one gives nulls.
 */
export function multiplierCost(name: string, options: SearchOptions = {}): HardwareCost {
  if (looksLikePath(name)) {
    const dir = path.dirname(path.resolve(name))
    const stem = path.basename(name, '.bin')
    return mergeCost(readSidecarCost(path.join(dir, `${stem}.json`)) ?? UNKNOWN_COST, folderCosts(dir).get(stem))
  }
  if (!isValidMultiplierName(name)) throw new AxqError(`'${name}' is not a valid multiplier name (letters, digits, '_', '.', '+', '-')`, {subject: name})
  for (const folder of searchFolders(options)) {
    if (!fs.existsSync(path.join(folder.dir, `${name}.bin`))) continue
    return mergeCost(readSidecarCost(path.join(folder.dir, `${name}.json`)) ?? UNKNOWN_COST, folderCosts(folder.dir).get(name))
  }
  return builtinCost(name)
}
