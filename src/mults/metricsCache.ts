/**
 * Metrics cached on disk under $AXQ_HOME/cache/metrics-v1/<sha256 of the table bytes>.json. The
 * key is the table's content, so a cached entry can never be stale; the folder name carries the
 * metric definitions' version. An unreadable or unwritable cache is silently skipped.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {writeFileAtomic} from '../atomicWrite.js'
import {computeMetrics, type MultiplierMetrics} from './metrics.js'
import {axqHome, type Env} from './searchPath.js'
import {encodeTable, isSignedTable, type AnyProductTable} from './table.js'

const METRICS_VERSION = 'metrics-v1'
const metricKeys: (keyof MultiplierMetrics)[] = ['mae', 'maePct', 'wce', 'wcePct', 'wcrePct', 'epPct', 'mrePct', 'mse', 'meanError']

export function tableSha256(table: AnyProductTable): string {
  return crypto.createHash('sha256').update(encodeTable(table)).digest('hex')
}

export function metricsCacheDir(env: Env = process.env): string {
  return path.join(axqHome(env), 'cache', METRICS_VERSION)
}

const memory = new Map<string, MultiplierMetrics>()

/** Metrics of a table, from memory, the disk cache, or computed (and then cached). */
export function cachedMetrics(table: AnyProductTable, options: {env?: Env; sha256?: string} = {}): MultiplierMetrics {
  // The same bytes read as int16 have other metrics: signed tables get their own key.
  const sha = (options.sha256 ?? tableSha256(table)) + (isSignedTable(table) ? '-signed' : '')
  const hit = memory.get(sha)
  if (hit) return hit
  const file = path.join(metricsCacheDir(options.env), `${sha}.json`)
  let metrics = readCached(file)
  if (!metrics) {
    metrics = computeMetrics(table)
    try {
      fs.mkdirSync(path.dirname(file), {recursive: true})
      writeFileAtomic(file, JSON.stringify(metrics) + '\n')
    } catch {
      // A read-only home must not stop listing.
    }
  }
  memory.set(sha, metrics)
  return metrics
}

function readCached(file: string): MultiplierMetrics | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
    for (const k of metricKeys) if (typeof json[k] !== 'number') return undefined
    return json as unknown as MultiplierMetrics
  } catch {
    return undefined
  }
}

/** For tests: forget the in-memory layer. */
export function clearMetricsMemory(): void {
  memory.clear()
}
