/**
 * `axq mults import`: turn a C model, a .bin table, a NumPy .npy array or a plain-text table into
 * `<name>.bin` + `<name>.json` in the user folder (or another folder). Both files are written
 * atomically; an existing name is an error unless `force`.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {writeFilesAtomic} from '../atomicWrite.js'
import {AxqError} from '../errors.js'
import {folderCosts} from './costTable.js'
import {chooseFunction, cModelIsSigned, evaluateCModel, EVALUATE_TIMEOUT_MS, HEADER_METRICS, headerMetrics, twoArgumentFunctions} from './formats/cModel.js'
import {decodeNpy} from './formats/npy.js'
import {parseTextTable} from './formats/textTable.js'
import {computeMetrics, type MultiplierMetrics} from './metrics.js'
import {tableSha256} from './metricsCache.js'
import {agreesAtPrintedPrecision} from './printedPrecision.js'
import {fileIsSigned, isValidMultiplierName} from './resolve.js'
import {userMultDir, type Env} from './searchPath.js'
import {readSidecarCost, UNKNOWN_COST, type HardwareCost, type MultiplierSidecar} from './sidecar.js'
import {decodeTable, encodeTable, isSignedTable, TABLE_FILE, type AnyProductTable} from './table.js'
import {INPUT_LIMITS, readInputFile} from '../inputFile.js'

export const AXQ_VERSION = '0.1.0'

export type ImportKind = 'c-model' | 'bin' | 'npy' | 'text'

export interface ImportOptions {
  /** Destination folder (default: the user folder $AXQ_HOME/mults). */
  to?: string
  /** Replace an existing multiplier of the same name. */
  force?: boolean
  /** Name to import as (default: the C function's name, else the file's name without extension). */
  name?: string
  /** C models: the function to evaluate. */
  function?: string
  /**
   * Signed (int16 products of operands −128..127) or unsigned. Default: a C model is signed when
   * its function or import name starts with mul8s_ or both parameters are int8_t/signed char; a
   * table file when its name starts with mul8s_ or the sidecar beside it says "signed": true.
   */
  signed?: boolean
  env?: Env
}

export interface HeaderDisagreement {
  metric: string
  header: string
  computed: number
}

export interface ImportResult {
  name: string
  kind: ImportKind
  file: string
  binFile: string
  jsonFile: string
  signed: boolean
  metrics: MultiplierMetrics
  cost: HardwareCost
  /** Header metrics that the computed table does not reproduce at the printed precision. */
  disagreements: HeaderDisagreement[]
  replaced: boolean
}

export function importKind(file: string): ImportKind {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.c' || ext === '.h') return 'c-model'
  if (ext === '.bin') return 'bin'
  if (ext === '.npy') return 'npy'
  if (['.txt', '.csv', '.tsv', '.tab', '.dat'].includes(ext)) return 'text'
  throw new AxqError(`${file}: unknown multiplier format '${ext || '(no extension)'}' (import .c, .bin, .npy, or a .txt/.csv 256×256 table)`, {subject: file})
}

/** Import one file: read, convert and check it, then write its table and sidecar (both or neither). */
export async function importMultiplier(file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const prepared = await prepareImport(file, options)
  writeFilesAtomic(prepared.files)
  return prepared.result
}

/** An import read, converted and checked, not yet written. */
export interface PreparedImport {
  result: ImportResult
  /** The table and its sidecar, for writeFilesAtomic. */
  files: {file: string; data: Uint8Array | string}[]
}

/**
 * Import several files all or nothing: every file is read, converted and checked first (any
 * failure writes nothing), then all tables and sidecars are written together.
 */
export async function importMultipliers(files: readonly string[], options: ImportOptions = {}): Promise<ImportResult[]> {
  const prepared: PreparedImport[] = []
  const names = new Set<string>()
  for (const file of files) {
    const p = await prepareImport(file, options)
    if (names.has(p.result.binFile)) throw new AxqError(`${file}: imports ${p.result.name} a second time in this command`, {subject: file})
    names.add(p.result.binFile)
    prepared.push(p)
  }
  writeFilesAtomic(prepared.flatMap((p) => p.files))
  return prepared.map((p) => p.result)
}

async function prepareImport(file: string, options: ImportOptions): Promise<PreparedImport> {
  const env = options.env ?? process.env
  const kind = importKind(file)
  const bytes = readInputFile(file, kind === 'bin' ? TABLE_FILE : {what: `multiplier (${kind})`, maxBytes: INPUT_LIMITS.importBytes})
  const stem = path.basename(file).replace(/\.[^.]*$/, '')
  let table: AnyProductTable
  let name = options.name
  let cost: HardwareCost = UNKNOWN_COST
  let header: Record<string, string> | undefined
  let fnName: string | undefined
  let compiler: string[] | undefined
  switch (kind) {
    case 'c-model': {
      const source = bytes.toString('utf8')
      const fn = chooseFunction(twoArgumentFunctions(source), file, options.function)
      fnName = fn.name
      name ??= fn.name
      checkDestination(name, options)
      const signed = cModelIsSigned(fn, name, options.signed)
      const compiled = await evaluateCModel(file, source, fn.name, env, EVALUATE_TIMEOUT_MS, signed ? fn : undefined)
      table = compiled.table
      compiler = compiled.compiler
      header = headerMetrics(source)
      cost = {
        powerMw: numberOrNull(header.PDK45_PWR),
        areaUm2: numberOrNull(header.PDK45_AREA),
        delayNs: numberOrNull(header.PDK45_DELAY),
      }
      break
    }
    case 'bin':
      table = decodeTable(bytes, file, options.signed ?? (fileIsSigned(file, stem) || (name ?? stem).startsWith('mul8s_')))
      cost = costBeside(file, stem)
      break
    case 'npy':
      table = decodeNpy(bytes, file, options.signed ?? (name ?? stem).startsWith('mul8s_'))
      cost = costBeside(file, stem)
      break
    case 'text':
      table = parseTextTable(bytes.toString('utf8'), file, options.signed ?? (name ?? stem).startsWith('mul8s_'))
      break
  }
  name ??= stem
  const {dir, binFile, jsonFile, exists} = checkDestination(name, options)
  const metrics = computeMetrics(table)
  const disagreements: HeaderDisagreement[] = []
  if (header) {
    for (const [key, field] of Object.entries(HEADER_METRICS)) {
      const printed = header[key]
      if (printed !== undefined && !agreesAtPrintedPrecision(metrics[field], printed)) disagreements.push({metric: key, header: printed, computed: metrics[field]})
    }
  }
  const sidecar: MultiplierSidecar = {
    format: 'axq-multiplier',
    version: 1,
    name,
    signed: isSignedTable(table),
    tableSha256: tableSha256(table),
    metrics,
    cost,
    provenance: {
      kind,
      file: path.resolve(file),
      fileSha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      ...(fnName ? {function: fnName} : {}),
      ...(compiler ? {compiler} : {}),
      importedAt: new Date().toISOString(),
      axqVersion: AXQ_VERSION,
    },
    ...(header && Object.keys(header).length > 0 ? {header: Object.fromEntries(Object.entries(header).map(([k, v]) => [k, Number(v)]))} : {}),
  }
  fs.mkdirSync(dir, {recursive: true})
  // Both files or neither: a table without its sidecar (or the reverse) is half an import.
  return {
    result: {name, kind, file, binFile, jsonFile, signed: isSignedTable(table), metrics, cost, disagreements, replaced: exists},
    files: [
      {file: binFile, data: encodeTable(table)},
      {file: jsonFile, data: JSON.stringify(sidecar, null, 2) + '\n'},
    ],
  }
}

function checkDestination(name: string, options: ImportOptions) {
  if (!isValidMultiplierName(name)) throw new AxqError(`'${name}' is not a valid multiplier name (letters, digits, '_', '.', '+', '-'); choose one with --name`, {subject: name})
  const dir = path.resolve(options.to ?? userMultDir(options.env ?? process.env))
  const binFile = path.join(dir, `${name}.bin`)
  const jsonFile = path.join(dir, `${name}.json`)
  const exists = fs.existsSync(binFile)
  if (exists && !options.force) throw new AxqError(`multiplier '${name}' already exists in ${dir} (use --force to replace it, or --name to import under another name)`, {subject: name})
  return {dir, binFile, jsonFile, exists}
}

/** Cost of an imported table from its own sidecar or a CSV in its folder. */
function costBeside(file: string, stem: string): HardwareCost {
  const dir = path.dirname(path.resolve(file))
  return readSidecarCost(path.join(dir, `${stem}.json`)) ?? folderCosts(dir).get(stem) ?? UNKNOWN_COST
}

function numberOrNull(text: string | undefined): number | null {
  return text === undefined || !Number.isFinite(Number(text)) ? null : Number(text)
}

