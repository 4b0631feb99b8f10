/** How a search result is shown: a table of the front and a plot of accuracy against relative power. */
import {lineChart, type Series} from '../plot/chart.js'
import type {Figure} from '../plot/figure.js'
import type {SearchResult} from './layerSearch.js'

const pct = (v: number) => (100 * v).toFixed(1)
export const formatAccuracy = (a: number, ci: [number, number]) => `${pct(a)} [${pct(ci[0])}, ${pct(ci[1])}]`

/** The Pareto front, lowest power first; `≈` marks points not significantly below/above the exact multiplier. */
export function searchTable(r: SearchResult): string {
  const hasTest = r.front.some((p) => p.testAccuracy !== undefined)
  const header = ['power %', 'accuracy % [95% CI]', ...(hasTest ? ['test % [95% CI]'] : []), '≈exact', 'tiles', 'layer multipliers (layer 0, 1, …)']
  const rows = r.front.map((p) => [
    pct(p.relativePower),
    formatAccuracy(p.accuracy, p.ci95),
    ...(hasTest ? [p.testAccuracy !== undefined ? formatAccuracy(p.testAccuracy, p.testCi95!) : ''] : []),
    p.sameAsExact ? '≈' : '',
    p.tiles.join(' '),
    p.layerMults.map((l) => l.slice(l.indexOf('=') + 1)).join(' '),
  ])
  const exactRow = ['100.0', formatAccuracy(r.exact.accuracy, r.exact.ci95), ...(hasTest ? [r.exact.testAccuracy !== undefined ? formatAccuracy(r.exact.testAccuracy, r.exact.testCi95!) : ''] : []), '', r.exact.mult, '(exact everywhere)']
  const all = [header, ...rows, exactRow]
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)))
  const line = (row: string[]) => row.map((c, i) => (i < header.length - 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()
  const lines = [line(header), ...rows.map(line), line(exactRow)]
  lines.push(
    '',
    `${r.front.length} front points, ${r.evaluations} search evaluations${r.uniformEvaluations ? ` + ${r.uniformEvaluations} one-multiplier points` : ''}${r.testEvaluations ? ` + ${r.testEvaluations} on the test data` : ''}, ${r.seconds.toFixed(0)} s; ` +
      `≈exact: not significantly different from ${r.exact.mult} (exact McNemar, p ≥ 0.05, ${hasTest ? 'test' : 'search'} images)`,
  )
  return lines.join('\n')
}

/** Accuracy (test accuracy when there is test data) against relative power: the front, the uniform multipliers, the exact one. */
export function searchFigure(r: SearchResult, title: string): Figure {
  const test = r.front.length > 0 && r.front.every((p) => p.testAccuracy !== undefined)
  const acc = (p: {accuracy: number; testAccuracy?: number}) => (test ? p.testAccuracy! : p.accuracy)
  const series: Series[] = [{label: `Pareto front (${r.settings.tiles} tiles)`, points: r.front.map((p) => [p.relativePower, acc(p)]), color: '#4e79a7'}]
  if (r.uniform.length > 0) {
    const uniform = [...r.uniform].sort((a, b) => a.relativePower - b.relativePower)
    series.push({label: 'one multiplier everywhere', points: uniform.map((u) => [u.relativePower, acc(u)]), line: false, color: '#e15759'})
  }
  series.push({label: `exact (${r.exact.mult})`, points: [[r.exact.relativePower, acc(r.exact)]], line: false, color: '#59a14f'})
  return lineChart({
    title,
    xLabel: 'relative multiplication power',
    yLabel: test ? 'top-1 accuracy (test data)' : 'top-1 accuracy (search data)',
    series,
    xDomain: [0, 1.05],
    yDomain: [0, 1],
    legend: 'bottom-right',
  })
}
