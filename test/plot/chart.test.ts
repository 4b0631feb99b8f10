import sharp from 'sharp'
import t from 'tap'
import {drawColorBar, formatTick, lineChart, linearScale, logScale, logTicks, niceTicks} from '../../src/plot/chart.js'
import {divergingBlueRed, toHex} from '../../src/plot/color.js'
import {Figure} from '../../src/plot/figure.js'
import {figureFormat} from '../../src/plot/saveFigure.js'

t.test('ticks and scales', async (t) => {
  t.same(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1])
  t.same(niceTicks(0.81, 0.84, 3), [0.81, 0.82, 0.83, 0.84])
  t.same(niceTicks(-9124, 9124, 4), [-5000, 0, 5000])
  t.same(logTicks(0.001, 10), [0.001, 0.01, 0.1, 1, 10])
  t.same(logTicks(0.3, 4), [0.5, 1, 2])
  t.equal(linearScale([0, 10], [100, 200])(2.5), 125)
  t.equal(logScale([1, 100], [0, 200])(10), 100)
  t.throws(() => logScale([0, 1], [0, 1]), /positive domain/)
  t.equal(formatTick(-0.5), '−0.5')
  t.equal(formatTick(250000), '3e5')
})

t.test('colours', async (t) => {
  t.same(divergingBlueRed(0.5), [247, 247, 247])
  t.same(divergingBlueRed(0), [5, 48, 97])
  t.same(divergingBlueRed(1), [103, 0, 31])
  t.same(divergingBlueRed(2), [103, 0, 31], 'clamped')
  t.equal(toHex([1, 2, 255]), '#0102ff')
})

/** RGBA pixels of a PNG, decoded by sharp. */
async function decode(png: Buffer) {
  const {data, info} = await sharp(png).ensureAlpha().raw().toBuffer({resolveWithObject: true})
  const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 3))
  return {width: info.width, height: info.height, data, at}
}

t.test('a line chart renders to SVG (text, axes, series) and to a PNG of the figure size', async (t) => {
  const fig = lineChart({
    title: 'accuracy against MAE', xLabel: 'MAE %', yLabel: 'accuracy', xLog: true,
    series: [
      {label: 'no tuning', points: [[0.001, 0.834], [0.1, 0.82], [1, 0.6]], pointLabels: ['1JFF', 'x', 'L40']},
      {label: 'tuned <AxTune> & "fast"', points: [[0.001, 0.834], [0.1, 0.83], [1, 0.75]], dash: [6, 4]},
    ],
  })
  const svg = await fig.toSvg()
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="560" viewBox="0 0 800 560" font-family="DejaVu Sans, [^"]*sans-serif"/)
  t.match(svg, /font-weight="bold">accuracy against MAE<\/text>/, 'bold title')
  t.match(svg, />tuned &lt;AxTune&gt; &amp; &quot;fast&quot;<\/text>/, 'legend text escaped')
  t.match(svg, />MAE %<\/text>/, 'x axis title')
  t.match(svg, /transform="rotate\(-90 [^"]*"[^>]*>accuracy<\/text>/, 'y axis title reads bottom-up')
  for (const tick of ['0.001', '0.01', '0.1', '>1<']) t.match(svg, tick, `log tick ${tick}`)
  t.equal((svg.match(/<polyline /g) ?? []).length, 2, 'one line per series')
  t.match(svg, /stroke="#f28e2b"[^>]*stroke-dasharray="6 4"/, 'second series dashed, second palette colour')
  t.equal((svg.match(/<circle /g) ?? []).length, 3 + 3 + 2, 'markers of both series and of the legend')
  t.match(svg, /<rect x="100" y="56" width="670" height="424" fill="none" stroke="#333333" stroke-width="1" shape-rendering="crispEdges"\/>/, 'the plot frame')
  const png = await decode(await fig.toPng())
  t.same([png.width, png.height], [800, 560])
  const colors = new Set<string>()
  for (let i = 0; i < png.data.length; i += 4) colors.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`)
  t.ok(colors.has('78,121,167') && colors.has('242,142,43'), 'both series colours drawn')
  t.ok(colors.size > 50, `text and shapes anti-aliased (${colors.size} colours)`)
})

t.test('colour bar: exact ramp colours top (high) to bottom (low) in the PNG', async (t) => {
  const fig = new Figure(100, 130)
  // 101 rows: row i is fraction 1 - i/100 of the ramp
  drawColorBar(fig, {x: 10, y: 20, w: 10, h: 101, domain: [-1, 1], color: (v) => divergingBlueRed((v + 1) / 2), label: 'error'})
  const png = await decode(await fig.toPng())
  // RdBu stops, interpolated by hand: fraction 0.98 is 80 % of the way from [178,24,43] to [103,0,31],
  // 0.02 is 20 % of the way from [5,48,97] to [33,102,172]
  t.same(png.at(15, 22), [118, 5, 33], 'row 2: fraction 0.98, dark red')
  t.same(png.at(15, 70), [247, 247, 247], 'row 50: fraction 0.5, white')
  t.same(png.at(15, 118), [11, 59, 112], 'row 98: fraction 0.02, dark blue')
  t.equal(figureFormat('x.PNG'), 'png')
  t.throws(() => figureFormat('x.jpg'), /x\.jpg: a figure is written as \.png or \.svg/)
})

t.test('point labels stay inside the plot area: right of the point, left of it near the right edge', async (t) => {
  const fig = lineChart({
    width: 400, height: 300, xDomain: [0, 1], yDomain: [0, 1], legend: 'none',
    series: [{label: 's', points: [[0.1, 0.5], [1, 0.5]], line: false, pointLabels: ['left_one', 'mitchell8u']}],
  })
  const labels = fig.shapes.filter((s) => s.kind === 'text' && (s.text === 'left_one' || s.text === 'mitchell8u'))
  // plot box: x 100..370; x = 0.1 → 127, x = 1 → 370
  t.same(labels.map((s) => s.kind === 'text' && [s.text, s.x, s.anchor]), [['left_one', 133, 'start'], ['mitchell8u', 364, 'end']])
  t.match(await fig.toSvg(), /text-anchor="end"[^>]*>mitchell8u</)
})
