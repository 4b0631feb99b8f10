/**
 * The EvoApproxLib multipliers built into axq: 36 unsigned `mul8u_*` and 24 signed `mul8s_*`
 * product tables, with the metrics and 45 nm cost printed in their C models' headers. The data
 * (axmult/evoapprox/) is built by scripts/build-evoapprox-library.js; see that script for the
 * layouts. Tables are decoded on first use, checked against the SHA-256 of the original .bin,
 * and kept in memory (treat them as read-only).
 *
 * Unsigned tables are Uint16Array with entry a*256 + w (a the activation code); signed tables are
 * Int16Array with entry (a & 255)*256 + (w & 255) for a, w in −128..127.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import {fileURLToPath} from 'node:url'
import zlib from 'node:zlib'

export interface EvoApproxCost {
  /** Power at 45 nm (PDK45), mW. */
  powerMw: number
  areaUm2: number
  delayNs: number
}

export interface EvoApproxEntry {
  name: string
  signed: boolean
  /** 'mul8u' or 'mul8s'. */
  family: string
  /** The first name (in name order) with a byte-identical table, or null. */
  sameTableAs: string | null
  /** SHA-256 of the table's .bin bytes (little-endian 16-bit words). */
  sha256: string
  /** Published metrics as printed (CSV columns mae_pct, mae, wce_pct, wce, wcre_pct, ep_pct, mre_pct, mse). */
  published: Readonly<Record<string, string>>
  cost: EvoApproxCost
}

interface StoredEntry extends EvoApproxEntry {
  file: string
  layout: 'raw' | 'raw-planes' | 'delta' | 'delta-planes'
}

/** The folder holding library.json and the compressed tables (axmult/evoapprox from dist/axmult or axmult). */
export function evoapproxDataDir(): string {
  const candidates = ['evoapprox/', '../../axmult/evoapprox/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  const dir = candidates.find((d) => fs.existsSync(d + 'library.json'))
  if (!dir) throw new Error(`axq's built-in multiplier library is missing (no library.json in ${candidates.join(' or ')}); reinstall axq`)
  return dir
}

let entries: Map<string, StoredEntry> | undefined
const tables = new Map<string, Uint16Array | Int16Array>()

function library(): Map<string, StoredEntry> {
  if (!entries) {
    const json = JSON.parse(fs.readFileSync(evoapproxDataDir() + 'library.json', 'utf8')) as {format: string; version: number; entries: Omit<StoredEntry, 'family'>[]}
    if (json.format !== 'axq-evoapprox-library' || json.version !== 1) throw new Error('axmult/evoapprox/library.json: unknown format')
    entries = new Map(json.entries.map((e) => [e.name, {...e, family: e.signed ? 'mul8s' : 'mul8u'}]))
  }
  return entries
}

/** Every built-in EvoApproxLib name, unsigned first, each group in name order. */
export function evoapproxNames(): string[] {
  return [...library().keys()]
}

/** Name, signedness, published metrics and cost; undefined for names not in the library. */
export function evoapproxEntry(name: string): EvoApproxEntry | undefined {
  const e = library().get(name)
  if (!e) return undefined
  const {file: _file, layout: _layout, ...entry} = e
  return entry
}

function unplane(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length)
  const half = bytes.length / 2
  for (let i = 0; i < half; i++) {
    out[2 * i] = bytes[i]
    out[2 * i + 1] = bytes[half + i]
  }
  return out
}

function decode(e: StoredEntry): Uint16Array | Int16Array {
  const packed = fs.readFileSync(evoapproxDataDir() + e.file)
  let bytes: Uint8Array = zlib.brotliDecompressSync(packed)
  if (bytes.length !== 131072) throw new Error(`axmult/evoapprox/${e.file}: ${bytes.length} bytes after decompression, expected 131072`)
  if (e.layout.endsWith('-planes')) bytes = unplane(bytes)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const words = new Uint16Array(65536)
  for (let i = 0; i < 65536; i++) words[i] = view.getUint16(2 * i, true)
  if (e.layout.startsWith('delta')) {
    for (let i = 0; i < 65536; i++) {
      const a = e.signed ? ((i >> 8) << 24) >> 24 : i >> 8
      const w = e.signed ? ((i & 255) << 24) >> 24 : i & 255
      words[i] = (words[i] + a * w) & 0xffff
    }
  }
  const le = new Uint8Array(131072)
  const out = new DataView(le.buffer)
  for (let i = 0; i < 65536; i++) out.setUint16(2 * i, words[i], true)
  const sha = crypto.createHash('sha256').update(le).digest('hex')
  if (sha !== e.sha256) throw new Error(`axmult/evoapprox/${e.file}: the decoded table of ${e.name} does not match its recorded SHA-256; reinstall axq`)
  return e.signed ? new Int16Array(words.buffer) : words
}

/** The product table of a built-in EvoApproxLib name, or undefined. */
export function evoapproxTable(name: string): Uint16Array | Int16Array | undefined {
  const e = library().get(name)
  if (!e) return undefined
  let table = tables.get(e.file)
  if (!table) {
    table = decode(e)
    tables.set(e.file, table)
  }
  return table
}
