/**
 * Image folders against an independent reader: test/fixtures/images holds small PNG and JPEG files
 * (RGB, grey, grey+alpha, RGBA, palette PNGs; 4:2:0, 4:4:4 and grey JPEGs; sizes from 9x7 to
 * 300x260, tall and wide) written by Pillow, and what Pillow + numpy make of them following
 * torchvision's ImageFolder and transforms (scripts/fixtures/image_folder.py). The tests copy
 * the folder to a temporary one and add broken files next to it.
 *
 * Tolerances:
 * - PNG: identical, before and after resizing. Decoding PNG is exact in every decoder, and the
 *   resize is PIL's BILINEAR re-implemented with Pillow's own fixed-point arithmetic.
 * - JPEG: each decoded value within ±1 of Pillow's, and at most 2% of values off. JPEG decoders
 *   may differ in the inverse DCT (libjpeg's accurate integer ISLOW vs a float or SIMD variant)
 *   and in chroma upsampling ("fancy" triangle vs box), by one step here and there. Today sharp's
 *   libvips (mozjpeg) and Pillow (libjpeg-turbo) both use ISLOW with fancy upsampling and agree
 *   exactly (the test prints the largest difference it saw); the tolerance keeps a decoder update
 *   from failing the test while a real error (channel order, conversion, offset) would not pass.
 *   After resizing the same ±1 holds: the resize is exact, and a weighted mean of values within
 *   ±1 stays within ±1. After normalization a ±1 step is 1/255/std ≤ 0.0175 (std ≥ 0.224).
 */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import {decodeImage, listImageFolder, loadImage, openImageFolder} from '../../src/data/imageFolder.js'
import {centerCrop, resizeBilinear, shorterSideSize} from '../../src/data/imageTransforms.js'
import {normalizeImages, parseCrop, parseScale, preprocessPreset} from '../../src/data/imagePreprocessing.js'
import {dataKind, imageGeometry, openDataSource} from '../../src/data/dataSource.js'
import {readNpz} from '../../src/data/npz.js'
import {elementAsNumber, makeTensor, type Tensor} from '../../src/core/tensor.js'
import {fixturesDir} from '../helpers/paths.js'
import {axq, axqLines} from '../commands/cliRunner.js'

/** The CLI's error lines, without its notes. */
const errors = (stderr: string): string => axqLines(stderr).split('\n').filter((l) => !l.startsWith('axq: note:')).join('\n')

const fixtures = path.join(fixturesDir, 'images')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-images-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))
const folder = path.join(tmp, 'folder')
fs.cpSync(path.join(fixtures, 'folder'), folder, {recursive: true})
// Not an image: skipped by extension (torchvision does the same), counted.
fs.writeFileSync(path.join(folder, 'cat', 'README.txt'), 'notes\n')
// Files in the top folder are not in any class: ignored.
fs.writeFileSync(path.join(folder, 'LICENSE'), 'x\n')

interface Entry {
  file: string
  width: number
  height: number
  mode: string
  imagenet_sha256?: string
  imagenet_shape?: number[]
}
const meta = JSON.parse(fs.readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as {classes: string[]; files: Entry[]; resize: number; crop: [number, number]}
const expected = readNpz(path.join(fixtures, 'expected.npz'))
const bytesOf = (tensor: Tensor): Uint8Array => tensor.data as Uint8Array
const isJpeg = (file: string): boolean => /\.jpe?g$/i.test(file)
const smallIndices = meta.files.map((e, i) => (e.imagenet_sha256 ? -1 : i)).filter((i) => i >= 0)

/** Largest |a − b| and the share of values that differ. */
function difference(a: ArrayLike<number>, b: ArrayLike<number>): {max: number; share: number} {
  let max = 0
  let off = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i])
    if (d > 0) off++
    if (d > max) max = d
  }
  return {max, share: off / Math.max(1, a.length)}
}

t.test('classes, file order and labels are torchvision ImageFolder\'s', async (t) => {
  const listing = listImageFolder(folder)
  t.same(listing.classes, meta.classes)
  t.same(
    listing.files.map((f) => path.relative(folder, f).split(path.sep).join('/')),
    meta.files.map((e) => e.file),
  )
  const labels = expected.get('labels')!
  t.same(Array.from(listing.labels), Array.from({length: labels.shape[0]}, (_, i) => elementAsNumber(labels, i)))
  t.equal(listing.skipped, 1, 'README.txt left out')
  t.equal(dataKind(folder), 'image-folder')
})

t.test('decoding: PNG identical to Pillow\'s .convert(\'RGB\'), JPEG within ±1', async (t) => {
  let jpegMax = 0
  for (const i of smallIndices) {
    const entry = meta.files[i]
    const image = await decodeImage(path.join(folder, entry.file))
    t.same([image.width, image.height], [entry.width, entry.height], entry.file)
    const d = difference(image.data, bytesOf(expected.get(`full_${i}`)!))
    if (isJpeg(entry.file)) {
      jpegMax = Math.max(jpegMax, d.max)
      t.ok(d.max <= 1 && d.share <= 0.02, `${entry.file} (${entry.mode}): max difference ${d.max}, ${(100 * d.share).toFixed(2)}% of values`)
    } else t.equal(d.max, 0, `${entry.file} (${entry.mode}) identical`)
  }
  t.comment(`largest JPEG difference to Pillow: ${jpegMax}`)
})

t.test('resize of the shorter side + centre crop: PNG identical to Pillow/torchvision, JPEG within ±1', async (t) => {
  const geometry = {resize: meta.resize, crop: meta.crop}
  for (const i of smallIndices) {
    const entry = meta.files[i]
    const image = await loadImage(path.join(folder, entry.file), geometry)
    t.same([image.height, image.width], meta.crop)
    const d = difference(image.data, bytesOf(expected.get(`small_${i}`)!))
    if (isJpeg(entry.file)) t.ok(d.max <= 1 && d.share <= 0.02, `${entry.file}: max difference ${d.max}`)
    else t.equal(d.max, 0, `${entry.file} (${entry.width}x${entry.height}) identical`)
  }
})

t.test('a batch from the folder, normalized (ToTensor + Normalize), NCHW', async (t) => {
  const source = openDataSource(folder, {images: {resize: meta.resize, crop: meta.crop}})
  t.equal(source.count, meta.files.length)
  const batch = await source.batch(0, source.count)
  t.same(batch.images.shape, [meta.files.length, meta.crop[0], meta.crop[1], 3])
  t.equal(batch.images.dtype, 'uint8')
  const x = normalizeImages(batch.images, {...preprocessPreset('imagenet'), crop: meta.crop})
  t.same(x.shape, [meta.files.length, 3, meta.crop[0], meta.crop[1]])
  const want = expected.get('small_normalized')!.data as Float32Array
  const per = 3 * meta.crop[0] * meta.crop[1]
  smallIndices.forEach((i, k) => {
    const got = (x.data as Float32Array).subarray(i * per, (i + 1) * per)
    const d = difference(got, want.subarray(k * per, (k + 1) * per))
    if (isJpeg(meta.files[i].file)) t.ok(d.max <= 0.0175 + 1e-6, `${meta.files[i].file}: max difference ${d.max}`)
    else t.equal(d.max, 0, `${meta.files[i].file} bit-identical`)
  })
  // NHWC holds the same numbers, channels last.
  const nhwc = normalizeImages(batch.images, {...preprocessPreset('imagenet'), layout: 'NHWC'})
  t.same(nhwc.shape, [meta.files.length, meta.crop[0], meta.crop[1], 3])
  const [H, W] = meta.crop
  t.equal((nhwc.data as Float32Array)[((2 * H + 3) * W + 5) * 3 + 1], (x.data as Float32Array)[((2 * 3 + 1) * H + 3) * W + 5])
  // Wrapping around at the end, labels in step.
  const wrap = await source.batch(source.count - 1, 2)
  t.same(Array.from(wrap.labels), [batch.labels[source.count - 1], batch.labels[0]])
})

t.test('--preprocess imagenet (256, 224, /255, mean/std, NCHW) is bit-identical to torchvision\'s pipeline', async (t) => {
  const entry = meta.files.find((e) => e.imagenet_sha256)!
  const preset = preprocessPreset('imagenet')
  t.same(imageGeometry(preset), {resize: 256, crop: [224, 224]})
  const image = await loadImage(path.join(folder, entry.file), imageGeometry(preset))
  const x = normalizeImages(makeTensor('uint8', [1, 224, 224, 3], image.data), preset)
  t.same(x.shape, [1, ...entry.imagenet_shape!])
  const data = x.data as Float32Array
  t.equal(crypto.createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex'), entry.imagenet_sha256)
})

t.test('geometry: torchvision output sizes, banker\'s rounding of the crop offset, zero padding', async (t) => {
  t.same(shorterSideSize(500, 375, 256), {width: 341, height: 256})
  t.same(shorterSideSize(375, 500, 256), {width: 256, height: 341})
  t.same(shorterSideSize(7, 3, 2), {width: 4, height: 2}) // int(2*7/3) = 4
  const image = {width: 5, height: 4, data: Uint8Array.from({length: 60}, (_, i) => i)}
  // (5 - 2) / 2 = 1.5 rounds to 2, (4 - 1) / 2 = 1.5 rounds to 2
  t.same(Array.from(centerCrop(image, 1, 2).data), Array.from(image.data.subarray((2 * 5 + 2) * 3, (2 * 5 + 4) * 3)))
  // (5 - 4) / 2 = 0.5 rounds to 0
  t.same(Array.from(centerCrop(image, 4, 4).data.subarray(0, 3)), [0, 1, 2])
  // larger than the image: 1 column of zeros left, 2 right (left gets the smaller half)
  const padded = centerCrop({width: 1, height: 1, data: Uint8Array.from([9, 8, 7])}, 1, 4)
  t.same(Array.from(padded.data), [0, 0, 0, 9, 8, 7, 0, 0, 0, 0, 0, 0])
  // A constant image stays constant through any resize.
  const flat = resizeBilinear({width: 7, height: 3, data: new Uint8Array(63).fill(77)}, 20, 2)
  t.ok(flat.data.every((v) => v === 77))
  t.same(parseCrop('224', '--crop'), [224, 224])
  t.same(parseCrop('20,16', '--crop'), [20, 16])
  t.same(parseScale('1/255', '--scale'), {scale: 1 / 255, divisor: 255})
  t.same(parseScale('0.5', '--scale'), {scale: 0.5})
  t.same(imageGeometry({}, [32, 32]), {resize: 32, crop: [32, 32]})
  t.same(imageGeometry({resize: 40}, [32, 30]), {resize: 40, crop: [32, 30]})
})

t.test('bad folders and files: one clear error naming the culprit', async (t) => {
  const empty = path.join(tmp, 'empty')
  fs.mkdirSync(empty)
  t.throws(() => openDataSource(empty), {message: `${empty}: empty folder (expected one sub-folder of .jpg/.png images per class, or a CIFAR-10 data file)`})
  const flat = path.join(tmp, 'flat')
  fs.mkdirSync(flat)
  fs.copyFileSync(path.join(folder, 'cat', 'png-rgb_01.png'), path.join(flat, 'a.png'))
  t.throws(() => openDataSource(flat), {message: /flat: no class sub-folders/})
  const noImages = path.join(tmp, 'noimages')
  fs.mkdirSync(path.join(noImages, 'cls'), {recursive: true})
  fs.writeFileSync(path.join(noImages, 'cls', 'x.txt'), 'x')
  t.throws(() => openDataSource(noImages), {message: /cls: class folder without any \.jpg, \.jpeg or \.png file/})

  const broken = path.join(tmp, 'broken')
  fs.cpSync(path.join(folder, 'cat'), path.join(broken, 'cat'), {recursive: true})
  const fake = path.join(broken, 'cat', 'zz_fake.jpg')
  fs.writeFileSync(fake, 'this is text, not a JPEG\n')
  const source = openImageFolder(broken, {crop: [8, 8]})
  await t.rejects(source.batch(0, source.count), {message: `${fake}: not a JPEG or PNG image`, subject: fake})
  const truncated = path.join(broken, 'cat', 'zz_fake.jpg')
  const jpeg = fs.readFileSync(path.join(folder, 'cat', 'jpg-420_09.jpg'))
  fs.writeFileSync(truncated, jpeg.subarray(0, jpeg.length >> 1))
  await t.rejects(openImageFolder(broken, {crop: [8, 8]}).batch(0, 100), {message: new RegExp(`^${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable image`)})
  fs.rmSync(truncated)
  // Sizes differ and nothing says how to make them equal.
  await t.rejects(openImageFolder(broken).batch(0, 3), {message: /pixels, .* has .*; images of different sizes need --crop/})
})

t.test('the CLI: one line on stderr, exit 1', async (t) => {
  const empty = path.join(tmp, 'empty2')
  fs.mkdirSync(empty)
  const model = path.join(fixturesDir, '..', '..', 'examples', 'onnx', 'resnet20.onnx')
  const r = await axq('infer', model, '--data', empty, '--iterations', '1')
  t.equal(r.code, 1)
  t.equal(errors(r.stderr), `axq: ${empty}: empty folder (expected one sub-folder of .jpg/.png images per class, or a CIFAR-10 data file)`)
  t.notMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace')
  const bad = path.join(tmp, 'bad')
  fs.mkdirSync(path.join(bad, 'only'), {recursive: true})
  const file = path.join(bad, 'only', 'broken.png')
  fs.writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]))
  const r2 = await axq('infer', model, '--data', bad, '--iterations', '1', '--batch-size', '1')
  t.equal(r2.code, 1)
  t.match(errors(r2.stderr), new RegExp(`^axq: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a (JPEG or PNG|readable) image`))
  t.equal(errors(r2.stderr).split('\n').length, 1)
  const r3 = await axq('infer', model, '--data', folder, '--preprocess', 'resnet')
  t.equal(r3.code, 2)
  t.match(errors(r3.stderr), /^axq: --preprocess: unknown preset 'resnet' \(known: imagenet\)$/)
})
