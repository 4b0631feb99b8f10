/** Filtering and sorting of the multiplier catalogue (`axq list-mults`). */
import path from 'node:path'
import {AxqError} from '../errors.js'
import type {CatalogEntry} from './catalog.js'

/** Sort keys: the flag value → the entry field (ascending; unknown values last). */
export const SORT_KEYS = {
  name: 'name',
  power: 'powerMw',
  area: 'areaUm2',
  delay: 'delayNs',
  mae: 'mae',
  wce: 'wce',
  wcre: 'wcrePct',
  ep: 'epPct',
  mre: 'mrePct',
  mse: 'mse',
  bias: 'meanError',
} as const satisfies Record<string, keyof CatalogEntry>

export type SortKey = keyof typeof SORT_KEYS

export interface CatalogFilter {
  /** Shell-style glob on the name (`*`, `?`, `[...]`). */
  glob?: string
  /** 'built-in', 'mult-dir', 'AXQ_MULT_PATH', 'user', or a folder (entries whose file is inside it). */
  source?: string
  family?: string
  /** Only signed or only unsigned tables. */
  signedness?: 'signed' | 'unsigned'
  maxMaePct?: number
  maxWcePct?: number
  maxMrePct?: number
  maxPowerMw?: number
  maxAreaUm2?: number
}

export function globToRegExp(glob: string): RegExp {
  let re = '^'
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]
    if (ch === '*') re += '.*'
    else if (ch === '?') re += '.'
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\')
        re += '[' + (body.startsWith('!') ? '^' + body.slice(1) : body) + ']'
        i = end
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(re + '$', 'i')
}

function sourceMatches(entry: CatalogEntry, source: string): boolean {
  if (source === entry.origin || (source === 'builtin' && entry.origin === 'built-in')) return true
  if (entry.origin === 'built-in') return false
  const dir = path.resolve(source)
  return path.dirname(entry.source) === dir || entry.source.startsWith(dir + path.sep)
}

function withinMax(value: number | null, max: number | undefined): boolean {
  return max === undefined || (value !== null && value <= max)
}

export function filterCatalog(entries: CatalogEntry[], filter: CatalogFilter): CatalogEntry[] {
  const glob = filter.glob ? globToRegExp(filter.glob) : undefined
  return entries.filter((e) =>
    (!glob || glob.test(e.name)) &&
    (!filter.source || sourceMatches(e, filter.source)) &&
    (!filter.family || e.family.toLowerCase() === filter.family.toLowerCase()) &&
    (!filter.signedness || e.signed === (filter.signedness === 'signed')) &&
    withinMax(e.maePct, filter.maxMaePct) &&
    withinMax(e.wcePct, filter.maxWcePct) &&
    withinMax(e.mrePct, filter.maxMrePct) &&
    withinMax(e.powerMw, filter.maxPowerMw) &&
    withinMax(e.areaUm2, filter.maxAreaUm2))
}

/** Stable sort by one key; unknown (null) values go last in both directions; ties by name. */
export function sortCatalog(entries: CatalogEntry[], key: string, descending = false): CatalogEntry[] {
  if (!(key in SORT_KEYS)) throw new AxqError(`--sort: unknown key '${key}' (one of ${Object.keys(SORT_KEYS).join(', ')})`, {subject: '--sort'})
  const field = SORT_KEYS[key as SortKey]
  const sign = descending ? -1 : 1
  return [...entries].sort((p, q) => {
    const a = p[field]
    const b = q[field]
    if (a === null || b === null) {
      if (a !== b) return a === null ? 1 : -1
    } else if (a !== b) return (a < b ? -1 : 1) * sign
    return p.name < q.name ? -1 : p.name > q.name ? 1 : 0
  })
}
