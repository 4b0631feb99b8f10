/**
 * The ten classes of the synthetic data set: each a shape in its own unit frame (about [-1, 1]²),
 * given as an inside test. The renderer maps pixels into that frame (translation, rotation,
 * scale, stretch), so every class appears at any position, size, angle and colour.
 */

export const SYNTH_CLASSES = [
  'disc',
  'ring',
  'square',
  'frame',
  'triangle',
  'plus',
  'bars',
  'crescent',
  'hexagram',
  'pair',
] as const

export type SynthClass = (typeof SYNTH_CLASSES)[number]

/** Sides of an equilateral triangle with circumradius 1, flat side on top (y = 0.5), apex at (0, -1): inside when n·p ≤ 0.5 for all three. */
const TRI_UP: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [0.8660254037844386, -0.5],
  [-0.8660254037844386, -0.5],
]

function inTriangle(x: number, y: number, flip: number): boolean {
  for (const [nx, ny] of TRI_UP) if (nx * x + ny * y * flip > 0.5) return false
  return true
}

/** Inside test of class `label` at unit-frame point (x, y). */
export function insideShape(label: number, x: number, y: number): boolean {
  const r2 = x * x + y * y
  switch (label) {
    case 0: // disc
      return r2 <= 1
    case 1: // ring
      return r2 <= 1 && r2 >= 0.36
    case 2: // square
      return Math.abs(x) <= 0.8 && Math.abs(y) <= 0.8
    case 3: {
      // frame: square outline
      const m = Math.max(Math.abs(x), Math.abs(y))
      return m <= 0.9 && m >= 0.55
    }
    case 4: // triangle (circumradius 1.1 so its area is close to the others')
      return inTriangle(x / 1.1, y / 1.1, 1)
    case 5: {
      // plus
      const ax = Math.abs(x)
      const ay = Math.abs(y)
      return (ax <= 0.3 && ay <= 0.95) || (ay <= 0.3 && ax <= 0.95)
    }
    case 6: {
      // bars: three parallel stripes
      if (Math.abs(x) > 0.9 || Math.abs(y) > 0.9) return false
      const k = Math.round(y / 0.62)
      return k >= -1 && k <= 1 && Math.abs(y - k * 0.62) <= 0.17
    }
    case 7: {
      // crescent: a disc with an offset disc cut out
      const dx = x - 0.45
      return r2 <= 1 && dx * dx + y * y > 0.64
    }
    case 8: // hexagram: two opposed triangles
      return inTriangle(x, y, 1) || inTriangle(x, y, -1)
    case 9: {
      // pair: two separate dots
      const ax = Math.abs(x) - 0.55
      return ax * ax + y * y <= 0.16
    }
    default:
      throw new RangeError(`no synthetic class ${label}`)
  }
}

/**
 * sin and cos from their Taylor series on [-π, π], using only +, × and ÷, so results are the
 * same on every platform (Math.sin/cos are implementation-defined to the last bit).
 */
export function sinCos(theta: number): [number, number] {
  let x = theta
  while (x > Math.PI) x -= 2 * Math.PI
  while (x < -Math.PI) x += 2 * Math.PI
  const x2 = x * x
  let s = 0
  let c = 0
  let termS = x
  let termC = 1
  for (let k = 1; k <= 16; k++) {
    s += termS
    c += termC
    termS = (-termS * x2) / ((2 * k) * (2 * k + 1))
    termC = (-termC * x2) / ((2 * k - 1) * (2 * k))
  }
  return [s, c]
}
