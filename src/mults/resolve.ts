/**
 * Multiplier names → product tables. A name resolves from, in order, each `--mult-dir` folder,
 * the AXQ_MULT_PATH folders, the user folder ($AXQ_HOME/mults), then the built-in families
 * (axmult/). A path to a .bin file (anything containing a slash or ending in .bin) is read
 * directly. Loaded tables are cached in memory (files by path, size and modification time):
 * treat returned tables as read-only.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../errors.js'
import {builtinFamilies, builtinMember, listedBuiltinNames, tabulate} from '../../axmult/index.js'
import {nearestNames} from './editDistance.js'
import {searchFolders, type SearchFolder, type SearchOptions} from './searchPath.js'
import {readTableFile, type ProductTable} from './table.js'
import {fileProblem} from '../fileProblem.js'

export interface ResolvedMultiplier {
  name: string
  table: ProductTable
  /** 'built-in', or the .bin file the table was read from. */
  source: string
  /** The search folder it came from (undefined for built-ins and direct paths). */
  folder?: SearchFolder
  /** The built-in family name, for built-ins. */
  family?: string
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/

export function isValidMultiplierName(name: string): boolean {
  return NAME_RE.test(name) && !name.endsWith('.bin')
}

export function looksLikePath(name: string): boolean {
  return name.includes('/') || name.includes(path.sep) || name.endsWith('.bin')
}

interface FileEntry {
  size: number
  mtimeMs: number
  table: ProductTable
}

const fileTables = new Map<string, FileEntry>()
const builtinTables = new Map<string, ProductTable>()

/** Read a .bin table through the in-memory cache. */
export function loadTableFile(file: string): ProductTable {
  const abs = path.resolve(file)
  let stat: fs.Stats
  try {
    stat = fs.statSync(abs)
  } catch (error) {
    throw new AxqError(`cannot read multiplier table ${file}: ${fileProblem(error)}`, {subject: file})
  }
  const hit = fileTables.get(abs)
  if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.table
  const table = readTableFile(file)
  fileTables.set(abs, {size: stat.size, mtimeMs: stat.mtimeMs, table})
  return table
}

/** The table of a built-in name, or undefined when no family has it. Bad parameters are an AxqError. */
export function builtinTable(name: string): {table: ProductTable; family: string} | undefined {
  let member
  try {
    member = builtinMember(name)
  } catch (error) {
    throw new AxqError(`multiplier ${(error as Error).message}`, {subject: name})
  }
  if (!member) return undefined
  let table = builtinTables.get(name)
  if (!table) {
    table = tabulate(name, member.product)
    builtinTables.set(name, table)
  }
  return {table, family: member.family.family}
}

/** `<name>.bin` files of one folder (names without the extension, sorted); [] if the folder is missing. */
export function folderTableNames(dir: string): string[] {
  let entries: string[]
  try {
    entries = fs.readdirSync(dir)
  } catch {
    return []
  }
  return entries.filter((f) => f.endsWith('.bin') && isValidMultiplierName(f.slice(0, -4))).map((f) => f.slice(0, -4)).sort()
}

export function resolveMultiplier(name: string, options: SearchOptions = {}): ResolvedMultiplier {
  if (looksLikePath(name)) {
    const table = loadTableFile(name)
    return {name: path.basename(name).replace(/\.bin$/, ''), table, source: path.resolve(name)}
  }
  if (!isValidMultiplierName(name)) throw new AxqError(`'${name}' is not a valid multiplier name (letters, digits, '_', '.', '+', '-')`, {subject: name})
  const folders = searchFolders(options)
  for (const folder of folders) {
    const file = path.join(folder.dir, `${name}.bin`)
    if (fs.existsSync(file)) return {name, table: loadTableFile(file), source: file, folder}
  }
  const builtin = builtinTable(name)
  if (builtin) return {name, table: builtin.table, source: 'built-in', family: builtin.family}
  const known = [...folders.flatMap((f) => folderTableNames(f.dir)), ...listedBuiltinNames()]
  const near = nearestNames(name, known)
  const where = folders.map((f) => `${f.dir} (${f.kind})`).join(', ')
  const families = builtinFamilies.map((f) => f.pattern.split(' ')[0]).join(', ')
  throw new AxqError(
    `unknown multiplier '${name}'` + (near.length ? `; nearest known: ${near.join(', ')}` : '') +
      ` (searched ${where}; built-in families ${families})`,
    {subject: name},
  )
}
