/**
 * sharp (libvips: image decoding, PNG encoding, SVG rasterizing), loaded on first use: loading
 * it takes about 60 ms that commands never touching an image (e.g. `infer` on CIFAR files) need
 * not pay.
 */
import type Sharp from 'sharp'

let loading: Promise<typeof Sharp> | undefined

export function imageCodec(): Promise<typeof Sharp> {
  loading ??= import('sharp').then((m) => m.default)
  return loading
}
