/** Stable ids for evaluation jobs: the SHA-256 of a canonical JSON form (keys sorted, no spaces). */
import crypto from 'node:crypto'

/** JSON with object keys sorted at every level, so equal values have equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  })
}

/** The id of a job's identity (what determines its result): 16 hex digits of the SHA-256. */
export function jobId(identity: unknown): string {
  return crypto.createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16)
}
