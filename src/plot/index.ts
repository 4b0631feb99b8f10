/**
 * Plotting: build a `Figure` (primitives in pixels, origin top-left) by hand or with `lineChart`,
 * then `await saveFigure(figure, 'plot.png' | 'plot.svg')`. The SVG is the one rendering (text in
 * a system sans-serif font, raster images as PNG data URIs); a PNG is that SVG rasterized by sharp.
 */
export {Figure, textWidth, FONT_FAMILY, type Shape, type Anchor, type Baseline, type RgbaImage} from './figure.js'
export {lineChart, drawAxes, drawColorBar, linearScale, logScale, niceTicks, logTicks, formatTick, type Series, type LineChartOptions, type Scale} from './chart.js'
export {divergingBlueRed, sequentialViridis, ramp, toHex, SERIES_COLORS, type Rgb} from './color.js'
export {saveFigure, figureFormat} from './saveFigure.js'
