/**
 * Chart building blocks on a Figure: scales, nice ticks, axes with labels, a colour bar, and a
 * complete line/scatter chart (`lineChart`), e.g. accuracy against multiplier error:
 *
 *   const fig = lineChart({
 *     title: 'ResNet-8 on CIFAR-10', xLabel: 'MAE %', yLabel: 'accuracy', xLog: true,
 *     series: [{label: 'no tuning', points: [[0.01, 0.83], [0.5, 0.79]], pointLabels: ['1JFF', 'L40']},
 *              {label: 'tuned', points: [[0.01, 0.83], [0.5, 0.82]], dash: [6, 4]}],
 *   })
 *   await saveFigure(fig, 'accuracy.png')   // or .svg
 */
import {SERIES_COLORS, type Rgb} from './color.js'
import {Figure, textWidth} from './figure.js'

export interface Scale {
  (value: number): number
  domain: [number, number]
  range: [number, number]
  log: boolean
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain
  const span = d1 - d0 || 1
  const f = ((v: number) => range[0] + ((v - d0) / span) * (range[1] - range[0])) as Scale
  f.domain = domain
  f.range = range
  f.log = false
  return f
}

export function logScale(domain: [number, number], range: [number, number]): Scale {
  if (!(domain[0] > 0 && domain[1] > 0)) throw new RangeError(`a log scale needs a positive domain, got [${domain.join(', ')}]`)
  const l0 = Math.log10(domain[0])
  const span = Math.log10(domain[1]) - l0 || 1
  const f = ((v: number) => range[0] + ((Math.log10(Math.max(v, Number.MIN_VALUE)) - l0) / span) * (range[1] - range[0])) as Scale
  f.domain = domain
  f.range = range
  f.log = true
  return f
}

/** About `count` round tick values (1, 2, 2.5, 5 × 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) return [min]
  if (min > max) [min, max] = [max, min]
  const raw = (max - min) / Math.max(1, count)
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

/** Powers of ten within [min, max] (with 2× and 5× when there are few). */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = []
  const lo = Math.floor(Math.log10(min))
  const hi = Math.ceil(Math.log10(max))
  const few = hi - lo <= 2
  for (let e = lo; e <= hi; e++) {
    for (const m of few ? [1, 2, 5] : [1]) {
      const v = Number((m * 10 ** e).toPrecision(12))
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v)
    }
  }
  return ticks
}

export function formatTick(v: number): string {
  if (v === 0) return '0'
  const abs = Math.abs(v)
  if (abs >= 1e5 || abs < 1e-3) return v.toExponential(0).replace('e+', 'e')
  return String(Number(v.toPrecision(6))).replace('-', '−')
}

export interface AxesOptions {
  x: number
  y: number
  w: number
  h: number
  xScale: Scale
  yScale: Scale
  xTicks?: number[]
  yTicks?: number[]
  xLabel?: string
  yLabel?: string
  grid?: boolean
  fontSize?: number
  tickFormat?: (v: number) => string
}

/** Frame, ticks with labels, optional grid, and axis titles around the plot box (x, y, w, h). */
export function drawAxes(fig: Figure, o: AxesOptions): void {
  const size = o.fontSize ?? 13
  const fmt = o.tickFormat ?? formatTick
  const xTicks = o.xTicks ?? (o.xScale.log ? logTicks(...o.xScale.domain) : niceTicks(...o.xScale.domain))
  const yTicks = o.yTicks ?? (o.yScale.log ? logTicks(...o.yScale.domain) : niceTicks(...o.yScale.domain))
  for (const t of xTicks) {
    const px = o.xScale(t)
    if (o.grid) fig.line(px, o.y, px, o.y + o.h, '#e6e6e6')
    fig.line(px, o.y + o.h, px, o.y + o.h + 5, '#333333')
    fig.text(px, o.y + o.h + 8, fmt(t), {size, anchor: 'middle', baseline: 'top', color: '#333333'})
  }
  for (const t of yTicks) {
    const py = o.yScale(t)
    if (o.grid) fig.line(o.x, py, o.x + o.w, py, '#e6e6e6')
    fig.line(o.x - 5, py, o.x, py, '#333333')
    fig.text(o.x - 8, py, fmt(t), {size, anchor: 'end', baseline: 'middle', color: '#333333'})
  }
  fig.rect(o.x, o.y, o.w, o.h, {stroke: '#333333'})
  if (o.xLabel) fig.text(o.x + o.w / 2, o.y + o.h + 8 + size + 10, o.xLabel, {size: size + 1, anchor: 'middle', baseline: 'top'})
  if (o.yLabel) {
    const widest = Math.max(0, ...yTicks.map((t) => textWidth(fmt(t), size)))
    fig.text(o.x - 8 - widest - 10, o.y + o.h / 2, o.yLabel, {size: size + 1, anchor: 'middle', baseline: 'bottom', rotate: -90})
  }
}

export interface ColorBarOptions {
  x: number
  y: number
  w: number
  h: number
  /** Colour of a data value. */
  color: (value: number) => Rgb
  domain: [number, number]
  ticks?: number[]
  label?: string
  fontSize?: number
  /** Position of a value along the bar as a fraction 0 (bottom) .. 1 (top), and its inverse; default linear. */
  toFraction?: (value: number) => number
  fromFraction?: (fraction: number) => number
}

/** A vertical colour bar (low values at the bottom) with ticks on its right. */
export function drawColorBar(fig: Figure, o: ColorBarOptions): void {
  const size = o.fontSize ?? 13
  const steps = Math.max(2, Math.round(o.h))
  const span = o.domain[1] - o.domain[0] || 1
  const toFraction = o.toFraction ?? ((v: number) => (v - o.domain[0]) / span)
  const fromFraction = o.fromFraction ?? ((f: number) => o.domain[0] + f * span)
  const data = new Uint8ClampedArray(steps * 4)
  for (let i = 0; i < steps; i++) data.set([...o.color(fromFraction(1 - i / (steps - 1))), 255], i * 4)
  fig.image(o.x, o.y, o.w, o.h, {width: 1, height: steps, data})
  fig.rect(o.x, o.y, o.w, o.h, {stroke: '#333333'})
  const scale = (v: number) => o.y + o.h - toFraction(v) * o.h
  for (const t of o.ticks ?? niceTicks(o.domain[0], o.domain[1], 6)) {
    fig.line(o.x + o.w, scale(t), o.x + o.w + 5, scale(t), '#333333')
    fig.text(o.x + o.w + 8, scale(t), formatTick(t), {size, baseline: 'middle', color: '#333333'})
  }
  if (o.label) fig.text(o.x + o.w / 2, o.y - 10, o.label, {size, anchor: 'middle', baseline: 'bottom'})
}

export interface Series {
  label: string
  points: [number, number][]
  /** #rrggbb; default from the series palette. */
  color?: string
  /** Draw lines between points (default true). */
  line?: boolean
  /** Draw point markers (default true). */
  markers?: boolean
  dash?: [number, number]
  /** A label drawn next to each point (e.g. multiplier names). */
  pointLabels?: string[]
}

export interface LineChartOptions {
  width?: number
  height?: number
  title?: string
  xLabel?: string
  yLabel?: string
  series: Series[]
  xDomain?: [number, number]
  yDomain?: [number, number]
  xLog?: boolean
  yLog?: boolean
  legend?: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'none'
}

function paddedDomain(values: number[], log: boolean): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0))
  if (finite.length === 0) return log ? [1, 10] : [0, 1]
  let lo = Math.min(...finite)
  let hi = Math.max(...finite)
  if (log) return lo === hi ? [lo / 2, hi * 2] : [lo / 10 ** 0.1, hi * 10 ** 0.1]
  if (lo === hi) return [lo - 1, hi + 1]
  const pad = (hi - lo) * 0.05
  return [lo - pad, hi + pad]
}

const POINT_LABEL_SIZE = 11
const LEGEND_SIZE = 14

export function lineChart(o: LineChartOptions): Figure {
  const width = o.width ?? 800
  const height = o.height ?? 560
  const fig = new Figure(width, height)
  const box = {x: 100, y: o.title ? 56 : 24, w: width - 130, h: height - (o.title ? 56 : 24) - 80}
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1]))
  const xDomain = o.xDomain ?? paddedDomain(xs, Boolean(o.xLog))
  const yDomain = o.yDomain ?? paddedDomain(ys, Boolean(o.yLog))
  const xScale = (o.xLog ? logScale : linearScale)(xDomain, [box.x, box.x + box.w])
  const yScale = (o.yLog ? logScale : linearScale)(yDomain, [box.y + box.h, box.y])
  if (o.title) fig.text(width / 2, 20, o.title, {size: 17, anchor: 'middle', baseline: 'top', bold: true})
  drawAxes(fig, {...box, xScale, yScale, xLabel: o.xLabel, yLabel: o.yLabel, grid: true})
  o.series.forEach((s, i) => {
    const color = s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => [xScale(x), yScale(y)] as [number, number])
    if (s.line !== false && pts.length > 1) fig.polyline(pts, color, 2, s.dash)
    if (s.markers !== false) for (const [x, y] of pts) fig.circle(x, y, 4, color)
    s.pointLabels?.forEach((label, k) => {
      if (!pts[k] || !label) return
      // Right of the point, unless the label would run past the plot area: then left of it.
      const fits = pts[k][0] + 6 + textWidth(label, POINT_LABEL_SIZE) <= box.x + box.w
      fig.text(fits ? pts[k][0] + 6 : pts[k][0] - 6, pts[k][1] - 4, label, {size: POINT_LABEL_SIZE, color: '#333333', baseline: 'bottom', anchor: fits ? 'start' : 'end'})
    })
  })
  if (o.legend !== 'none' && o.series.length > 0) {
    const where = o.legend ?? 'bottom-left'
    const rowH = 22
    const lw = 44 + Math.max(...o.series.map((s) => textWidth(s.label, LEGEND_SIZE)))
    const lh = o.series.length * rowH + 8
    const lx = where.endsWith('left') ? box.x + 10 : box.x + box.w - lw - 10
    const ly = where.startsWith('top') ? box.y + 10 : box.y + box.h - lh - 10
    fig.rect(lx, ly, lw, lh, {fill: '#ffffff', stroke: '#999999'})
    o.series.forEach((s, i) => {
      const color = s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]
      const cy = ly + 4 + rowH * i + rowH / 2
      fig.line(lx + 6, cy, lx + 30, cy, color, 2, s.dash)
      if (s.markers !== false) fig.circle(lx + 18, cy, 4, color)
      fig.text(lx + 36, cy, s.label, {size: LEGEND_SIZE, baseline: 'middle'})
    })
  }
  return fig
}
