/** The human-readable `axq list-mults` table, coloured when a Chalk instance with colour is given. */
import os from 'node:os'
import path from 'node:path'
import type {ChalkInstance} from 'chalk'
import type {CatalogEntry} from './catalog.js'

/** Numbers as EvoApproxLib prints them: two significant digits below 1, two decimals up to 1000. */
export function formatMetric(x: number | null): string {
  if (x === null) return '–'
  if (x === 0) return '0'
  const abs = Math.abs(x)
  if (abs >= 1e7) return x.toExponential(2)
  if (abs >= 1000) return Math.round(x).toString()
  if (abs >= 1) return x.toFixed(2)
  return x.toPrecision(2)
}

/** Hardware cost as published (at most four significant digits, no padding zeros): 0.386, 674.9, 0.0085. */
export function formatCost(x: number | null): string {
  return x === null ? '–' : String(Number(x.toPrecision(4)))
}

export function displaySource(entry: CatalogEntry, cwd = process.cwd()): string {
  if (entry.origin === 'built-in') return 'built-in'
  const dir = path.dirname(entry.source)
  const rel = path.relative(cwd, dir) || '.'
  const home = os.homedir()
  const tilde = dir.startsWith(home + path.sep) ? '~' + dir.slice(home.length) : dir
  return [rel, tilde].sort((a, b) => a.length - b.length)[0]
}

interface Column {
  title: string
  cell: (e: CatalogEntry) => string
  align: 'left' | 'right'
  colour?: (e: CatalogEntry, c: ChalkInstance, text: string) => string
}

function errorColour(pct: number, c: ChalkInstance, text: string): string {
  if (pct === 0) return c.green(text)
  if (pct < 0.1) return c.greenBright(text)
  if (pct < 1) return c.yellow(text)
  return c.red(text)
}

const columns: Column[] = [
  {title: 'name', cell: (e) => e.name, align: 'left', colour: (_e, c, t) => c.bold(t)},
  {title: 'kind', cell: (e) => (e.signed ? 'signed' : 'unsigned'), align: 'left', colour: (e, c, t) => (e.signed ? c.magenta(t) : t)},
  {title: 'MAE%', cell: (e) => formatMetric(e.maePct), align: 'right', colour: (e, c, t) => errorColour(e.maePct, c, t)},
  {title: 'MAE', cell: (e) => formatMetric(e.mae), align: 'right'},
  {title: 'WCE%', cell: (e) => formatMetric(e.wcePct), align: 'right', colour: (e, c, t) => errorColour(e.wcePct / 10, c, t)},
  {title: 'WCRE%', cell: (e) => formatMetric(e.wcrePct), align: 'right'},
  {title: 'EP%', cell: (e) => formatMetric(e.epPct), align: 'right'},
  {title: 'MRE%', cell: (e) => formatMetric(e.mrePct), align: 'right'},
  {title: 'MSE', cell: (e) => formatMetric(e.mse), align: 'right'},
  {title: 'bias', cell: (e) => formatMetric(e.meanError), align: 'right'},
  {title: 'mW', cell: (e) => formatCost(e.powerMw), align: 'right', colour: (e, c, t) => (e.powerMw === null ? c.dim(t) : c.cyan(t))},
  {title: 'µm²', cell: (e) => formatCost(e.areaUm2), align: 'right', colour: (e, c, t) => (e.areaUm2 === null ? c.dim(t) : t)},
  {title: 'ns', cell: (e) => formatCost(e.delayNs), align: 'right', colour: (e, c, t) => (e.delayNs === null ? c.dim(t) : t)},
  {title: 'source', cell: (e) => displaySource(e), align: 'left', colour: (_e, c, t) => c.dim(t)},
]

export function renderCatalogTable(entries: CatalogEntry[], chalk: ChalkInstance): string {
  const cells = entries.map((e) => columns.map((col) => col.cell(e)))
  const widths = columns.map((col, j) => Math.max(col.title.length, ...cells.map((r) => r[j].length)))
  const pad = (text: string, j: number) => (columns[j].align === 'left' ? text.padEnd(widths[j]) : text.padStart(widths[j]))
  const lines = [columns.map((col, j) => chalk.underline(pad(col.title, j))).join('  ').trimEnd()]
  entries.forEach((e, i) => {
    lines.push(columns.map((col, j) => {
      const text = pad(cells[i][j], j)
      return col.colour && chalk.level > 0 ? col.colour(e, chalk, text) : text
    }).join('  ').trimEnd())
  })
  return lines.join('\n')
}
