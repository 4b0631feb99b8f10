/**
 * The demo's picture: accuracy against the multiplier's MAE%, one point per multiplier, untuned
 * and tuned as two series, the float model's accuracy as a dashed line. A self-contained SVG.
 */
import type {DemoResult} from './demoPipeline.js'

const W = 640
const H = 420
const M = {left: 64, right: 24, top: 40, bottom: 52}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Tick values: about `n` round steps covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1
  const raw = span / n
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag
  const first = Math.ceil(lo / step - 1e-9) * step
  const ticks: number[] = []
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

export function accuracyPlotSvg(result: DemoResult): string {
  const quantized = result.rows.filter((r) => r.maePct !== null)
  const float = result.rows.find((r) => r.maePct === null)
  const maxMae = Math.max(0.1, ...quantized.map((r) => r.maePct!))
  const xTicks = niceTicks(0, maxMae * 1.05)
  const xMax = xTicks[xTicks.length - 1]
  const lowest = Math.min(...result.rows.map((r) => r.accuracy))
  const yTicks = niceTicks(Math.max(0, Math.floor(lowest * 10) / 10), 1)
  const yMin = yTicks[0]
  const px = (v: number) => M.left + (v / xMax) * (W - M.left - M.right)
  const py = (v: number) => H - M.bottom - ((v - yMin) / (1 - yMin)) * (H - M.top - M.bottom)
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">axq demo: accuracy against multiplier error (${result.count} synthetic test images)</text>`)
  for (const t of xTicks) {
    out.push(`<line x1="${px(t).toFixed(1)}" y1="${M.top}" x2="${px(t).toFixed(1)}" y2="${H - M.bottom}" stroke="#eee"/>`)
    out.push(`<text x="${px(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`)
  }
  for (const t of yTicks) {
    out.push(`<line x1="${M.left}" y1="${py(t).toFixed(1)}" x2="${W - M.right}" y2="${py(t).toFixed(1)}" stroke="#eee"/>`)
    out.push(`<text x="${M.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(2)}</text>`)
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`)
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">multiplier MAE (% of 65535)</text>`)
  out.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">top-1 accuracy</text>`)
  if (float) {
    out.push(`<line x1="${M.left}" y1="${py(float.accuracy).toFixed(1)}" x2="${W - M.right}" y2="${py(float.accuracy).toFixed(1)}" stroke="#888" stroke-dasharray="6 4"/>`)
    out.push(`<text x="${W - M.right - 4}" y="${(py(float.accuracy) - 5).toFixed(1)}" text-anchor="end" fill="#666">float ${float.accuracy.toFixed(3)}</text>`)
  }
  const series = [
    {tune: false, colour: '#d62728', label: 'no tuning'},
    {tune: true, colour: '#1f77b4', label: 'weight tuning'},
  ]
  for (const s of series) {
    const points = quantized.filter((r) => r.tune === s.tune || (s.tune && r.maePct === 0))
    for (const r of points) {
      const x = px(r.maePct!)
      const y = py(r.accuracy)
      out.push(
        s.tune
          ? `<rect x="${(x - 4).toFixed(1)}" y="${(y - 4).toFixed(1)}" width="8" height="8" fill="none" stroke="${s.colour}" stroke-width="2"><title>${esc(r.mult)} tuned: ${r.accuracy.toFixed(3)}</title></rect>`
          : `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4.5" fill="${s.colour}"><title>${esc(r.mult)}: ${r.accuracy.toFixed(3)}</title></circle>`,
      )
      if (!s.tune) out.push(`<text x="${(x + 7).toFixed(1)}" y="${(y + 14).toFixed(1)}" fill="#444" font-size="10">${esc(r.mult)}</text>`)
    }
  }
  series.forEach((s, i) => {
    const y = M.top + 16 + i * 18
    const x = M.left + 12
    out.push(
      s.tune
        ? `<rect x="${x - 4}" y="${y - 4}" width="8" height="8" fill="none" stroke="${s.colour}" stroke-width="2"/>`
        : `<circle cx="${x}" cy="${y}" r="4.5" fill="${s.colour}"/>`,
    )
    out.push(`<text x="${x + 10}" y="${y + 4}">${s.label}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
