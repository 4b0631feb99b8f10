/**
 * A figure: a list of drawing primitives in pixel coordinates (origin top-left) that renders to
 * SVG (`toSvg`) or PNG (`toPng`, through the bitmap renderer). Build one directly, or with the
 * chart helpers in chart.ts, and write it with `saveFigure(figure, 'out.png' | 'out.svg')`.
 *
 * Text `size` is the height of a text line in pixels; the PNG renderer uses the bitmap font at
 * the integer scale round(size / 8) (so use multiples of 8: 8, 16, 24), the SVG a sans-serif font.
 */
import {parseColor, toHex, type Rgb} from './color.js'
import {encodePng} from './png.js'
import {Raster, type RgbaImage} from './raster.js'
import {CELL_HEIGHT} from './font.js'

export type Anchor = 'start' | 'middle' | 'end'
export type Baseline = 'top' | 'middle' | 'bottom'

export type Shape =
  | {kind: 'rect'; x: number; y: number; w: number; h: number; fill?: string; stroke?: string; strokeWidth?: number}
  | {kind: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: string; width?: number; dash?: [number, number]}
  | {kind: 'polyline'; points: [number, number][]; stroke: string; width?: number; dash?: [number, number]}
  | {kind: 'circle'; cx: number; cy: number; r: number; fill: string}
  | {kind: 'text'; x: number; y: number; text: string; size?: number; color?: string; anchor?: Anchor; baseline?: Baseline; rotate?: 0 | -90; bold?: boolean}
  | {kind: 'image'; x: number; y: number; w: number; h: number; image: RgbaImage}

export class Figure {
  readonly shapes: Shape[] = []

  constructor(readonly width: number, readonly height: number, readonly background = '#ffffff') {}

  add(shape: Shape): this {
    this.shapes.push(shape)
    return this
  }

  rect(x: number, y: number, w: number, h: number, style: {fill?: string; stroke?: string; strokeWidth?: number}): this {
    return this.add({kind: 'rect', x, y, w, h, ...style})
  }

  line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1, dash?: [number, number]): this {
    return this.add({kind: 'line', x1, y1, x2, y2, stroke, width, dash})
  }

  polyline(points: [number, number][], stroke: string, width = 1, dash?: [number, number]): this {
    return this.add({kind: 'polyline', points, stroke, width, dash})
  }

  circle(cx: number, cy: number, r: number, fill: string): this {
    return this.add({kind: 'circle', cx, cy, r, fill})
  }

  text(x: number, y: number, text: string, style: {size?: number; color?: string; anchor?: Anchor; baseline?: Baseline; rotate?: 0 | -90; bold?: boolean} = {}): this {
    return this.add({kind: 'text', x, y, text, ...style})
  }

  image(x: number, y: number, w: number, h: number, image: RgbaImage): this {
    return this.add({kind: 'image', x, y, w, h, image})
  }

  toSvg(): string {
    const out = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
      `<rect width="100%" height="100%" fill="${this.background}"/>`,
    ]
    for (const s of this.shapes) out.push(svgShape(s))
    out.push('</svg>')
    return out.join('\n') + '\n'
  }

  toRaster(): Raster {
    const r = new Raster(this.width, this.height, parseColor(this.background))
    for (const s of this.shapes) rasterShape(r, s)
    return r
  }

  toPng(): Uint8Array {
    return encodePng(this.toRaster())
  }
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2))

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function svgShape(s: Shape): string {
  switch (s.kind) {
    case 'rect':
      return `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="${s.fill ?? 'none'}"` +
        (s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.strokeWidth ?? 1}"` : '') + '/>'
    case 'line':
      return `<line x1="${n(s.x1)}" y1="${n(s.y1)}" x2="${n(s.x2)}" y2="${n(s.y2)}" stroke="${s.stroke}" stroke-width="${s.width ?? 1}"` +
        (s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '') + '/>'
    case 'polyline':
      return `<polyline points="${s.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="none" stroke="${s.stroke}" stroke-width="${s.width ?? 1}" stroke-linejoin="round"` +
        (s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '') + '/>'
    case 'circle':
      return `<circle cx="${n(s.cx)}" cy="${n(s.cy)}" r="${n(s.r)}" fill="${s.fill}"/>`
    case 'text': {
      const size = s.size ?? 16
      const anchor = s.anchor ?? 'start'
      const baseline = {top: 'hanging', middle: 'central', bottom: 'alphabetic'}[s.baseline ?? 'bottom']
      const rotate = s.rotate ? ` transform="rotate(${s.rotate} ${n(s.x)} ${n(s.y)})"` : ''
      return `<text x="${n(s.x)}" y="${n(s.y)}" font-size="${n(size * 0.8)}" fill="${s.color ?? '#000000'}" text-anchor="${anchor}" dominant-baseline="${baseline}"` +
        (s.bold ? ' font-weight="bold"' : '') + `${rotate}>${escapeXml(s.text)}</text>`
    }
    case 'image':
      return `<image x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${Buffer.from(encodePng(s.image)).toString('base64')}"/>`
  }
}

function rasterShape(r: Raster, s: Shape): void {
  switch (s.kind) {
    case 'rect':
      if (s.fill && s.fill !== 'none') r.fillRect(s.x, s.y, s.w, s.h, parseColor(s.fill))
      if (s.stroke) r.strokeRect(s.x, s.y, s.w, s.h, parseColor(s.stroke), s.strokeWidth ?? 1)
      return
    case 'line':
      r.line(s.x1, s.y1, s.x2, s.y2, parseColor(s.stroke), s.width ?? 1, s.dash)
      return
    case 'polyline':
      for (let i = 1; i < s.points.length; i++) r.line(s.points[i - 1][0], s.points[i - 1][1], s.points[i][0], s.points[i][1], parseColor(s.stroke), s.width ?? 1, s.dash)
      return
    case 'circle':
      r.disc(s.cx, s.cy, s.r, parseColor(s.fill))
      return
    case 'text': {
      const scale = Math.max(1, Math.round((s.size ?? 16) / CELL_HEIGHT))
      const w = Raster.textWidth(s.text, scale)
      const h = 7 * scale
      const along = s.anchor === 'middle' ? -w / 2 : s.anchor === 'end' ? -w : 0
      const across = s.baseline === 'top' ? 0 : s.baseline === 'middle' ? -h / 2 : -h
      const color: Rgb = parseColor(s.color ?? '#000000')
      if (s.rotate === -90) r.text(s.text, Math.round(s.x + across), Math.round(s.y - along), color, scale, -90)
      else {
        r.text(s.text, Math.round(s.x + along), Math.round(s.y + across), color, scale)
        if (s.bold) r.text(s.text, Math.round(s.x + along) + 1, Math.round(s.y + across), color, scale)
      }
      return
    }
    case 'image':
      r.image(s.image, s.x, s.y, s.w, s.h)
  }
}

/** Colour helper for callers holding an Rgb. */
export {toHex}
