/**
 * Plotting without dependencies: build a `Figure` (primitives in pixels, origin top-left) by hand
 * or with `lineChart`, then `saveFigure(figure, 'plot.png' | 'plot.svg')`. PNGs are rendered with
 * a 5×7 bitmap font (text sizes in multiples of 8 px) and encoded with node:zlib; SVGs embed
 * raster images as PNG data URIs.
 */
export {Figure, type Shape, type Anchor, type Baseline} from './figure.js'
export {lineChart, drawAxes, drawColorBar, linearScale, logScale, niceTicks, logTicks, formatTick, type Series, type LineChartOptions, type Scale} from './chart.js'
export {divergingBlueRed, sequentialViridis, ramp, parseColor, toHex, SERIES_COLORS, type Rgb} from './color.js'
export {Raster, type RgbaImage} from './raster.js'
export {encodePng, decodePng, crc32} from './png.js'
export {saveFigure, figureFormat} from './saveFigure.js'
