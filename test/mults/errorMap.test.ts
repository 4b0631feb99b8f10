import {execFile} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import sharp from 'sharp'
import t from 'tap'
import {builtinMember, tabulate} from '../../axmult/index.js'
import {errorFraction, errorImage, errorMapFigure, maxAbsError} from '../../src/mults/errorMap.js'
import {exactSignedTable, exactTable} from '../../src/mults/table.js'
import {cliPath} from '../helpers/paths.js'

const mitchell = tabulate('mitchell8u', builtinMember('mitchell8u')!.product)

t.test('error colours: white where exact, blue below, red above', async (t) => {
  t.equal(errorFraction(0, 10, 'linear'), 0.5)
  t.equal(errorFraction(-10, 10, 'linear'), 0)
  t.equal(errorFraction(5, 10, 'linear'), 0.75)
  t.equal(errorFraction(2.5, 10, 'sqrt'), 0.75)
  t.equal(maxAbsError([exactTable()]), 1)
  t.equal(maxAbsError([mitchell]), Math.max(...Array.from(mitchell, (v, i) => Math.abs(v - (i >> 8) * (i & 255)))))
  const table = exactTable()
  table[3 * 256 + 5] = 25 // +10 at a = 3, w = 5
  table[7 * 256 + 9] = 53 // −10 at a = 7, w = 9
  const img = errorImage(table, 10, 'linear')
  const px = (x: number, y: number) => Array.from(img.data.subarray((y * 256 + x) * 4, (y * 256 + x) * 4 + 3))
  t.same(px(5, 255 - 3), [103, 0, 31], 'a = 3 is row 252 (a = 0 at the bottom), dark red')
  t.same(px(9, 255 - 7), [5, 48, 97], 'dark blue')
  t.same(px(0, 0), [247, 247, 247])
})

t.test('signed tables are drawn over operand values −128..127, −128 at the left and bottom', async (t) => {
  const table = exactSignedTable()
  table[(-128 & 255) * 256 + (-128 & 255)] = 16384 + 10 // +10 at a = w = −128
  table[(5 & 255) * 256 + (-3 & 255)] = -15 - 10 // −10 at a = 5, w = −3
  t.equal(maxAbsError([table]), 10)
  const img = errorImage(table, 10, 'linear')
  const px = (x: number, y: number) => Array.from(img.data.subarray((y * 256 + x) * 4, (y * 256 + x) * 4 + 3))
  t.same(px(0, 255), [103, 0, 31], 'a = w = −128: the bottom-left pixel, dark red')
  t.same(px(-3 + 128, 255 - (5 + 128)), [5, 48, 97], 'a = 5, w = −3: x = 125, y = 122, dark blue')
  t.same(px(128, 127), [247, 247, 247], 'a = w = 0 at the centre, exact')
})

t.test('error map figure, one or two panels', async (t) => {
  const one = errorMapFigure([{title: 'mitchell8u', table: mitchell}])
  const two = errorMapFigure([{title: 'a', table: mitchell}, {title: 'b', table: exactTable()}], {title: 'T'})
  t.ok(two.width > one.width + 512)
  const svg = await two.toSvg()
  t.match(svg, />weight code w</)
  t.match(svg, />activation code a</)
  t.equal((svg.match(/<image /g) ?? []).length, 3, 'two maps and the colour bar')
})

t.test('the PNG holds the error image pixel for pixel: each code a 2×2 block of its exact colour', async (t) => {
  const table = exactTable()
  table[3 * 256 + 5] += 10 // a = 3, w = 5: +10 (the maximum): dark red
  table[3 * 256 + 6] -= 10 // its right neighbour −10: dark blue
  table[200 * 256 + 100] += 5 // +5 = half the maximum: fraction 0.75, halfway between RdBu stops 7 and 8
  const fig = errorMapFigure([{title: 'x', table}])
  const box = fig.shapes.find((s) => s.kind === 'image')!
  if (box.kind !== 'image') throw new Error('no image')
  t.same([box.w, box.h], [512, 512])
  const {data, info} = await sharp(await fig.toPng()).ensureAlpha().raw().toBuffer({resolveWithObject: true})
  t.same([info.width, info.height], [fig.width, fig.height])
  const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 3))
  const block = (a: number, w: number) => [0, 1].flatMap((dy) => [0, 1].map((dx) => at(box.x + 2 * w + dx, box.y + 2 * (255 - a) + dy)))
  t.same(block(3, 5), Array(4).fill([103, 0, 31]), 'a = 3, w = 5: dark red, all four pixels')
  t.same(block(3, 6), Array(4).fill([5, 48, 97]), 'the next code: dark blue, no blending at the boundary')
  t.same(block(200, 100), Array(4).fill([229, 131, 104]), '+5: halfway from [244,165,130] to [214,96,77]')
  t.same(block(128, 128), Array(4).fill([247, 247, 247]), 'exact: white')
  // Every pixel inside the frame (which covers the outermost row and column) is its code's colour.
  const img = errorImage(table, 10, 'linear')
  let wrong = 0
  for (let y = 1; y < 511; y++) {
    for (let x = 1; x < 511; x++) {
      const i = ((y >> 1) * 256 + (x >> 1)) * 4
      const p = (box.y + y) * info.width + box.x + x
      if (data[p * 4] !== img.data[i] || data[p * 4 + 1] !== img.data[i + 1] || data[p * 4 + 2] !== img.data[i + 2]) wrong++
    }
  }
  t.equal(wrong, 0, 'no pixel differs from the 256×256 image scaled ×2 by nearest neighbour')
})

t.test('axq mults plot writes a PNG and rejects other formats', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-plot-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const out = path.join(dir, 'm.png')
  const run = promisify(execFile)
  await run(process.execPath, [cliPath, 'mults', 'plot', 'trunc8u_k6', '--tune', '--out', out], {env: {...process.env, AXQ_HOME: dir}})
  const png = await sharp(out).metadata()
  t.same([png.format, png.width, png.height], ['png', 1458, 702], 'two 512-pixel panels and the colour bar, one pixel per figure unit')
  const bad = await run(process.execPath, [cliPath, 'mults', 'plot', 'trunc8u_k6', '--out', path.join(dir, 'm.jpg')], {env: {...process.env, AXQ_HOME: dir}}).catch((e) => e)
  t.equal(bad.code, 1)
  t.match(bad.stderr, /m\.jpg: a figure is written as \.png or \.svg, not '\.jpg'/)
})

t.test('colour bar ticks are symmetric around 0 when half the maximum error is a .5', async (t) => {
  const table = exactTable()
  table[255 * 256 + 255] -= 3521 // max |error| 3521: half is 1760.5
  const texts = (scale: 'linear' | 'sqrt') => errorMapFigure([{title: 'x', table}], {scale}).shapes
    .flatMap((s) => (s.kind === 'text' && /^[−-]?\d+$/.test(s.text) && Number(s.text.replace('−', '-')) % 64 !== 0 ? [s.text] : []))
  const linear = texts('linear')
  t.ok(linear.includes('1761') && linear.some((x) => /^[−-]1761$/.test(x)), `±1761: ${linear}`)
  t.notOk(linear.some((x) => /^[−-]1760$/.test(x)))
  const sqrt = texts('sqrt')
  t.ok(sqrt.includes('220') && sqrt.some((x) => /^[−-]220$/.test(x)), `3521/16 = 220.06 → ±220: ${sqrt}`)
})
