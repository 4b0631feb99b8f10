/**
 * What turns pixels (0..255, RGB) into a model's input: the geometry of decoded image files
 * (resize of the shorter side, centre crop; see imageTransforms.ts), then per channel
 * x = (p · scale − mean[c]) / std[c] in float32 (or p / divisor when the scale is given as
 * 1/N, as torchvision's ToTensor divides by 255), laid out NCHW or NHWC. Named presets bundle the
 * settings of well-known model families.
 */
import {AxqError} from '../errors.js'
import {makeTensor, type Tensor} from '../core/tensor.js'

export type Layout = 'NCHW' | 'NHWC'

export interface Preprocessing {
  scale: number
  /** When set, pixels are divided by it (scale = 1/divisor), rounded once, as x / 255 in float32. */
  divisor?: number
  mean: number[]
  std: number[]
  /** The model input's layout (default NCHW). */
  layout?: Layout
  /** Image files: the shorter side is resized to this (bilinear, antialiased, as PIL/torchvision). */
  resize?: number
  /** Image files: centre crop [height, width] after resizing. */
  crop?: [number, number]
}

/** torchvision's ImageNet classification models (transforms.Resize(256), CenterCrop(224), ToTensor, Normalize). */
export const PREPROCESS_PRESETS: Record<string, Preprocessing> = {
  imagenet: {resize: 256, crop: [224, 224], scale: 1 / 255, divisor: 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW'},
}

export function preprocessPreset(name: string): Preprocessing {
  const preset = PREPROCESS_PRESETS[name.toLowerCase()]
  if (!preset) throw new AxqError(`--preprocess: unknown preset '${name}' (known: ${Object.keys(PREPROCESS_PRESETS).join(', ')})`, {subject: '--preprocess', exitCode: 2})
  return {...preset, mean: [...preset.mean], std: [...preset.std], crop: preset.crop && [...preset.crop]}
}

/** A scale as text: a number, or 1/N (then pixels are divided by N). */
export function parseScale(text: string, what: string): Pick<Preprocessing, 'scale' | 'divisor'> {
  const m = /^\s*1\s*\/\s*([0-9.eE+]+)\s*$/.exec(text)
  if (m) {
    const divisor = Number(m[1])
    if (Number.isFinite(divisor) && divisor > 0) return {scale: 1 / divisor, divisor}
  }
  const scale = Number(text.trim())
  if (text.trim() === '' || !Number.isFinite(scale)) throw new AxqError(`${what}: expected a number or 1/N, got '${text}'`, {subject: what, exitCode: 2})
  return {scale}
}

/** A crop as text: N (square) or H,W (also HxW). */
export function parseCrop(text: string, what: string): [number, number] {
  const parts = text.split(/[,x]/i).map((s) => Number(s.trim()))
  if ((parts.length === 1 || parts.length === 2) && parts.every((v) => Number.isInteger(v) && v >= 1 && v <= 16384)) {
    return parts.length === 1 ? [parts[0], parts[0]] : [parts[0], parts[1]]
  }
  throw new AxqError(`${what}: expected N or H,W (whole numbers of pixels, 1..16384), got '${text}'`, {subject: what, exitCode: 2})
}

export function parseLayout(text: string, what: string): Layout {
  const up = text.trim().toUpperCase()
  if (up === 'NCHW' || up === 'NHWC') return up
  throw new AxqError(`${what}: expected NCHW or NHWC, got '${text}'`, {subject: what, exitCode: 2})
}

/** NHWC images (0..255, float32 or uint8) → the model's float32 input. */
export function normalizeImages(images: Tensor, p: Preprocessing): Tensor {
  const [N, H, W, C] = images.shape
  const src = images.data as Float32Array | Uint8Array
  const out = new Float32Array(N * C * H * W)
  const f = Math.fround
  const scale = f(p.scale)
  const divisor = p.divisor === undefined ? undefined : f(p.divisor)
  const mean = p.mean.map(f)
  const std = p.std.map(f)
  const pixel = (v: number): number => (divisor === undefined ? f(v * scale) : f(v / divisor))
  const nchw = (p.layout ?? 'NCHW') === 'NCHW'
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H * W; i++) {
        const at = (n * H * W + i) * C + c
        out[nchw ? (n * C + c) * H * W + i : at] = f(f(pixel(src[at]) - mean[c]) / std[c])
      }
  return makeTensor('float32', nchw ? [N, C, H, W] : [N, H, W, C], out)
}
