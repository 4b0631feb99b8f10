#!/usr/bin/env node
/**
 * Builds axq's built-in EvoApproxLib library (axmult/evoapprox/) from the ground-truth tables:
 *   ../shared/axmult/mul8u_*.bin          65,536 LE uint16, entry a*256 + w
 *   ../shared/axmult-signed/mul8s_*.bin   65,536 LE int16, entry (a & 255)*256 + (w & 255)
 * and the two published-metrics CSVs beside them. Usage (from the repository root):
 *   node scripts/build-evoapprox-library.js [SHARED_DIR]     (default: $AXQ_SHARED or ../shared)
 *
 * Each distinct table is stored once, brotli-compressed, in whichever of four byte layouts
 * compresses smallest: the table itself or its error against the exact product (16-bit deltas
 * modulo 2^16, so value = (exact + delta) mod 2^16, read back as uint16 or int16),
 * each either as little-endian 16-bit words ('raw', 'delta') or split into a plane of low bytes
 * followed by a plane of high bytes ('raw-planes', 'delta-planes'). Names whose tables are
 * byte-identical share one file. library.json lists every name with its signedness, file,
 * layout, the SHA-256 of the original .bin, the published metrics as printed and the 45 nm cost.
 * axq reads only these committed files, never ../shared.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const sharedDir = path.resolve(process.argv[2] ?? process.env.AXQ_SHARED ?? path.join(root, '..', 'shared'))
const outDir = path.join(root, 'axmult', 'evoapprox')
const SOURCES = [
  {dir: 'axmult', csv: 'evoapprox-published-metrics.csv', signed: false, prefix: 'mul8u_'},
  {dir: 'axmult-signed', csv: 'evoapprox-signed-metrics.csv', signed: true, prefix: 'mul8s_'},
]
const METRIC_COLUMNS = ['mae_pct', 'mae', 'wce_pct', 'wce', 'wcre_pct', 'ep_pct', 'mre_pct', 'mse']
const BROTLI = {params: {[zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 22}}

const operand = (code, signed) => (signed ? (code << 24) >> 24 : code)

function planes(bytes) {
  const out = Buffer.alloc(bytes.length)
  const half = bytes.length / 2
  for (let i = 0; i < half; i++) {
    out[i] = bytes[2 * i]
    out[half + i] = bytes[2 * i + 1]
  }
  return out
}

function deltas(bytes, signed) {
  const out = Buffer.alloc(bytes.length)
  for (let i = 0; i < 65536; i++) {
    const value = signed ? bytes.readInt16LE(2 * i) : bytes.readUInt16LE(2 * i)
    out.writeUInt16LE((value - operand(i >> 8, signed) * operand(i & 255, signed)) & 0xffff, 2 * i)
  }
  return out
}

function readCsv(file) {
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/)
  const header = lines[0].split(',')
  return lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i], cell.trim()])))
}

// Replace the generated files only (LICENSE.md stays).
fs.mkdirSync(outDir, {recursive: true})
for (const f of fs.readdirSync(outDir)) if (f.endsWith('.br') || f === 'library.json') fs.rmSync(path.join(outDir, f))
const entries = []
const fileOfSha = new Map()
let stored = 0
for (const source of SOURCES) {
  const rows = new Map(readCsv(path.join(sharedDir, source.dir, source.csv)).map((r) => [r.name, r]))
  const names = fs.readdirSync(path.join(sharedDir, source.dir)).filter((f) => f.startsWith(source.prefix) && f.endsWith('.bin')).map((f) => f.slice(0, -4)).sort()
  for (const name of names) {
    const bytes = fs.readFileSync(path.join(sharedDir, source.dir, `${name}.bin`))
    if (bytes.length !== 131072) throw new Error(`${name}.bin: ${bytes.length} bytes`)
    const row = rows.get(name)
    if (!row) throw new Error(`${name}: not in ${source.csv}`)
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex')
    let shared = fileOfSha.get(sha256)
    if (!shared) {
      const delta = deltas(bytes, source.signed)
      const candidates = {raw: bytes, 'raw-planes': planes(bytes), delta, 'delta-planes': planes(delta)}
      let best
      for (const [layout, data] of Object.entries(candidates)) {
        const packed = zlib.brotliCompressSync(data, BROTLI)
        if (!best || packed.length < best.packed.length) best = {layout, packed}
      }
      shared = {file: `${name}.br`, layout: best.layout, aliasOf: null}
      fs.writeFileSync(path.join(outDir, shared.file), best.packed)
      stored += best.packed.length
      fileOfSha.set(sha256, {...shared, aliasOf: name})
      shared.aliasOf = null
    }
    entries.push({
      name,
      signed: source.signed,
      file: shared.file,
      layout: shared.layout,
      sameTableAs: shared.aliasOf,
      sha256,
      published: Object.fromEntries(METRIC_COLUMNS.map((c) => [c, row[c]])),
      cost: {powerMw: Number(row.power_mW), areaUm2: Number(row.area_um2), delayNs: Number(row.delay_ns)},
    })
  }
}
const library = {
  format: 'axq-evoapprox-library',
  version: 1,
  source: 'EvoApproxLib (https://github.com/ehw-fit/evoapproxlib), tables from its C models, metrics and 45 nm cost as printed in their headers',
  entries,
}
fs.writeFileSync(path.join(outDir, 'library.json'), JSON.stringify(library, null, 1) + '\n')
console.log(`${entries.length} multipliers, ${fileOfSha.size} distinct tables, ${stored} bytes of compressed tables in ${path.relative(root, outDir)}`)
