/** Colours as [r, g, b] (0..255) and the colour scales plots use. */
export type Rgb = readonly [number, number, number]

export function toHex(c: Rgb): string {
  return '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')
}

function lerp(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

/** Piecewise-linear colour ramp through evenly spaced stops; t in [0, 1] (clamped). */
export function ramp(stops: readonly Rgb[]): (t: number) => Rgb {
  return (t) => {
    const x = Math.min(1, Math.max(0, Number.isNaN(t) ? 0.5 : t)) * (stops.length - 1)
    const i = Math.min(stops.length - 2, Math.floor(x))
    const c = lerp(stops[i], stops[i + 1], x - i)
    return [Math.round(c[0]), Math.round(c[1]), Math.round(c[2])]
  }
}

/** Diverging blue–white–red (ColorBrewer RdBu, reversed): t = 0 blue, 0.5 white, 1 red. */
export const divergingBlueRed = ramp([
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
])

/** Sequential (viridis-like) for non-negative quantities. */
export const sequentialViridis = ramp([
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137],
  [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
])

/** A palette of distinguishable series colours (Tableau 10). */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']
