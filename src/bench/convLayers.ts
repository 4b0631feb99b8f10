/**
 * The convolution layers `axq bench` times: ResNet-8's (built in), or the AxConv2D /
 * QuantizedConv2D nodes of a graph, with input sizes propagated from a given image size.
 */
import type {GraphDef} from '../graph/types.js'
import {readGraph} from '../graph/graphIO.js'
import {inferShapes} from '../graph/shapeInference.js'
import {parseInput} from '../graph/names.js'
import {readAttr} from '../graph/attrs.js'
import {tensorFromProto} from '../graph/tensorProto.js'
import {AxqError} from '../errors.js'
import type {Padding} from '../native/axconv.js'
import {convWindow} from '../native/axconv.js'

export interface ConvLayer {
  name: string
  /** Input height, width, channels of one image. */
  H: number
  W: number
  C: number
  KH: number
  KW: number
  K: number
  stride: number
  padding: Padding
  /** Filter codes (HWIO) when the graph holds them as a quint8 Const. */
  filter?: Uint8Array
  /** What this layer's input codes typically look like (for synthetic benchmark inputs). */
  typical?: {kind: 'relu' | 'uniform'; zeroPoint: number; floor: number}
}

/**
 * ResNet-8 for CIFAR-10 as in resnet_8_quant_ax.pb: the stride-2 convolutions read an
 * explicitly padded input (Pad 1+1, then VALID), as tensorflow/models' cifar10_estimator does.
 * `typical`: input statistics measured on 200 CIFAR-10 test images with the exact multiplier
 * (the input zero point, and the share of codes equal to it: the ReLU floor).
 */
export const RESNET8_LAYERS: readonly ConvLayer[] = [
  {name: 'conv2d', H: 32, W: 32, C: 3, KH: 3, KW: 3, K: 16, stride: 1, padding: 'SAME', typical: {kind: 'uniform', zeroPoint: 124, floor: 0}},
  {name: 'stage/conv2d', H: 32, W: 32, C: 16, KH: 3, KW: 3, K: 16, stride: 1, padding: 'SAME', typical: {kind: 'relu', zeroPoint: 110, floor: 0.44}},
  {name: 'stage/conv2d_1', H: 32, W: 32, C: 16, KH: 3, KW: 3, K: 16, stride: 1, padding: 'SAME', typical: {kind: 'relu', zeroPoint: 123, floor: 0.56}},
  {name: 'stage_1/conv2d', H: 34, W: 34, C: 16, KH: 3, KW: 3, K: 32, stride: 2, padding: 'VALID', typical: {kind: 'relu', zeroPoint: 0, floor: 0.44}},
  {name: 'stage_1/conv2d_1', H: 16, W: 16, C: 32, KH: 3, KW: 3, K: 32, stride: 1, padding: 'SAME', typical: {kind: 'relu', zeroPoint: 146, floor: 0.59}},
  {name: 'stage_2/conv2d', H: 18, W: 18, C: 32, KH: 3, KW: 3, K: 64, stride: 2, padding: 'VALID', typical: {kind: 'relu', zeroPoint: 0, floor: 0.63}},
  {name: 'stage_2/conv2d_1', H: 8, W: 8, C: 64, KH: 3, KW: 3, K: 64, stride: 1, padding: 'SAME', typical: {kind: 'relu', zeroPoint: 145, floor: 0.79}},
]

/** Multiply-accumulates of one image through the layer. */
export function layerMacs(l: ConvLayer): number {
  const w = convWindow(l.H, l.W, l.KH, l.KW, l.stride, l.padding, 'tensorflow', l.name)
  return w.Ho * w.Wo * l.K * l.KH * l.KW * l.C
}

/**
 * A layer from `HxWxCin:Cout:k:stride` (e.g. 16x16x256:256:3:1): a k×k filter, SAME padding,
 * named after the spec.
 */
export function parseLayerShape(spec: string): ConvLayer {
  const m = /^(\d+)x(\d+)x(\d+):(\d+):(\d+):(\d+)$/.exec(spec.trim())
  if (!m) throw new AxqError(`--shape '${spec}': expected HxWxCin:Cout:k:stride, e.g. 16x16x256:256:3:1`, {subject: '--shape'})
  const [H, W, C, K, k, stride] = m.slice(1).map(Number)
  const limit = 1 << 16
  for (const [name, v] of [['H', H], ['W', W], ['Cin', C], ['Cout', K], ['k', k], ['stride', stride]] as const) {
    if (!(v >= 1 && v <= limit)) throw new AxqError(`--shape '${spec}': ${name} must be between 1 and ${limit}, got ${v}`, {subject: '--shape'})
  }
  return {name: spec.trim(), H, W, C, KH: k, KW: k, K, stride, padding: 'SAME'}
}

const CONV_OPS = new Set(['AxConv2D', 'QuantizedConv2D'])

/** The conv layers of a graph, input sizes from `[1, size, size, channels]` at its placeholder. */
export function convLayersOfGraph(file: string, imageSize = 32, graph: GraphDef = readGraph(file)): ConvLayer[] {
  const placeholders = graph.node.filter((n) => n.op === 'Placeholder' || n.op === 'PlaceholderV2')
  if (placeholders.length !== 1) throw new AxqError(`${file}: expected one Placeholder to feed ${imageSize}x${imageSize} images, found ${placeholders.length}`, {subject: file})
  const channels = 3
  const shapes = inferShapes(graph, {[placeholders[0].name]: [1, imageSize, imageSize, channels]})
  const byName = new Map(graph.node.map((n) => [n.name, n]))
  const layers: ConvLayer[] = []
  for (const node of graph.node) {
    if (!CONV_OPS.has(node.op)) continue
    const where = `${file}: node '${node.name}'`
    const inShape = shapes.shape(node.input[0])
    const fShape = shapes.shape(node.input[1])
    if (!inShape || inShape.length !== 4 || inShape.some((d) => d < 1) || !fShape || fShape.length !== 4 || fShape.some((d) => d < 1)) {
      throw new AxqError(`${where}: cannot tell its input and filter shapes from a ${imageSize}x${imageSize} input`, {subject: node.name})
    }
    const strides = readAttr.intList(node.attr.strides ?? {}, `${where} attr 'strides'`)
    const padding = readAttr.string(node.attr.padding ?? {}, `${where} attr 'padding'`)
    if (padding !== 'SAME' && padding !== 'VALID') throw new AxqError(`${where}: padding '${padding}'`, {subject: node.name})
    let filter: Uint8Array | undefined
    const source = byName.get(parseInput(node.input[1]).node)
    if (source?.op === 'Const' && source.attr.value?.tensor) {
      const t = tensorFromProto(source.attr.value.tensor, `${where} filter`)
      if (t.dtype === 'quint8') filter = t.data as Uint8Array
    }
    layers.push({
      name: node.name,
      H: inShape[1], W: inShape[2], C: inShape[3],
      KH: fShape[0], KW: fShape[1], K: fShape[3],
      stride: strides[1] ?? 1,
      padding,
      filter,
    })
  }
  if (layers.length === 0) throw new AxqError(`${file}: no AxConv2D or QuantizedConv2D node to benchmark`, {subject: file})
  return layers
}
