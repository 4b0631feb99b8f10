import {execFile} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import sharp from 'sharp'
import t from 'tap'
import {escapeXml, Figure, textWidth} from '../../src/plot/figure.js'
import {saveFigure} from '../../src/plot/saveFigure.js'
import {repoRoot} from '../helpers/paths.js'

async function decode(png: Buffer | string) {
  const {data, info} = await sharp(png).ensureAlpha().raw().toBuffer({resolveWithObject: true})
  const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4))
  return {width: info.width, height: info.height, at}
}

function tempDir(t: {teardown: (fn: () => void) => void}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-figure-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  return dir
}

t.test('SVG text: escaped, placed by anchor and baseline, rotated about its point', async (t) => {
  t.equal(escapeXml('a<b & "c" \u0001'), 'a&lt;b &amp; &quot;c&quot; \ufffd')
  const fig = new Figure(200, 100)
  fig.text(10, 20, 'top <left>', {size: 10, baseline: 'top'})
  fig.text(100, 50, 'T[a][w] − a·w  ×2', {size: 20, anchor: 'middle', baseline: 'middle', bold: true, color: '#444444'})
  fig.text(30, 90, 'up', {rotate: -90, anchor: 'end'})
  const svg = await fig.toSvg()
  t.match(svg, /font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" xml:space="preserve">/, 'a font stack ending in the generic family; runs of spaces kept')
  t.match(svg, /<text x="10" y="27.60" font-size="10" fill="#000000" text-anchor="start">top &lt;left&gt;<\/text>/, 'top: baseline 0.76 em below the point')
  t.match(svg, /<text x="100" y="57.20" font-size="20" fill="#444444" text-anchor="middle" font-weight="bold">T\[a\]\[w\] − a·w {2}×2<\/text>/, 'middle: 0.36 em')
  t.match(svg, /<text x="30" y="90" font-size="14" fill="#000000" text-anchor="end" transform="rotate\(-90 30 90\)">up<\/text>/)
  t.equal((svg.match(/<image /g) ?? []).length, 0)
})

t.test('raster images stay pixel-exact: nearest-neighbour, every pixel its cell colour', async (t) => {
  const cells = [[255, 0, 0], [0, 128, 0], [0, 0, 255], [17, 34, 51], [250, 250, 250], [1, 2, 3]]
  const data = Uint8Array.from(cells.flatMap((c) => [...c, 255]))
  const fig = new Figure(40, 30, '#000000').image(5, 7, 12, 8, {width: 3, height: 2, data})
  const svg = await fig.toSvg()
  t.match(svg, /<image x="5" y="7" width="12" height="8" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image\/png;base64,/)
  const embedded = await decode(Buffer.from(/base64,([^"]+)"/.exec(svg)![1], 'base64'))
  t.same([embedded.width, embedded.height, embedded.at(2, 1)], [3, 2, [1, 2, 3, 255]], 'the data URI holds the image unscaled')
  const png = await decode(await fig.toPng())
  t.same([png.width, png.height], [40, 30])
  const wrong: string[] = []
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 12; x++) {
      const want = [...cells[Math.floor(y / 4) * 3 + Math.floor(x / 4)], 255]
      if (png.at(5 + x, 7 + y).join() !== want.join()) wrong.push(`(${x}, ${y}): ${png.at(5 + x, 7 + y)} not ${want}`)
    }
  }
  t.same(wrong, [], 'each 4×4 block is exactly its cell')
  t.same(png.at(4, 7), [0, 0, 0, 255], 'nothing bleeds out of the box')
  t.same(png.at(17, 14), [0, 0, 0, 255])
  t.throws(() => new Figure(10, 10).image(0, 0, 1, 1, {width: 2, height: 2, data: new Uint8Array(15)}), /must hold 16 bytes, has 15/)
})

t.test('text width estimate covers the rendered text (labels are laid out with it)', async (t) => {
  const label = 'mul8u_1JFF tuned (139 codes remapped) −0.25'
  const fig = new Figure(600, 40).text(0, 30, label, {size: 16, bold: true})
  const {data, info} = await sharp(await fig.toPng()).greyscale().raw().toBuffer({resolveWithObject: true})
  let right = 0
  for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) if (data[y * info.width + x] < 128) right = Math.max(right, x + 1)
  const estimate = textWidth(label, 16, true)
  t.ok(right > 200, `text rendered (${right} px)`)
  t.ok(estimate >= right && estimate <= 1.3 * right, `estimate ${estimate.toFixed(0)} px for ${right} px drawn`)
})

t.test('saveFigure writes .svg and .png atomically and never clobbers on failure', async (t) => {
  const dir = tempDir(t)
  const fig = new Figure(64, 48).rect(8, 8, 20, 10, {fill: '#4e79a7'}).text(4, 44, 'ok')
  await saveFigure(fig, path.join(dir, 'f.svg'))
  t.match(fs.readFileSync(path.join(dir, 'f.svg'), 'utf8'), /^<svg [^]*<\/svg>\n$/)
  await saveFigure(fig, path.join(dir, 'f.png'))
  const png = await decode(path.join(dir, 'f.png'))
  t.same([png.width, png.height, png.at(15, 12)], [64, 48, [0x4e, 0x79, 0xa7, 255]])
  fs.writeFileSync(path.join(dir, 'old.png'), 'old')
  await t.rejects(saveFigure(new Figure(0, 0), path.join(dir, 'old.png')), 'an SVG that cannot be rendered')
  t.equal(fs.readFileSync(path.join(dir, 'old.png'), 'utf8'), 'old', 'the old file is untouched')
  fs.mkdirSync(path.join(dir, 'folder.png'))
  await t.rejects(saveFigure(fig, path.join(dir, 'folder.png')), /refusing to write .*folder\.png: it is a folder/)
  t.same(fs.readdirSync(dir).sort(), ['f.png', 'f.svg', 'folder.png', 'old.png'], 'no temporaries left')
})

t.test('a PNG is still drawn on a machine without any font (text as boxes, no crash)', async (t) => {
  const dir = tempDir(t)
  const conf = path.join(dir, 'fonts.conf')
  fs.writeFileSync(conf, `<?xml version="1.0"?>\n<fontconfig><cachedir>${path.join(dir, 'cache')}</cachedir></fontconfig>\n`)
  const out = path.join(dir, 'nofont.png')
  const script = `const {Figure} = await import(${JSON.stringify(path.join(repoRoot, 'dist/src/plot/figure.js'))}); const {saveFigure} = await import(${JSON.stringify(path.join(repoRoot, 'dist/src/plot/saveFigure.js'))}); await saveFigure(new Figure(120, 40).text(4, 30, 'no font here', {size: 16}), ${JSON.stringify(out)})`
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {env: {...process.env, FONTCONFIG_FILE: conf}})
  const png = await decode(out)
  t.same([png.width, png.height], [120, 40])
})
