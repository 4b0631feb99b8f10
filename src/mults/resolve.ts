/**
 * Multiplier names → product tables. A name resolves from, in order, each `--mult-dir` folder,
 * the AXQ_MULT_PATH folders, the user folder ($AXQ_HOME/mults), then the built-ins: EvoApproxLib's
 * tables shipped with axq (axmult/evoapprox/), then the built-in families (axmult/). A path to a
 * .bin file (anything containing a slash or ending in .bin) is read directly. A file's table is
 * signed (int16) when its sidecar `<name>.json` says `"signed": true`, or, without that key, when
 * its name starts with `mul8s_`. Loaded tables are cached in memory (files by path, size and
 * modification time): treat returned tables as read-only.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../errors.js'
import {builtinFamilies, builtinMember, listedBuiltinNames, tabulate} from '../../axmult/index.js'
import {evoapproxNames, evoapproxTable} from '../../axmult/evoapprox.js'
import {nearestNames} from './editDistance.js'
import {searchFolders, type SearchFolder, type SearchOptions} from './searchPath.js'
import {isSignedTable, readTableFile, signednessMismatch, type AnyProductTable, type ProductTable} from './table.js'
import {readSidecarSigned} from './sidecar.js'
import {fileProblem} from '../fileProblem.js'

export interface ResolvedMultiplier {
  name: string
  /** Uint16Array for unsigned tables, Int16Array for signed ones. */
  table: AnyProductTable
  signed: boolean
  /** 'built-in', or the .bin file the table was read from. */
  source: string
  /** The search folder it came from (undefined for built-ins and direct paths). */
  folder?: SearchFolder
  /** The built-in family name, for built-ins ('mul8u', 'mul8s' for EvoApproxLib's). */
  family?: string
}

/** Where a resolved table came from, for printed results: `built-in`, `<kind> folder <dir>`, or the path. */
export function describeSource(m: Pick<ResolvedMultiplier, 'source' | 'folder'>): string {
  if (m.source === 'built-in') return 'built-in'
  if (m.folder) return `${m.folder.kind === 'user' ? 'user folder' : m.folder.kind} ${m.source}`
  return `path ${m.source}`
}

/**
 * The unsigned table of a resolved multiplier, for a consumer of 8-bit unsigned operands (quint8
 * AxConv2D, `axq bench`); a signed one is an AxqError that says what would fit.
 */
export function requireUnsigned(m: ResolvedMultiplier, consumer: string): ProductTable {
  if (!isSignedTable(m.table)) return m.table
  throw new AxqError(signednessMismatch(m.name, 'signed', consumer), {subject: m.name})
}

/** Whether the .bin `file` (multiplier `name`) holds signed products: its sidecar, else the mul8s_ prefix. */
export function fileIsSigned(file: string, name: string): boolean {
  return readSidecarSigned(file.replace(/\.bin$/, '') + '.json') ?? name.startsWith('mul8s_')
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
  table: AnyProductTable
}

const fileTables = new Map<string, FileEntry>()
const builtinTables = new Map<string, AnyProductTable>()

/**
 * Read a .bin table through the in-memory cache; `signed` defaults to what the file's sidecar or
 * name says (fileIsSigned).
 */
export function loadTableFile(file: string, signed = fileIsSigned(file, path.basename(file, '.bin'))): AnyProductTable {
  const abs = path.resolve(file)
  const key = abs + (signed ? '#int16' : '#uint16')
  let stat: fs.Stats
  try {
    stat = fs.statSync(abs)
  } catch (error) {
    throw new AxqError(`cannot read multiplier table ${file}: ${fileProblem(error)}`, {subject: file})
  }
  const hit = fileTables.get(key)
  if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.table
  const table = readTableFile(file, signed)
  fileTables.set(key, {size: stat.size, mtimeMs: stat.mtimeMs, table})
  return table
}

/**
 * The table of a built-in name (EvoApproxLib's, then the families'), or undefined when there is
 * none. Bad parameters are an AxqError.
 */
export function builtinTable(name: string): {table: AnyProductTable; family: string} | undefined {
  let evo
  try {
    evo = evoapproxTable(name)
  } catch (error) {
    throw new AxqError((error as Error).message, {subject: name})
  }
  if (evo) return {table: evo, family: isSignedTable(evo) ? 'mul8s' : 'mul8u'}
  let member
  try {
    member = builtinMember(name)
  } catch (error) {
    throw new AxqError(`multiplier ${(error as Error).message}`, {subject: name})
  }
  if (!member) return undefined
  let table = builtinTables.get(name)
  if (!table) {
    table = tabulate(name, member.product, member.family.signed ?? false)
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
    return {name: path.basename(name).replace(/\.bin$/, ''), table, signed: isSignedTable(table), source: path.resolve(name)}
  }
  if (!isValidMultiplierName(name)) throw new AxqError(`'${name}' is not a valid multiplier name (letters, digits, '_', '.', '+', '-')`, {subject: name})
  const folders = searchFolders(options)
  for (const folder of folders) {
    const file = path.join(folder.dir, `${name}.bin`)
    if (fs.existsSync(file)) {
      const table = loadTableFile(file)
      return {name, table, signed: isSignedTable(table), source: file, folder}
    }
  }
  const builtin = builtinTable(name)
  if (builtin) return {name, table: builtin.table, signed: isSignedTable(builtin.table), source: 'built-in', family: builtin.family}
  const known = [...folders.flatMap((f) => folderTableNames(f.dir)), ...evoapproxNames(), ...listedBuiltinNames()]
  const near = nearestNames(name, known)
  const where = folders.map((f) => `${f.dir} (${f.kind})`).join(', ')
  const families = builtinFamilies.map((f) => f.pattern.split(' ')[0]).join(', ')
  throw new AxqError(
    `unknown multiplier '${name}'` + (near.length ? `; nearest known: ${near.join(', ')}` : '') +
      ` (searched ${where}; built-ins: EvoApproxLib's mul8u_* and mul8s_*, families ${families})`,
    {subject: name},
  )
}
