/**
 * Every multiplier axq can resolve, with metrics and hardware cost: one entry per name, in search
 * order (the first folder holding a name shadows later ones and the built-ins). Used by
 * `axq list-mults`.
 */
import fs from 'node:fs'
import path from 'node:path'
import {builtinMember, listedBuiltinNames} from '../../axmult/index.js'
import {folderCosts} from './costTable.js'
import {cachedMetrics} from './metricsCache.js'
import type {MultiplierMetrics} from './metrics.js'
import {builtinTable, folderTableNames, loadTableFile} from './resolve.js'
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
        cost = readSidecarCost(path.join(folder.dir, `${name}.json`)) ?? costs.get(name) ?? UNKNOWN_COST
      } catch (error) {
        if (!options.onProblem) throw error
        options.onProblem(error as Error)
        continue
      }
      const csvCost = costs.get(name)
      const merged: HardwareCost = {
        powerMw: cost.powerMw ?? csvCost?.powerMw ?? null,
        areaUm2: cost.areaUm2 ?? csvCost?.areaUm2 ?? null,
        delayNs: cost.delayNs ?? csvCost?.delayNs ?? null,
      }
      entries.push({name, source: file, origin: folder.kind, family: familyOf(name), ...cachedMetrics(table, {env}), ...merged})
    }
  }
  for (const name of [...listedBuiltinNames(), ...(options.extraBuiltins ?? [])]) {
    if (seen.has(name)) continue
    const builtin = builtinTable(name)
    if (!builtin) continue
    seen.add(name)
    entries.push({name, source: 'built-in', origin: 'built-in', family: builtin.family, ...cachedMetrics(builtin.table, {env}), ...UNKNOWN_COST})
  }
  return entries
}
