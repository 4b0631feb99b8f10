/**
 * Hardware cost from CSV files in a multiplier folder: any `*.csv` whose header has a `name`
 * column and cost columns (power_mW, area_um2, delay_ns, as EvoApproxLib's published metrics
 * have). Values may use exponent notation; empty cells are unknown. Parsed files are cached in
 * memory by path, size and modification time.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../errors.js'
import {INPUT_LIMITS, readInputFile} from '../inputFile.js'
import {costFromRecord, type HardwareCost} from './sidecar.js'

interface Parsed {
  size: number
  mtimeMs: number
  rows: Map<string, HardwareCost>
}

const parsedFiles = new Map<string, Parsed>()

/** Split one CSV line; supports double-quoted fields with "" escapes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out.map((s) => s.trim())
}

/** name → cost rows of one CSV file; a file without a `name` column gives an empty map. */
export function parseCostCsv(text: string, file: string): Map<string, HardwareCost> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  const rows = new Map<string, HardwareCost>()
  if (lines.length === 0) return rows
  const header = splitCsvLine(lines[0])
  const nameCol = header.indexOf('name')
  if (nameCol < 0) return rows
  for (let i = 1; i < lines.length; i++) {
    const cells = splitCsvLine(lines[i])
    if (cells.length !== header.length) throw new AxqError(`${file}:${i + 1}: ${cells.length} cells, the header has ${header.length}`, {subject: file})
    const record: Record<string, string> = {}
    header.forEach((h, j) => (record[h] = cells[j]))
    rows.set(cells[nameCol], costFromRecord(record))
  }
  return rows
}

function parsedCsv(file: string): Map<string, HardwareCost> {
  const stat = fs.statSync(file)
  const hit = parsedFiles.get(file)
  if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.rows
  const rows = parseCostCsv(readInputFile(file, {what: 'cost table', maxBytes: INPUT_LIMITS.smallBytes}).toString('utf8'), file)
  parsedFiles.set(file, {size: stat.size, mtimeMs: stat.mtimeMs, rows})
  return rows
}

/** name → cost for every CSV in `dir` (files in name order; the first file naming a multiplier wins). */
export function folderCosts(dir: string, entries?: string[]): Map<string, HardwareCost> {
  const names = (entries ?? safeReaddir(dir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort()
  const all = new Map<string, HardwareCost>()
  for (const f of names) {
    for (const [name, cost] of parsedCsv(path.join(dir, f))) if (!all.has(name)) all.set(name, cost)
  }
  return all
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}
