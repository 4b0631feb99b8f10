/** `axq sensitivity` output: a layer × multiplier table and a heat map of the accuracies. */
import {drawColorBar} from '../plot/chart.js'
import {sequentialViridis, toHex} from '../plot/color.js'
import {Figure, textWidth} from '../plot/figure.js'
import type {SensitivityResult} from './sensitivity.js'

const pct = (v: number) => (100 * v).toFixed(1)

/** One row per layer, one column per multiplier: accuracy %; the 95 % interval below the table for the exact run. */
export function sensitivityTable(r: SensitivityResult): string {
  const short = (name: string) => name.replace(/^mul8u_/, '')
  const header = ['layer', 'MACs/image', ...r.mults.map((m) => short(m.name))]
  const rows = r.layers.map((l, i) => [String(i), l.macs.toLocaleString('en-US'), ...r.cells[i].map((c) => pct(c.accuracy))])
  const power = ['power', '', ...r.mults.map((m) => m.powerMw.toFixed(3))]
  const all = [header, power, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)))
  const line = (row: string[]) => row.map((c, i) => c.padStart(widths[i])).join(' ').trimEnd()
  const halfWidth = Math.max(...r.cells.flat().map((c) => (c.ci95[1] - c.ci95[0]) / 2))
  return [
    `accuracy % with one layer approximate (the others exact), ${r.images} images; exact everywhere: ${pct(r.exact.accuracy)} [${pct(r.exact.ci95[0])}, ${pct(r.exact.ci95[1])}]`,
    line(header),
    line(power),
    ...rows.map(line),
    `95% intervals (Wilson) are at most ±${pct(halfWidth)} points; power in mW; layers: ${r.layers.map((l, i) => `${i}=${l.name}`).join(', ')}`,
  ].join('\n')
}

/** Heat map: layers down, multipliers across (by decreasing power), colour = accuracy. */
export function sensitivityFigure(r: SensitivityResult, title: string): Figure {
  const order = r.mults.map((_, k) => k).sort((a, b) => r.mults[b].powerMw - r.mults[a].powerMw || a - b)
  const cell = 22
  const top = 60
  const names = order.map((k) => r.mults[k].name.replace(/^mul8u_/, ''))
  const gridW = order.length * cell
  const gridH = r.layers.length * cell
  const barH = Math.max(80, gridH)
  // layer labels (90) + grid + colour bar with its ticks (120), centred under a wider title
  const width = Math.ceil(Math.max(90 + gridW + 120, textWidth(title, 16, true) + 40))
  const left = 90 + Math.floor((width - (90 + gridW + 120)) / 2)
  const xLabel = 'multiplier (by decreasing power)'
  const xLabelY = top + gridH + 6 + Math.max(0, ...names.map((name) => textWidth(name, 12))) + 12
  const height = Math.ceil(Math.max(xLabelY + 13 + 14, top + barH + 24))
  const fig = new Figure(width, height)
  fig.text(width / 2, 20, title, {size: 16, anchor: 'middle', baseline: 'top', bold: true})
  const lo = Math.min(...r.cells.flat().map((c) => c.accuracy), r.exact.accuracy)
  const hi = Math.max(...r.cells.flat().map((c) => c.accuracy), r.exact.accuracy)
  const domain: [number, number] = [Math.floor(lo * 10) / 10, Math.max(Math.ceil(hi * 10) / 10, Math.floor(lo * 10) / 10 + 0.1)]
  const color = (v: number) => sequentialViridis((v - domain[0]) / (domain[1] - domain[0]))
  r.layers.forEach((_, l) => {
    fig.text(left - 8, top + l * cell + cell / 2, `layer ${l}`, {size: 12, anchor: 'end', baseline: 'middle'})
    order.forEach((k, j) => fig.rect(left + j * cell, top + l * cell, cell, cell, {fill: toHex(color(r.cells[l][k].accuracy))}))
  })
  names.forEach((name, j) => fig.text(left + j * cell + cell / 2, top + gridH + 6, name, {size: 12, anchor: 'end', baseline: 'middle', rotate: -90}))
  fig.rect(left, top, gridW, gridH, {stroke: '#333333'})
  fig.text(Math.max(left + gridW / 2, textWidth(xLabel, 13) / 2 + 8), xLabelY, xLabel, {size: 13, anchor: 'middle', baseline: 'top'})
  drawColorBar(fig, {x: left + gridW + 24, y: top, w: 16, h: barH, color, domain, label: 'accuracy', fontSize: 12})
  return fig
}
