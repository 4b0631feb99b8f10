import t from 'tap'
import {drawColorBar, formatTick, lineChart, linearScale, logScale, logTicks, niceTicks} from '../../src/plot/chart.js'
import {divergingBlueRed, parseColor, toHex} from '../../src/plot/color.js'
import {Figure} from '../../src/plot/figure.js'
import {decodePng} from '../../src/plot/png.js'
import {Raster} from '../../src/plot/raster.js'
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
  t.same(parseColor('#4e79a7'), [0x4e, 0x79, 0xa7])
  t.equal(toHex([1, 2, 255]), '#0102ff')
  t.throws(() => parseColor('red'), /#rrggbb/)
})

t.test('bitmap text lands where asked, also rotated', async (t) => {
  const r = new Raster(20, 20)
  r.text('I', 2, 3, [0, 0, 0], 1)
  // 'I' = rows 14,4,4,4,4,4,14: top row pixels x = 1..3 of the glyph
  const dark = (x: number, y: number) => r.data[(y * 20 + x) * 4] === 0
  t.ok(dark(3, 3) && dark(4, 3) && dark(5, 3))
  t.notOk(dark(2, 3))
  t.ok(dark(4, 6), 'stem')
  t.notOk(dark(3, 6))
  const v = new Raster(20, 20)
  v.text('I', 3, 15, [0, 0, 0], 1, -90)
  const vdark = (x: number, y: number) => v.data[(y * 20 + x) * 4] === 0
  t.ok(vdark(3, 14) && vdark(3, 13) && vdark(3, 12) && !vdark(3, 15) && !vdark(3, 11), 'top row of the glyph becomes the left column, reading upwards')
  t.equal(Raster.textWidth('abc', 2), 34)
})

t.test('a line chart renders to SVG and PNG', async (t) => {
  const fig = lineChart({
    title: 'accuracy against MAE', xLabel: 'MAE %', yLabel: 'accuracy', xLog: true,
    series: [
      {label: 'no tuning', points: [[0.001, 0.834], [0.1, 0.82], [1, 0.6]], pointLabels: ['1JFF', 'x', 'L40']},
      {label: 'tuned <AxTune>', points: [[0.001, 0.834], [0.1, 0.83], [1, 0.75]], dash: [6, 4]},
    ],
  })
  const svg = fig.toSvg()
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="560"/)
  t.match(svg, />accuracy against MAE<\/text>/)
  t.match(svg, />tuned &lt;AxTune&gt;<\/text>/, 'text escaped')
  t.equal((svg.match(/<polyline /g) ?? []).length, 2)
  t.match(svg, /stroke-dasharray="6 4"/)
  t.match(svg, /transform="rotate\(-90 /)
  const png = decodePng(fig.toPng())
  t.same([png.width, png.height], [800, 560])
  const colors = new Set<string>()
  for (let i = 0; i < png.data.length; i += 4) colors.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`)
  t.ok(colors.has('78,121,167') && colors.has('242,142,43'), 'both series colours drawn')
})

t.test('colour bar and images', async (t) => {
  const fig = new Figure(100, 120)
  drawColorBar(fig, {x: 10, y: 10, w: 10, h: 100, domain: [-1, 1], color: (v) => divergingBlueRed((v + 1) / 2), label: 'error'})
  const r = fig.toRaster()
  const at = (x: number, y: number) => Array.from(r.data.subarray((y * 100 + x) * 4, (y * 100 + x) * 4 + 3))
  const top = at(15, 11)
  const bottom = at(15, 108)
  t.ok(top[0] > 100 && top[2] < 40, `top is the high (dark red) end: ${top}`)
  t.ok(bottom[2] > 90 && bottom[0] < 15, `bottom is the low (dark blue) end: ${bottom}`)
  t.ok(at(15, 60).every((c) => c >= 240), `middle is near white: ${at(15, 60)}`)
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
  const svg = fig.toSvg()
  t.match(svg, /text-anchor="end"[^>]*>mitchell8u</)
})
