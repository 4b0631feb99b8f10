/**
 * The demo's picture: accuracy against the multiplier's MAE%, one point per multiplier, without
 * and with weight tuning as two series, the float model's accuracy as a dashed line. Drawn with
 * src/plot, so the file may be .png or .svg.
 */
import {lineChart, type Series} from '../plot/chart.js'
import type {Figure} from '../plot/figure.js'
import {saveFigure} from '../plot/saveFigure.js'
import type {DemoResult, DemoRow} from './demoPipeline.js'

export function accuracyFigure(result: DemoResult): Figure {
  const quantized = result.rows.filter((r) => r.maePct !== null)
  const float = result.rows.find((r) => r.maePct === null)
  const byMae = (rows: DemoRow[]) => [...rows].sort((a, b) => a.maePct! - b.maePct! || a.mult.localeCompare(b.mult))
  // the exact multiplier runs once: it belongs to both series (tuning an exact table changes nothing)
  const untuned = byMae(quantized.filter((r) => r.tune === false))
  const tuned = byMae(quantized.filter((r) => r.tune === true || r.maePct === 0))
  const maxMae = Math.max(0.1, ...quantized.map((r) => r.maePct!))
  const lowest = Math.min(...result.rows.map((r) => r.accuracy))
  const xDomain: [number, number] = [0, maxMae * 1.08]
  const yDomain: [number, number] = [Math.max(0, Math.floor(lowest * 10) / 10 - 0.05), 1]
  const series: Series[] = [
    {label: 'no tuning', points: untuned.map((r) => [r.maePct!, r.accuracy]), line: false, color: '#e15759', pointLabels: pointLabels(untuned, xDomain, yDomain)},
    {label: 'weight tuning', points: tuned.map((r) => [r.maePct!, r.accuracy]), line: false, color: '#4e79a7'},
  ]
  if (float) {
    series.push({label: `float (${float.accuracy.toFixed(3)})`, points: [[xDomain[0], float.accuracy], [xDomain[1], float.accuracy]], markers: false, dash: [6, 4], color: '#888888'})
  }
  return lineChart({
    title: `axq demo: accuracy vs multiplier error, ${result.count} images`,
    xLabel: 'multiplier MAE (% of 65535)',
    yLabel: 'top-1 accuracy',
    series,
    xDomain,
    yDomain,
    legend: 'bottom-left',
  })
}

/**
 * Multiplier names next to the points; points closer than 4% of the axes to an already labelled
 * one share its label ("a, b") instead of printing over it.
 */
export function pointLabels(rows: DemoRow[], xDomain: [number, number], yDomain: [number, number]): string[] {
  const labels = rows.map(() => '')
  const near = (a: DemoRow, b: DemoRow) =>
    Math.abs(a.maePct! - b.maePct!) < 0.04 * (xDomain[1] - xDomain[0]) && Math.abs(a.accuracy - b.accuracy) < 0.04 * (yDomain[1] - yDomain[0])
  const owner: number[] = []
  rows.forEach((row, i) => {
    const j = owner.find((k) => near(rows[k], row))
    if (j === undefined) {
      owner.push(i)
      labels[i] = row.mult
    } else labels[j] += `, ${row.mult}`
  })
  return labels
}

/** Write the figure as .png or .svg, by the file's extension (atomically). */
export async function saveAccuracyPlot(result: DemoResult, file: string): Promise<void> {
  await saveFigure(accuracyFigure(result), file)
}
