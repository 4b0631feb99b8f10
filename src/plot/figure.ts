/**
 * A figure: a list of drawing primitives in pixel coordinates (origin top-left) with one
 * rendering, SVG (`toSvg`); `toPng` rasterizes that SVG with sharp (librsvg: anti-aliased shapes,
 * text in a system font found by fontconfig, one figure unit = one PNG pixel). Build one directly,
 * or with the chart helpers in chart.ts, and write it with `await saveFigure(figure, 'out.png' | 'out.svg')`.
 *
 * Text `size` is the font size in pixels. Raster images (heat maps) are RGBA pixels embedded as
 * PNG data URIs and scaled nearest-neighbour (`image-rendering: pixelated`), so each data cell
 * keeps its exact colour in the PNG.
 */
import {imageCodec} from '../imageCodec.js'

export type Anchor = 'start' | 'middle' | 'end'
export type Baseline = 'top' | 'middle' | 'bottom'

/** An RGBA picture: width·height·4 bytes, row-major from the top-left. */
export interface RgbaImage {
  width: number
  height: number
  data: Uint8ClampedArray | Uint8Array
}

export type Shape =
  | {kind: 'rect'; x: number; y: number; w: number; h: number; fill?: string; stroke?: string; strokeWidth?: number}
  | {kind: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: string; width?: number; dash?: [number, number]}
  | {kind: 'polyline'; points: [number, number][]; stroke: string; width?: number; dash?: [number, number]}
  | {kind: 'circle'; cx: number; cy: number; r: number; fill: string}
  | {kind: 'text'; x: number; y: number; text: string; size?: number; color?: string; anchor?: Anchor; baseline?: Baseline; rotate?: 0 | -90; bold?: boolean}
  | {kind: 'image'; x: number; y: number; w: number; h: number; image: RgbaImage}

/** Fonts most machines have, then the generic family (librsvg falls back to any font it finds). */
export const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif'

/**
 * About how wide `text` is at font size `size`, for laying out labels without measuring them:
 * character widths of DejaVu Sans (the widest of the family list) rounded up, bold 12 % wider.
 */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0
  for (const ch of text) em += /[ .,:;'!|()[\]ijlftr]/.test(ch) ? 0.4 : /[mwMW@]/.test(ch) ? 0.93 : /[A-Z%&]/.test(ch) ? 0.74 : 0.64
  return em * size * (bold ? 1.12 : 1)
}

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
    const {width, height, data} = image
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`image size must be positive integers, got ${width}×${height}`)
    if (data.length !== width * height * 4) throw new RangeError(`RGBA data of a ${width}×${height} image must hold ${width * height * 4} bytes, has ${data.length}`)
    return this.add({kind: 'image', x, y, w, h, image})
  }

  async toSvg(): Promise<string> {
    const out = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" font-family="${FONT_FAMILY}" xml:space="preserve">`,
      `<rect width="100%" height="100%" fill="${this.background}"/>`,
    ]
    for (const s of this.shapes) out.push(s.kind === 'image' ? await svgImage(s) : svgShape(s))
    out.push('</svg>')
    return out.join('\n') + '\n'
  }

  /** The SVG rasterized by sharp at one pixel per figure unit: a width × height RGBA PNG. */
  async toPng(): Promise<Buffer> {
    const sharp = await imageCodec()
    return sharp(Buffer.from(await this.toSvg()), {density: 72}).png({compressionLevel: 9}).toBuffer()
  }
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2))

/** Text as XML character data: markup characters escaped, characters XML forbids replaced by U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
}

/** Axis-parallel lines and rectangles are drawn without anti-aliasing: 1-pixel rules stay sharp. */
const CRISP = ' shape-rendering="crispEdges"'

/** Baseline offset (in em) from the point asked for; explicit, since librsvg ignores dominant-baseline. */
const BASELINE_SHIFT: Record<Baseline, number> = {top: 0.76, middle: 0.36, bottom: 0}

function svgShape(s: Exclude<Shape, {kind: 'image'}>): string {
  switch (s.kind) {
    case 'rect':
      return `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="${s.fill ?? 'none'}"` +
        (s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.strokeWidth ?? 1}"` : '') + `${CRISP}/>`
    case 'line':
      return `<line x1="${n(s.x1)}" y1="${n(s.y1)}" x2="${n(s.x2)}" y2="${n(s.y2)}" stroke="${s.stroke}" stroke-width="${s.width ?? 1}"` +
        (s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '') + (s.x1 === s.x2 || s.y1 === s.y2 ? CRISP : '') + '/>'
    case 'polyline':
      return `<polyline points="${s.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="none" stroke="${s.stroke}" stroke-width="${s.width ?? 1}" stroke-linejoin="round"` +
        (s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '') + '/>'
    case 'circle':
      return `<circle cx="${n(s.cx)}" cy="${n(s.cy)}" r="${n(s.r)}" fill="${s.fill}"/>`
    case 'text': {
      const size = s.size ?? 14
      const rotate = s.rotate ? ` transform="rotate(${s.rotate} ${n(s.x)} ${n(s.y)})"` : ''
      return `<text x="${n(s.x)}" y="${n(s.y + BASELINE_SHIFT[s.baseline ?? 'bottom'] * size)}" font-size="${n(size)}" fill="${s.color ?? '#000000'}" text-anchor="${s.anchor ?? 'start'}"` +
        (s.bold ? ' font-weight="bold"' : '') + `${rotate}>${escapeXml(s.text)}</text>`
    }
  }
}

async function svgImage(s: Extract<Shape, {kind: 'image'}>): Promise<string> {
  const {width, height, data} = s.image
  const sharp = await imageCodec()
  const png = await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {raw: {width, height, channels: 4}}).png({compressionLevel: 9}).toBuffer()
  return `<image x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${png.toString('base64')}"/>`
}
