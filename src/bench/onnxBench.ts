/**
 * `axq bench --graph MODEL.onnx --data D`: a timed end-to-end inference of an ONNX model with its
 * multiply-heavy layers (shapes, MACs per image from `inspect`), the end-to-end GMAC/s over all
 * layers, and the time per op type.
 */
import {runInference} from '../infer/inference.js'
import {summarizeOnnx} from '../formats/onnx/onnxSummary.js'
import type {LayerSummary} from '../graph/graphSummary.js'
import type {EndToEndOptions} from './convBench.js'

export interface OnnxBenchResult {
  layers: LayerSummary[]
  macsPerImage: number
  images: number
  seconds: number
  imagesPerSecond: number
  gmacsPerSecond: number
  accuracy: number
  profile: {op: string; calls: number; seconds: number; cpuSeconds: number}[]
}

export async function benchOnnx(options: EndToEndOptions): Promise<OnnxBenchResult> {
  const summary = await summarizeOnnx(options.graph)
  const r = await runInference({...options, profile: true})
  return {
    layers: summary.layers,
    macsPerImage: summary.macsPerImage,
    images: r.images,
    seconds: r.seconds,
    imagesPerSecond: r.images / r.seconds,
    gmacsPerSecond: (summary.macsPerImage * r.images) / r.seconds / 1e9,
    accuracy: r.accuracy,
    profile: r.profile ?? [],
  }
}
