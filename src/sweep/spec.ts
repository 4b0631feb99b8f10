/**
 * The SPEC of `axq sweep`: a YAML or JSON file listing what to evaluate. Every field takes one
 * value or a list; the sweep is the grid of all combinations (graphs × data × multipliers × layer
 * maps × tune). Relative paths are relative to the SPEC file's folder.
 *
 * ```yaml
 * graph: resnet_8_quant_ax.pb      # or graphs: [a.pb, b.pb]
 * data: test_first1000.bin
 * batchSize: 1000                  # default 1000
 * iterations: 1                    # default 1
 * multDirs: [axmult]               # folders searched first for <name>.bin tables
 * mults: ["mul8u_*", mul8u_1JFF, "family:drum8u"]   # names, globs, families
 * layerMults: [[], ["0=mul8u_L40", "conv2=mul8u_NGR"]]  # per-layer maps (infer's --layer-mult)
 * tune: [true, false]              # default false
 * ```
 */
import path from 'node:path'
import {parse as parseYaml, YAMLParseError} from 'yaml'
import {AxqError} from '../errors.js'
import {INPUT_LIMITS, readInputFile} from '../inputFile.js'

export interface SweepSpec {
  /** The SPEC file (as given) and its folder, against which relative paths were resolved. */
  file: string
  graphs: string[]
  data: string[]
  batchSize: number
  iterations: number
  multDirs: string[]
  /** Names, shell globs (`mul8u_*`) or `family:NAME`, expanded against the catalog later. */
  mults: string[]
  /** Each map is a list of `NODE=MULT` / `INDEX=MULT` overrides; `[]` is the uniform configuration. */
  layerMults: string[][]
  tune: boolean[]
  input?: string
  output?: string
}

const FIELDS = ['graph', 'graphs', 'data', 'batchSize', 'iterations', 'multDirs', 'mults', 'layerMults', 'tune', 'input', 'output'] as const

/** Read and validate a SPEC file. */
export function readSweepSpec(file: string): SweepSpec {
  return parseSweepSpec(readInputFile(file, {what: 'sweep spec', maxBytes: INPUT_LIMITS.smallBytes}).toString('utf8'), file)
}

/** Parse SPEC text (YAML, of which JSON is a subset); `file` names it in errors and anchors relative paths. */
export function parseSweepSpec(text: string, file: string): SweepSpec {
  let value: unknown
  try {
    value = parseYaml(text, {uniqueKeys: true})
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : ''
    const what = error instanceof Error ? error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') : String(error)
    throw new AxqError(`${file}${where}: not valid YAML or JSON: ${what}`, {subject: file})
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AxqError(`${file}: a sweep spec is a mapping of fields (graph, data, mults, tune, …)`, {subject: file})
  }
  const spec = value as Record<string, unknown>
  const fail = (field: string, message: string): never => {
    throw new AxqError(`${file}: field '${field}' ${message}`, {subject: file})
  }
  for (const key of Object.keys(spec)) {
    if (!(FIELDS as readonly string[]).includes(key)) fail(key, `is unknown (fields: ${FIELDS.join(', ')})`)
  }
  const dir = path.dirname(path.resolve(file))
  const strings = (field: string, required: boolean): string[] => {
    const raw = spec[field]
    if (raw === undefined || raw === null) {
      if (required) fail(field, 'is missing')
      return []
    }
    const list = Array.isArray(raw) ? raw : [raw]
    if (required && list.length === 0) fail(field, 'is an empty list')
    return list.map((item, i) => {
      if (typeof item !== 'string' || item.trim() === '') fail(field, `must be a string or a list of strings (item ${i + 1} is ${JSON.stringify(item)})`)
      return (item as string).trim()
    })
  }
  const positive = (field: string, fallback: number): number => {
    const raw = spec[field]
    if (raw === undefined) return fallback
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) fail(field, `must be a positive integer (got ${JSON.stringify(raw)})`)
    return raw as number
  }
  const single = (field: string): string | undefined => {
    const raw = spec[field]
    if (raw === undefined) return undefined
    if (typeof raw !== 'string' || raw === '') fail(field, `must be a node name (got ${JSON.stringify(raw)})`)
    return raw as string
  }

  if (spec.graph !== undefined && spec.graphs !== undefined) fail('graphs', "and 'graph' are both given: use one")
  const graphs = strings(spec.graphs !== undefined ? 'graphs' : 'graph', true).map((p) => path.resolve(dir, p))
  const data = strings('data', true).map((p) => path.resolve(dir, p))
  const multDirs = strings('multDirs', false).map((p) => path.resolve(dir, p))

  let layerMults: string[][] = [[]]
  if (spec.layerMults !== undefined) {
    const raw = spec.layerMults
    if (!Array.isArray(raw) || raw.length === 0) fail('layerMults', 'must be a non-empty list of layer maps (each a list of NODE=MULT)')
    layerMults = (raw as unknown[]).map((map, i) => {
      const entries = Array.isArray(map) ? map : typeof map === 'object' && map !== null ? Object.entries(map).map(([k, v]) => `${k}=${String(v)}`) : [map]
      return entries.map((entry) => {
        if (typeof entry !== 'string' || !/^[^=]+=[^=]+$/.test(entry)) fail('layerMults', `map ${i + 1}: '${String(entry)}' is not NODE=MULT or INDEX=MULT`)
        return entry as string
      })
    })
  }
  const mults = strings('mults', spec.layerMults === undefined)

  let tune = [false]
  if (spec.tune !== undefined) {
    const list = Array.isArray(spec.tune) ? spec.tune : [spec.tune]
    if (list.length === 0 || list.some((v) => typeof v !== 'boolean')) fail('tune', `must be true, false or a list of them (got ${JSON.stringify(spec.tune)})`)
    tune = [...new Set(list as boolean[])]
  }
  return {
    file,
    graphs: [...new Set(graphs)],
    data: [...new Set(data)],
    batchSize: positive('batchSize', 1000),
    iterations: positive('iterations', 1),
    multDirs,
    mults: mults.length > 0 ? [...new Set(mults)] : [],
    layerMults,
    tune,
    input: single('input'),
    output: single('output'),
  }
}
