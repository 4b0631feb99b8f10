/**
 * The sidecar `<name>.json` written next to `<name>.bin` by `axq mults import`: metrics, hardware
 * cost and provenance. Only `cost` is read back when listing (metrics are always recomputed from
 * the table, or taken from the hash-keyed cache). Hand-written sidecars may give the cost as
 * `{"cost": {"powerMw": .., "areaUm2": .., "delayNs": ..}}` or with the CSV column names
 * (`power_mW`, `area_um2`, `delay_ns`), in `cost` or at the top level. `"signed": true` says the
 * .bin holds int16 products of signed operands (read whenever the table is loaded).
 */
import fs from 'node:fs'
import {AxqError} from '../errors.js'
import {INPUT_LIMITS, readInputFile} from '../inputFile.js'
import type {MultiplierMetrics} from './metrics.js'

export interface HardwareCost {
  powerMw: number | null
  areaUm2: number | null
  delayNs: number | null
}

export const UNKNOWN_COST: HardwareCost = Object.freeze({powerMw: null, areaUm2: null, delayNs: null})

export interface Provenance {
  /** What the table was made from: 'c-model' | 'bin' | 'npy' | 'text' | 'built-in'. */
  kind: string
  /** The imported file, as given. */
  file: string
  /** sha256 of the imported file's bytes. */
  fileSha256: string
  /** The C function evaluated, for C models. */
  function?: string
  /** The compiler command (argument array), for C models. */
  compiler?: string[]
  importedAt: string
  axqVersion: string
}

export interface MultiplierSidecar {
  format: 'axq-multiplier'
  version: 1
  name: string
  /** True when the .bin holds signed products (int16, operands −128..127). */
  signed: boolean
  /** sha256 of the .bin bytes this sidecar describes. */
  tableSha256: string
  metrics: MultiplierMetrics
  cost: HardwareCost
  provenance?: Provenance
  /** Metrics and cost as printed in the source's header comment, when it had one. */
  header?: Record<string, number>
}

const costKeys: Record<keyof HardwareCost, string[]> = {
  powerMw: ['powerMw', 'power_mW', 'power_mw', 'power'],
  areaUm2: ['areaUm2', 'area_um2', 'area'],
  delayNs: ['delayNs', 'delay_ns', 'delay'],
}

function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  return null
}

/** Cost fields from any object using one of the accepted key spellings. */
export function costFromRecord(record: Record<string, unknown>): HardwareCost {
  const cost: HardwareCost = {powerMw: null, areaUm2: null, delayNs: null}
  for (const field of Object.keys(costKeys) as (keyof HardwareCost)[]) {
    for (const key of costKeys[field]) {
      if (key in record) {
        cost[field] = numberOrNull(record[key])
        if (cost[field] !== null) break
      }
    }
  }
  return cost
}

/** The JSON object of a sidecar file, or undefined when there is no sidecar. */
export function readSidecarRecord(file: string): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) return undefined
  const text = readInputFile(file, {what: 'multiplier sidecar', maxBytes: INPUT_LIMITS.smallBytes}).toString('utf8')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new AxqError(`${file}: not valid JSON (${(error as Error).message})`, {subject: file})
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new AxqError(`${file}: a multiplier sidecar must be a JSON object`, {subject: file})
  return json as Record<string, unknown>
}

/** The hardware cost a sidecar file gives, or undefined when there is no sidecar. */
export function readSidecarCost(file: string): HardwareCost | undefined {
  const record = readSidecarRecord(file)
  if (!record) return undefined
  const nested = record.cost && typeof record.cost === 'object' ? costFromRecord(record.cost as Record<string, unknown>) : UNKNOWN_COST
  const flat = costFromRecord(record)
  return {
    powerMw: nested.powerMw ?? flat.powerMw,
    areaUm2: nested.areaUm2 ?? flat.areaUm2,
    delayNs: nested.delayNs ?? flat.delayNs,
  }
}

/** The sidecar's `signed` (true: the .bin holds int16 products), or undefined when it has none. */
export function readSidecarSigned(file: string): boolean | undefined {
  const record = readSidecarRecord(file)
  if (!record || !('signed' in record)) return undefined
  if (typeof record.signed !== 'boolean') throw new AxqError(`${file}: 'signed' must be true or false`, {subject: file})
  return record.signed
}
