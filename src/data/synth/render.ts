/**
 * Renders one 32×32 RGB image of a class: a textured, shaded background, the class shape at a
 * random position, size, angle, stretch and colour (anti-aliased by 4×4 supersampling), a few
 * small distractors, and per-pixel sensor noise. Output is CHW (1024 R, 1024 G, 1024 B bytes),
 * the CIFAR-10 layout. Only IEEE-exact double arithmetic is used, so the bytes are identical on
 * every platform.
 */
import {Xoshiro128} from './prng.js'
import {insideShape, sinCos} from './shapes.js'

export const SIDE = 32
export const PIXELS = SIDE * SIDE
export const IMAGE_BYTES = PIXELS * 3
const SUB = 4 // supersampling per axis

type RGB = [number, number, number]

function luminance(c: RGB): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
}

function randomColour(rng: Xoshiro128): RGB {
  return [rng.int(256), rng.int(256), rng.int(256)]
}

/** Background as three float planes: a two-colour gradient plus one texture. */
function renderBackground(rng: Xoshiro128, out: Float64Array): RGB {
  const c0 = randomColour(rng)
  const c1: RGB = [0, 0, 0]
  for (let ch = 0; ch < 3; ch++) c1[ch] = c0[ch] + rng.uniform(-70, 70)
  const [gs, gc] = sinCos(rng.uniform(-Math.PI, Math.PI))
  const texture = rng.int(4) // 0 plain, 1 smooth blotches, 2 stripes, 3 checker
  const amplitude = rng.uniform(10, 45)
  // smooth blotches: bilinear value noise on a 5×5 lattice
  const lattice = new Float64Array(25)
  for (let i = 0; i < 25; i++) lattice[i] = rng.uniform(-1, 1)
  const [ss, sc] = sinCos(rng.uniform(-Math.PI, Math.PI))
  const period = rng.uniform(3, 8)
  const cell = 2 + rng.int(4)
  const tint: RGB = [rng.uniform(0.5, 1), rng.uniform(0.5, 1), rng.uniform(0.5, 1)]
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const u = (x - 15.5) / 31
      const v = (y - 15.5) / 31
      const g = 0.5 + (u * gc + v * gs) // 0..1 along the gradient direction (about)
      let tex = 0
      if (texture === 1) {
        const fx = (x / 31) * 4
        const fy = (y / 31) * 4
        const ix = Math.min(3, Math.floor(fx))
        const iy = Math.min(3, Math.floor(fy))
        const tx = fx - ix
        const ty = fy - iy
        const a = lattice[iy * 5 + ix] * (1 - tx) + lattice[iy * 5 + ix + 1] * tx
        const b = lattice[(iy + 1) * 5 + ix] * (1 - tx) + lattice[(iy + 1) * 5 + ix + 1] * tx
        tex = a * (1 - ty) + b * ty
      } else if (texture === 2) {
        const t = (x * sc + y * ss) / period
        tex = t - Math.floor(t) < 0.5 ? 1 : -1
        tex *= 0.5
      } else if (texture === 3) {
        tex = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? 0.5 : -0.5
      }
      const p = y * SIDE + x
      for (let ch = 0; ch < 3; ch++) {
        out[ch * PIXELS + p] = c0[ch] * (1 - g) + c1[ch] * g + amplitude * tex * tint[ch]
      }
    }
  }
  return [(c0[0] + c1[0]) / 2, (c0[1] + c1[1]) / 2, (c0[2] + c1[2]) / 2]
}

/** A foreground colour whose luminance differs from the background's by at least 32 levels. */
function contrastingColour(rng: Xoshiro128, bg: RGB): RGB {
  const ybg = luminance(bg)
  let best = randomColour(rng)
  for (let tries = 0; tries < 32; tries++) {
    if (Math.abs(luminance(best) - ybg) >= 32) return best
    best = randomColour(rng)
  }
  // give up on chance: push the luminance away from the background
  const up = ybg < 128
  return [up ? 255 : 0, best[1], up ? 255 : 0]
}

/** Coverage (0..1) of a pixel by an inside test, sampled SUB×SUB times. */
function coverage(x: number, y: number, inside: (px: number, py: number) => boolean): number {
  let hits = 0
  for (let sy = 0; sy < SUB; sy++) {
    for (let sx = 0; sx < SUB; sx++) {
      if (inside(x + (sx + 0.5) / SUB, y + (sy + 0.5) / SUB)) hits++
    }
  }
  return hits / (SUB * SUB)
}

function blend(img: Float64Array, p: number, colour: RGB, alpha: number): void {
  if (alpha === 0) return
  for (let ch = 0; ch < 3; ch++) img[ch * PIXELS + p] = img[ch * PIXELS + p] * (1 - alpha) + colour[ch] * alpha
}

/** Render one image of class `label`; all randomness comes from `rng`. */
export function renderImage(rng: Xoshiro128, label: number): Uint8Array {
  const img = new Float64Array(IMAGE_BYTES)
  const bgMean = renderBackground(rng, img)

  // the shape: pixel (px, py) → unit frame by translation, rotation, scale and a mild stretch
  const fg = contrastingColour(rng, bgMean)
  const cx = 16 + rng.uniform(-6, 6)
  const cy = 16 + rng.uniform(-6, 6)
  const size = rng.uniform(5, 11.5)
  const stretch = rng.uniform(0.8, 1.25)
  const [s, c] = sinCos(rng.uniform(-Math.PI, Math.PI))
  const sx = size * stretch
  const sy = size / stretch
  const inside = (px: number, py: number): boolean => {
    const dx = px - cx
    const dy = cy - py // y up
    return insideShape(label, (dx * c + dy * s) / sx, (-dx * s + dy * c) / sy)
  }
  const x0 = Math.max(0, Math.floor(cx - size * 1.4))
  const x1 = Math.min(SIDE - 1, Math.ceil(cx + size * 1.4))
  const y0 = Math.max(0, Math.floor(cy - size * 1.4))
  const y1 = Math.min(SIDE - 1, Math.ceil(cy + size * 1.4))
  // shading: the shape's colour varies a little across it
  const shade = rng.uniform(-0.25, 0.25)
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const a = coverage(x, y, inside)
      if (a === 0) continue
      const k = 1 + shade * ((y - cy) / size)
      blend(img, y * SIDE + x, [fg[0] * k, fg[1] * k, fg[2] * k], a)
    }
  }

  // distractors: short strokes and specks in random colours
  const clutter = rng.int(6)
  for (let i = 0; i < clutter; i++) {
    const colour = randomColour(rng)
    const px = rng.uniform(0, SIDE)
    const py = rng.uniform(0, SIDE)
    if (rng.chance(0.5)) {
      const r = rng.uniform(0.8, 2)
      const r2 = r * r
      const inDot = (qx: number, qy: number): boolean => (qx - px) * (qx - px) + (qy - py) * (qy - py) <= r2
      for (let y = Math.max(0, Math.floor(py - r)); y <= Math.min(SIDE - 1, Math.ceil(py + r)); y++) {
        for (let x = Math.max(0, Math.floor(px - r)); x <= Math.min(SIDE - 1, Math.ceil(px + r)); x++) {
          blend(img, y * SIDE + x, colour, coverage(x, y, inDot))
        }
      }
    } else {
      const [ls, lc] = sinCos(rng.uniform(-Math.PI, Math.PI))
      const half = rng.uniform(2, 7)
      const width = rng.uniform(0.4, 0.8)
      const inLine = (qx: number, qy: number): boolean => {
        const dx = qx - px
        const dy = qy - py
        return Math.abs(dx * lc + dy * ls) <= half && Math.abs(-dx * ls + dy * lc) <= width
      }
      for (let y = Math.max(0, Math.floor(py - half - 1)); y <= Math.min(SIDE - 1, Math.ceil(py + half + 1)); y++) {
        for (let x = Math.max(0, Math.floor(px - half - 1)); x <= Math.min(SIDE - 1, Math.ceil(px + half + 1)); x++) {
          blend(img, y * SIDE + x, colour, coverage(x, y, inLine))
        }
      }
    }
  }

  // sensor noise, then quantize to bytes
  const sigma = rng.uniform(3, 24)
  const out = new Uint8Array(IMAGE_BYTES)
  for (let i = 0; i < IMAGE_BYTES; i++) {
    const v = Math.floor(img[i] + sigma * rng.gauss() + 0.5)
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
  return out
}
