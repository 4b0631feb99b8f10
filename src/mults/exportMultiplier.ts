/** `axq mults export`: a resolved table in one of the formats axq can import again. */
import {AxqError} from '../errors.js'
import {encodeNpy} from './formats/npy.js'
import {formatTextTable} from './formats/textTable.js'
import {computeMetrics} from './metrics.js'
import type {ResolvedMultiplier} from './resolve.js'
import {encodeTable} from './table.js'

export const EXPORT_FORMATS = ['bin', 'json', 'csv', 'npy'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export function exportFormat(value: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(value)) throw new AxqError(`--format: unknown format '${value}' (one of ${EXPORT_FORMATS.join(', ')})`, {subject: '--format'})
  return value as ExportFormat
}

/**
 * bin: 65536 LE uint16 (int16 for signed tables); json: {name, source, signed, layout, metrics,
 * table: 256 rows}; csv: 256 rows of 256; npy: <u2 (<i2 for signed) (256, 256). Rows and columns
 * are in code order: for signed tables codes 0..127 are operands 0..127, 128..255 are −128..−1.
 */
export function exportMultiplier(m: ResolvedMultiplier, format: ExportFormat): Uint8Array | string {
  switch (format) {
    case 'bin':
      return encodeTable(m.table)
    case 'npy':
      return encodeNpy(m.table)
    case 'csv':
      return formatTextTable(m.table, ',')
    case 'json': {
      const rows: number[][] = []
      for (let a = 0; a < 256; a++) rows.push(Array.from(m.table.subarray(a * 256, a * 256 + 256)))
      const layout = m.signed ? 'table[a & 255][w & 255]: a = activation, w = weight, both −128..127 (two\'s-complement codes)' : 'table[a][w]: a = activation code, w = weight code'
      return JSON.stringify({name: m.name, source: m.source, signed: m.signed, layout, metrics: computeMetrics(m.table), table: rows}) + '\n'
    }
  }
}
