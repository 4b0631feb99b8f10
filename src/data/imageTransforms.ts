/**
 * The geometric part of torchvision's ImageNet preprocessing on decoded RGB images, with the
 * arithmetic of the PIL path torchvision takes (transforms.Resize / CenterCrop on PIL images):
 *   - resizeShorterSide: the shorter side becomes `size`, the longer int(size · long / short);
 *     the filter is PIL's BILINEAR (triangle) *with antialiasing*: when shrinking, the triangle's
 *     support is widened by the shrink factor, so every source pixel contributes (Pillow's
 *     Image.resize, which torchvision calls). Horizontal pass, rounded to 8 bits, then vertical;
 *     weights in 22-bit fixed point, rounded as Pillow rounds them, so results are Pillow's to the bit.
 *   - centerCrop: offsets round((size − crop) / 2) with Python's round-half-to-even; a crop larger
 *     than the image pads with 0 first (left/top get the smaller half), as torchvision does.
 * Images are 8-bit RGB, row-major HWC.
 */

export interface RgbImage {
  width: number
  height: number
  /** width · height · 3 bytes, HWC. */
  data: Uint8Array
}

const PRECISION_BITS = 22

/** The output size of torchvision's Resize(size) (an int) for an image of width × height. */
export function shorterSideSize(width: number, height: number, size: number): {width: number; height: number} {
  if (width <= height) return {width: size, height: Math.trunc((size * height) / width)}
  return {width: Math.trunc((size * width) / height), height: size}
}

/** Per output pixel: first source pixel, count, and fixed-point weights (ksize per pixel). */
interface Coefficients {
  ksize: number
  bounds: Int32Array
  weights: Int32Array
}

function bilinear(x: number): number {
  const a = Math.abs(x)
  return a < 1 ? 1 - a : 0
}

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize
  const filterScale = Math.max(scale, 1)
  const support = 1 * filterScale
  const ksize = Math.ceil(support) * 2 + 1
  const bounds = new Int32Array(outSize * 2)
  const weights = new Int32Array(outSize * ksize)
  const k = new Float64Array(ksize)
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale
    const ss = 1 / filterScale
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0)
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin
    let sum = 0
    for (let x = 0; x < xmax; x++) {
      k[x] = bilinear((x + xmin - center + 0.5) * ss)
      sum += k[x]
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? k[x] / sum : k[x]
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS))
    }
    bounds[xx * 2] = xmin
    bounds[xx * 2 + 1] = xmax
  }
  return {ksize, bounds, weights}
}

const clip8 = (v: number): number => {
  const r = v >> PRECISION_BITS
  return r < 0 ? 0 : r > 255 ? 255 : r
}

/** Resample along one axis: `stride` bytes between neighbours on that axis, `lines` lines of `lineStride`. */
function resampleAxis(src: Uint8Array, dst: Uint8Array, c: Coefficients, outSize: number, lines: number, srcStep: number, srcLine: number, dstStep: number, dstLine: number): void {
  const half = 1 << (PRECISION_BITS - 1)
  for (let line = 0; line < lines; line++) {
    for (let xx = 0; xx < outSize; xx++) {
      const xmin = c.bounds[xx * 2]
      const count = c.bounds[xx * 2 + 1]
      const k = xx * c.ksize
      let r = half
      let g = half
      let b = half
      let p = line * srcLine + xmin * srcStep
      for (let x = 0; x < count; x++, p += srcStep) {
        const w = c.weights[k + x]
        r += src[p] * w
        g += src[p + 1] * w
        b += src[p + 2] * w
      }
      const q = line * dstLine + xx * dstStep
      dst[q] = clip8(r)
      dst[q + 1] = clip8(g)
      dst[q + 2] = clip8(b)
    }
  }
}

/** Pillow's Image.resize((width, height), BILINEAR) of an RGB image. */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  let {data} = image
  let w = image.width
  if (width !== image.width) {
    const out = new Uint8Array(width * image.height * 3)
    resampleAxis(data, out, coefficients(image.width, width), width, image.height, 3, image.width * 3, 3, width * 3)
    data = out
    w = width
  }
  if (height !== image.height) {
    const out = new Uint8Array(w * height * 3)
    // Columns are the lines here: neighbours one row apart.
    resampleAxis(data, out, coefficients(image.height, height), height, w, w * 3, 3, w * 3, 3)
    data = out
  }
  return {width, height, data: data === image.data ? data.slice() : data}
}

/** torchvision's Resize(size) with an int size on a PIL image. */
export function resizeShorterSide(image: RgbImage, size: number): RgbImage {
  const out = shorterSideSize(image.width, image.height, size)
  if (out.width === image.width && out.height === image.height) return image
  return resizeBilinear(image, out.width, out.height)
}

/** Python's round() of a multiple of 0.5: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x)
  if (x - f !== 0.5) return Math.round(x)
  return f % 2 === 0 ? f : f + 1
}

/** First source index of a centred window of `crop` over `size` (negative: zero padding first). */
function cropOffset(size: number, crop: number): number {
  return crop > size ? -Math.floor((crop - size) / 2) : roundHalfEven((size - crop) / 2)
}

/** torchvision's CenterCrop([height, width]) of a PIL image, padding with 0 where the crop is larger. */
export function centerCrop(image: RgbImage, height: number, width: number): RgbImage {
  if (height === image.height && width === image.width) return image
  const top = cropOffset(image.height, height)
  const left = cropOffset(image.width, width)
  const out = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    const sy = y + top
    if (sy < 0 || sy >= image.height) continue
    const x0 = Math.max(0, -left)
    const x1 = Math.min(width, image.width - left)
    if (x1 <= x0) continue
    out.set(image.data.subarray((sy * image.width + x0 + left) * 3, (sy * image.width + x1 + left) * 3), (y * width + x0) * 3)
  }
  return {width, height, data: out}
}
