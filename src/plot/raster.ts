/** An RGBA pixel canvas the PNG renderer draws on: rectangles, lines, discs, bitmap text, images. */
import type {Rgb} from './color.js'
import {CELL_HEIGHT, CELL_WIDTH, glyph, GLYPH_HEIGHT, GLYPH_WIDTH} from './font.js'

export interface RgbaImage {
  width: number
  height: number
  /** width·height·4 bytes, row-major from the top-left, RGBA. */
  data: Uint8ClampedArray | Uint8Array
}

export class Raster implements RgbaImage {
  readonly data: Uint8ClampedArray

  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.data = new Uint8ClampedArray(width * height * 4)
    for (let i = 0; i < width * height; i++) this.data.set([background[0], background[1], background[2], 255], i * 4)
  }

  set(x: number, y: number, c: Rgb, alpha = 1): void {
    x = Math.round(x)
    y = Math.round(y)
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return
    const i = (y * this.width + x) * 4
    if (alpha >= 1) {
      this.data[i] = c[0]
      this.data[i + 1] = c[1]
      this.data[i + 2] = c[2]
    } else {
      for (let k = 0; k < 3; k++) this.data[i + k] = this.data[i + k] * (1 - alpha) + c[k] * alpha
    }
    this.data[i + 3] = 255
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.round(x)), y0 = Math.max(0, Math.round(y))
    const x1 = Math.min(this.width, Math.round(x + w)), y1 = Math.min(this.height, Math.round(y + h))
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.set(xx, yy, c)
  }

  strokeRect(x: number, y: number, w: number, h: number, c: Rgb, width = 1): void {
    this.fillRect(x, y, w, width, c)
    this.fillRect(x, y + h - width, w, width, c)
    this.fillRect(x, y, width, h, c)
    this.fillRect(x + w - width, y, width, h, c)
  }

  /** A line `width` pixels thick (square brush), optionally dashed (on, off lengths in pixels). */
  line(x1: number, y1: number, x2: number, y2: number, c: Rgb, width = 1, dash?: [number, number]): void {
    const len = Math.hypot(x2 - x1, y2 - y1)
    const steps = Math.max(1, Math.ceil(len * 2))
    const half = (width - 1) / 2
    for (let s = 0; s <= steps; s++) {
      const t = s / steps
      if (dash && (t * len) % (dash[0] + dash[1]) >= dash[0]) continue
      const x = x1 + (x2 - x1) * t
      const y = y1 + (y2 - y1) * t
      for (let dy = -half; dy <= half; dy++) for (let dx = -half; dx <= half; dx++) this.set(x + dx, y + dy, c)
    }
  }

  disc(cx: number, cy: number, r: number, c: Rgb): void {
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) this.set(x, y, c)
    }
  }

  /** Width in pixels of `text` at integer `scale`. */
  static textWidth(text: string, scale: number): number {
    return Math.max(0, [...text].length * CELL_WIDTH - 1) * scale
  }

  /**
   * Draw text with its box's top-left at (x, y) (before rotation). rotate = -90 turns it to read
   * bottom-up, the box's top-left then being its bottom-left.
   */
  text(text: string, x: number, y: number, c: Rgb, scale = 1, rotate: 0 | -90 = 0): void {
    let pen = 0
    for (const ch of text) {
      const rows = glyph(ch)
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (((rows[gy] >> (GLYPH_WIDTH - 1 - gx)) & 1) === 0) continue
          const u = (pen + gx) * scale
          const v = gy * scale
          for (let sy = 0; sy < scale; sy++) {
            for (let sx = 0; sx < scale; sx++) {
              if (rotate === 0) this.set(x + u + sx, y + v + sy, c)
              else this.set(x + v + sy, y - u - sx, c)
            }
          }
        }
      }
      pen += CELL_WIDTH
    }
  }

  /** Draw an image scaled (nearest neighbour) into the box (x, y, w, h). */
  image(img: RgbaImage, x: number, y: number, w: number, h: number): void {
    const x0 = Math.round(x), y0 = Math.round(y)
    for (let yy = 0; yy < Math.round(h); yy++) {
      const sy = Math.min(img.height - 1, Math.floor((yy * img.height) / h))
      for (let xx = 0; xx < Math.round(w); xx++) {
        const sx = Math.min(img.width - 1, Math.floor((xx * img.width) / w))
        const i = (sy * img.width + sx) * 4
        this.set(x0 + xx, y0 + yy, [img.data[i], img.data[i + 1], img.data[i + 2]], img.data[i + 3] / 255)
      }
    }
  }
}

export const TEXT_CELL_HEIGHT = CELL_HEIGHT
