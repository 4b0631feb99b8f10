/**
 * The error map of a multiplier: a 256×256 picture of T[a][w] − a·w (weight code w along x,
 * activation code a along y, a = 0 at the bottom) on a diverging blue (too small) – white (exact)
 * – red (too large) scale with a legend; optionally the tuned table beside it on the same scale.
 * Signed tables are drawn over operand values −128..127 (−128 at the left and bottom).
 */
import {drawAxes, drawColorBar, formatTick, linearScale} from '../plot/chart.js'
import {divergingBlueRed} from '../plot/color.js'
import {Figure, type RgbaImage} from '../plot/figure.js'
import {computeMetrics} from './metrics.js'
import {isSignedTable, operandOf, tableIndex, type AnyProductTable} from './table.js'

export type ErrorScale = 'linear' | 'sqrt'

export interface ErrorPanel {
  title: string
  table: AnyProductTable
}

export interface ErrorMapOptions {
  title?: string
  /** 'sqrt' spreads small errors over more colour (signed square root); default 'linear'. */
  scale?: ErrorScale
  /** Pixels per code (default 2: a 512-pixel panel). */
  zoom?: number
}

/** Largest |T[a][w] − a·w| over the tables (at least 1, so an exact table still has a scale). */
export function maxAbsError(tables: AnyProductTable[]): number {
  let m = 0
  for (const t of tables) for (let i = 0; i < 65536; i++) m = Math.max(m, Math.abs(tableErrorAt(t, i)))
  return Math.max(1, m)
}

/** T[i] minus the exact product of entry i's operands. */
function tableErrorAt(table: AnyProductTable, i: number): number {
  const signed = isSignedTable(table)
  return table[i] - operandOf(i >> 8, signed) * operandOf(i & 255, signed)
}

/** Position of an error on the colour scale, 0 (−max) .. 0.5 (exact) .. 1 (+max). */
export function errorFraction(e: number, max: number, scale: ErrorScale): number {
  const r = Math.max(-1, Math.min(1, e / max))
  return 0.5 + (scale === 'sqrt' ? Math.sign(r) * Math.sqrt(Math.abs(r)) : r) / 2
}

/** The 256×256 error image: pixel (w − lo, 255 − (a − lo)), lo = 0, or −128 for signed tables. */
export function errorImage(table: AnyProductTable, max: number, scale: ErrorScale): RgbaImage {
  const data = new Uint8ClampedArray(256 * 256 * 4)
  const lo = isSignedTable(table) ? -128 : 0
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) data.set([...divergingBlueRed(errorFraction(tableErrorAt(table, tableIndex(lo + y, lo + x)), max, scale)), 255], ((255 - y) * 256 + x) * 4)
  }
  return {width: 256, height: 256, data}
}

export function errorMapFigure(panels: ErrorPanel[], options: ErrorMapOptions = {}): Figure {
  const scale = options.scale ?? 'linear'
  const zoom = options.zoom ?? 2
  const P = 256 * zoom
  const left = 110
  const top = options.title ? 110 : 64
  const gap = 110
  const barGap = 50
  const width = left + panels.length * P + (panels.length - 1) * gap + barGap + 24 + 140
  const height = top + P + 80
  const fig = new Figure(width, height)
  const max = maxAbsError(panels.map((p) => p.table))
  if (options.title) fig.text(width / 2, 14, options.title, {size: 20, anchor: 'middle', baseline: 'top', bold: true})
  panels.forEach((panel, i) => {
    const x = left + i * (P + gap)
    const m = computeMetrics(panel.table)
    fig.text(x + P / 2, top - 36, panel.title, {size: 15, anchor: 'middle', baseline: 'bottom', bold: true})
    fig.text(x + P / 2, top - 12, `MAE ${formatTick(Number(m.mae.toPrecision(4)))}  WCE ${m.wce}  bias ${formatTick(Number(m.meanError.toPrecision(4)))}`, {size: 14, anchor: 'middle', baseline: 'bottom', color: '#444444'})
    fig.image(x, top, P, P, errorImage(panel.table, max, scale))
    const codes = linearScale([0, 256], [x, x + P])
    const codesY = linearScale([0, 256], [top + P, top])
    const lo = isSignedTable(panel.table) ? -128 : 0
    const ticks = [0, 64, 128, 192, 255]
    drawAxes(fig, {
      x, y: top, w: P, h: P,
      xScale: ((v: number) => codes(v + 0.5)) as never,
      yScale: ((v: number) => codesY(v + 0.5)) as never,
      xTicks: ticks, yTicks: ticks,
      xLabel: lo < 0 ? 'weight w (signed)' : 'weight code w', yLabel: lo < 0 ? 'activation a (signed)' : 'activation code a',
      tickFormat: (v) => formatTick(v === 255 ? lo + 255 : lo + v),
    })
  })
  const barX = left + panels.length * P + (panels.length - 1) * gap + barGap
  const fromFraction = (f: number) => {
    const r = (f - 0.5) * 2
    return max * (scale === 'sqrt' ? Math.sign(r) * r * r : r)
  }
  const ticks = scale === 'sqrt' ? [-1, -0.25, -1 / 16, 0, 1 / 16, 0.25, 1].map((k) => Math.sign(k) * Math.round(Math.abs(k) * max)) : [-1, -0.5, 0, 0.5, 1].map((k) => Math.sign(k) * Math.round(Math.abs(k) * max))
  drawColorBar(fig, {
    x: barX, y: top, w: 24, h: P,
    domain: [-max, max],
    color: (v) => divergingBlueRed(errorFraction(v, max, scale)),
    toFraction: (v) => errorFraction(v, max, scale),
    fromFraction,
    ticks: [...new Set(ticks)],
    label: scale === 'sqrt' ? 'error (√ scale)' : 'error',
  })
  return fig
}
