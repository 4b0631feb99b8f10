/**
 * Plain-text product tables: 256 rows (activation code a) of 256 integers (weight code w),
 * separated by whitespace, commas or semicolons. Blank lines and lines starting with '#' are
 * ignored. This is also the CSV that `axq mults export --format csv` writes. Signed tables hold
 * −32768..32767, rows and columns in code order (0..127, then −128..−1).
 */
import {AxqError} from '../../errors.js'
import {emptyTable, type AnyProductTable} from '../table.js'

export function parseTextTable(text: string, file: string, signed = false): AnyProductTable {
  const rows = text.split(/\r?\n/).map((line, i) => ({line: line.trim(), no: i + 1})).filter((r) => r.line !== '' && !r.line.startsWith('#'))
  if (rows.length !== 256) throw new AxqError(`${file}: a text product table needs 256 rows of 256 integers, this file has ${rows.length} rows`, {subject: file})
  const table = emptyTable(signed)
  const [min, max] = signed ? [-32768, 32767] : [0, 65535]
  rows.forEach((row, a) => {
    const cells = row.line.split(/[\s,;]+/).filter((c) => c !== '')
    if (cells.length !== 256) throw new AxqError(`${file}:${row.no}: row ${a} has ${cells.length} values, need 256`, {subject: file})
    cells.forEach((cell, w) => {
      if (!/^[+-]?\d+$/.test(cell) || Number(cell) < min || Number(cell) > max) {
        const hint = !signed && /^-\d+$/.test(cell) ? ' (a signed table? import it with --signed)' : ''
        throw new AxqError(`${file}:${row.no}: T[${a}][${w}] = '${cell}' is not an integer in ${min}..${max}${hint}`, {subject: file})
      }
      table[a * 256 + w] = Number(cell)
    })
  })
  return table
}

export function formatTextTable(table: AnyProductTable, separator = ','): string {
  const lines: string[] = []
  for (let a = 0; a < 256; a++) lines.push(Array.from(table.subarray(a * 256, a * 256 + 256)).join(separator))
  return lines.join('\n') + '\n'
}
