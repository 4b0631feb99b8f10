/** The demo's result as a text table (stdout of `axq demo`). */
import type {DemoResult} from './demoPipeline.js'

function pad(text: string, width: number, right: boolean): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

export function formatDemoTable(result: DemoResult): string {
  const header = ['multiplier', 'MAE%', 'tuned', 'accuracy', 'images/s']
  const rightAligned = [false, true, false, true, true]
  const body = result.rows.map((r) => [
    r.mult,
    r.maePct === null ? '-' : r.maePct.toFixed(4),
    r.tune === null ? '-' : r.tune ? 'yes' : 'no',
    r.accuracy.toFixed(3),
    r.imagesPerSecond.toFixed(0),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], rightAligned[i])).join('  ').trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}
