/**
 * `axq sweep --summary`: the results as a table (grid order) and a picture of accuracy against
 * relative multiplication power, one series per tune setting.
 */
import path from 'node:path'
import {lineChart, type Series} from '../plot/chart.js'
import type {Figure} from '../plot/figure.js'
import type {ResultLine} from './resultsFile.js'

export function formatSummaryTable(lines: readonly ResultLine[]): string {
  const several = (f: (l: ResultLine) => string) => new Set(lines.map(f)).size > 1
  const showGraph = several((l) => l.graph)
  const showData = several((l) => l.data)
  const showMap = lines.some((l) => l.layerMults.length > 0)
  const header = [
    ...(showGraph ? ['graph'] : []),
    ...(showData ? ['data'] : []),
    'multiplier',
    ...(showMap ? ['layers'] : []),
    'tune',
    'accuracy',
    '95% CI',
    'rel. power',
  ]
  const right = header.map((h) => ['accuracy', '95% CI', 'rel. power'].includes(h))
  const body = lines.map((l) => [
    ...(showGraph ? [path.basename(l.graph)] : []),
    ...(showData ? [path.basename(l.data)] : []),
    l.mult,
    ...(showMap ? [l.layerMults.join(' ') || '-'] : []),
    l.tune ? 'yes' : 'no',
    l.accuracy.toFixed(3),
    l.ci95 ? `${l.ci95[0].toFixed(3)}–${l.ci95[1].toFixed(3)}` : '-',
    l.relativePower === undefined ? '-' : l.relativePower.toFixed(3),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)))
  const row = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()
  return [row(header), row(widths.map((w) => '-'.repeat(w))), ...body.map(row)].join('\n')
}

/** Accuracy against relative power; lines without a known power are left out (the caller says how many). */
export function summaryFigure(lines: readonly ResultLine[], title: string): Figure {
  const series: Series[] = []
  for (const tune of [false, true]) {
    const rows = lines.filter((l) => l.tune === tune && l.relativePower !== undefined)
      .sort((a, b) => a.relativePower! - b.relativePower! || a.mult.localeCompare(b.mult))
    if (rows.length === 0) continue
    series.push({
      label: tune ? 'weight tuning' : 'no tuning',
      points: rows.map((l) => [l.relativePower!, l.accuracy]),
      line: false,
      color: tune ? '#4e79a7' : '#e15759',
    })
  }
  return lineChart({
    title,
    xLabel: 'relative multiplication power',
    yLabel: 'top-1 accuracy',
    series,
    legend: 'bottom-right',
  })
}
