/**
 * The two front ends as infer sees them: a model that takes a batch of images and returns
 * logits, with its approximate layers as exec-graph nodes (AxMult/AxTune attrs).
 * - GraphDef: images fed as they come (NHWC, 0..255, float32 or uint8 per the placeholder).
 * - ONNX: float32 NCHW (or NHWC), preprocessed x = (pixel · scale − mean[c]) / std[c] in float32
 *   with scale/mean/std/layout from flags or the model's metadata_props (axq.preprocess.*,
 *   axq.input.layout); data that is already preprocessed (.npz x, .npy) is fed unchanged.
 * Both tell the spatial size they take (`imageSize`), which image folders are cropped to unless
 * told otherwise.
 */
import type {GraphDef, NodeDef} from '../graph/types.js'
import {readGraph} from '../graph/graphIO.js'
import {readAttr} from '../graph/attrs.js'
import {nodeNameFromInput} from '../graph/names.js'
import {requiredInputNodes, sinkNodes} from '../graph/endpoints.js'
import {Session, type NodeProfile, type OpProfile} from '../runtime/session.js'
import type {RunOptions} from '../runtime/opRegistry.js'
import '../runtime/ops/index.js'
import {makeTensor, shapeString, type Tensor} from '../core/tensor.js'
import {AxqError} from '../errors.js'
import {isOnnxFile, readOnnxModel, type OnnxModel} from '../formats/onnx/onnxModel.js'
import {OnnxSession} from '../formats/onnx/onnxSession.js'
import {APPROXIMATE_ONNX_OPS} from '../runtime/ops/onnx/qlinearConv.js'
import {normalizeImages, parseCrop, parseLayout, parseScale, type Preprocessing} from '../data/imagePreprocessing.js'

export const APPROXIMATE_OPS = new Set(['AxConv2D'])

export type {Preprocessing}

export interface InferModel {
  format: 'graphdef' | 'onnx'
  /** The exec graph whose nodes carry AxMult/AxTune. */
  graph: GraphDef
  approximateOps: ReadonlySet<string>
  /** What the approximate layers are called in messages. */
  layerKind: string
  input: string
  output: string
  preprocessing?: Preprocessing
  /** [height, width] of the images the model takes, when its input shape fixes them. */
  imageSize?: [number, number]
  /** Logits for a batch: raw images (NHWC 0..255) or, when `preprocessed`, the model's own input. */
  run(images: Tensor, preprocessed: boolean): Promise<Tensor>
  profile(): OpProfile[]
  nodeProfile(): NodeProfile[]
}

export interface ModelOptions {
  graph: string
  input?: string
  output?: string
  preprocessing?: Partial<Preprocessing>
}

export function openInferModel(options: ModelOptions, run: RunOptions): InferModel {
  return isOnnxFile(options.graph) ? openOnnx(options, run) : openGraphDef(options, run)
}

function chooseEndpoint(kind: 'input' | 'output', given: string | undefined, candidates: string[], known: (name: string) => boolean, file: string, what: string): string {
  if (given !== undefined) {
    if (!known(given)) throw new AxqError(`--${kind}: no ${kind === 'input' ? 'input' : 'node or tensor'} '${given}' in ${file}`, {subject: `--${kind}`})
    return given
  }
  if (candidates.length !== 1) {
    const names = candidates.slice(0, 5).join(', ')
    throw new AxqError(`${file} has ${candidates.length} ${what}${names ? ` (${names})` : ''}: choose one with --${kind}`, {subject: `--${kind}`})
  }
  return candidates[0]
}

function openGraphDef(options: ModelOptions, runOptions: RunOptions): InferModel {
  const graph = readGraph(options.graph)
  const known = (name: string): boolean => graph.node.some((n) => n.name === nodeNameFromInput(name))
  const input = chooseEndpoint('input', options.input, requiredInputNodes(graph).map((n) => n.name), known, options.graph, 'placeholders')
  const output = chooseEndpoint('output', options.output, sinkNodes(graph).map((n) => n.name), known, options.graph, 'sinks')
  const placeholder = graph.node.find((n) => n.name === nodeNameFromInput(input))
  const session = new Session(graph, runOptions)
  session.check([input], [output])
  const shape = placeholder?.attr.shape ? readAttr.shape(placeholder.attr.shape, `node '${placeholder.name}' attr shape`) : undefined
  return {
    format: 'graphdef',
    imageSize: shape && shape.length === 4 && shape[1] > 0 && shape[2] > 0 ? [shape[1], shape[2]] : undefined,
    graph,
    approximateOps: APPROXIMATE_OPS,
    layerKind: 'AxConv2D',
    input,
    output,
    run: async (images) => (await session.run({[input]: adaptImages(images, placeholder)}, [output]))[0],
    profile: () => session.profile(),
    nodeProfile: () => session.nodeProfile(),
  }
}

function adaptImages(images: Tensor, placeholder: NodeDef | undefined): Tensor {
  if (!placeholder || !placeholder.attr.dtype) return images
  const dtype = readAttr.type(placeholder.attr.dtype, `node '${placeholder.name}' attr dtype`)
  if (dtype === 'float32') return images.dtype === 'float32' ? images : makeTensor('float32', images.shape, Float32Array.from(images.data as Uint8Array))
  if (dtype === 'uint8') return images.dtype === 'uint8' ? images : makeTensor('uint8', images.shape, Uint8Array.from(images.data as Float32Array))
  throw new AxqError(`input node '${placeholder.name}' takes ${dtype}; axq feeds images as float32 or uint8`, {subject: placeholder.name})
}

function numbers(text: string, what: string, count?: number): number[] {
  const values = text.split(',').map((s) => Number(s.trim()))
  if (values.some((v) => !Number.isFinite(v)) || (count !== undefined && values.length !== 1 && values.length !== count)) {
    throw new AxqError(`${what}: expected ${count === undefined ? 'a number' : `1 or ${count} comma-separated numbers`}, got '${text}'`, {subject: what})
  }
  return values
}

/**
 * Preprocessing: flags first, then metadata_props (axq.preprocess.scale/mean/std/resize/crop,
 * axq.input.layout), else identity (NCHW, no resize or crop).
 */
export function onnxPreprocessing(model: OnnxModel, given: Partial<Preprocessing> = {}, channels = 3): Preprocessing {
  const meta = model.metadata
  const where = (key: string) => `${model.file} metadata ${key}`
  const metaScale = meta['axq.preprocess.scale'] ? parseScale(meta['axq.preprocess.scale'], where('axq.preprocess.scale')) : {scale: 1}
  const scale = given.scale !== undefined ? {scale: given.scale, divisor: given.divisor} : metaScale
  const spread = (v: number[]) => (v.length === 1 ? new Array<number>(channels).fill(v[0]) : v)
  const mean = spread(given.mean ?? (meta['axq.preprocess.mean'] ? numbers(meta['axq.preprocess.mean'], where('axq.preprocess.mean'), channels) : [0]))
  const std = spread(given.std ?? (meta['axq.preprocess.std'] ? numbers(meta['axq.preprocess.std'], where('axq.preprocess.std'), channels) : [1]))
  if (mean.length !== channels || std.length !== channels) throw new AxqError(`--mean/--std: give 1 or ${channels} values`, {subject: '--mean'})
  if (std.some((s) => s === 0)) throw new AxqError('--std: a standard deviation of 0', {subject: '--std'})
  const layout = given.layout ?? (meta['axq.input.layout'] ? parseLayout(meta['axq.input.layout'], where('axq.input.layout')) : 'NCHW')
  const resize = given.resize ?? (meta['axq.preprocess.resize'] ? numbers(meta['axq.preprocess.resize'], where('axq.preprocess.resize'))[0] : undefined)
  const crop = given.crop ?? (meta['axq.preprocess.crop'] ? parseCrop(meta['axq.preprocess.crop'], where('axq.preprocess.crop')) : undefined)
  return {...scale, mean, std, layout, ...(resize === undefined ? {} : {resize}), ...(crop === undefined ? {} : {crop})}
}

/**
 * How images become an ONNX model's input: the preprocessing (flags over metadata_props; the
 * channel count from the input's shape in its layout) and the spatial size the input takes.
 */
export function onnxInputForm(model: OnnxModel, input: {shape?: number[]}, given: Partial<Preprocessing> = {}): {preprocessing: Preprocessing; imageSize?: [number, number]} {
  const nhwc = (given.layout ?? model.metadata['axq.input.layout'] ?? '').toUpperCase() === 'NHWC'
  const four = input.shape && input.shape.length === 4 ? input.shape : undefined
  const [cAxis, hAxis, wAxis] = nhwc ? [3, 1, 2] : [1, 2, 3]
  const channels = four && four[cAxis] > 0 ? four[cAxis] : 3
  const imageSize: [number, number] | undefined = four && four[hAxis] > 0 && four[wAxis] > 0 ? [four[hAxis], four[wAxis]] : undefined
  return {preprocessing: onnxPreprocessing(model, given, channels), ...(imageSize ? {imageSize} : {})}
}

/** NHWC images (0..255) → NCHW float32, x = (p·scale − mean[c]) / std[c] in float32. */
export function preprocessNchw(images: Tensor, p: Preprocessing): Tensor {
  return normalizeImages(images, {...p, layout: 'NCHW'})
}

function openOnnx(options: ModelOptions, runOptions: RunOptions): InferModel {
  const model = readOnnxModel(options.graph)
  const inputs = model.inputs.map((i) => i.name)
  const input = chooseEndpoint('input', options.input, inputs, (n) => inputs.includes(n), options.graph, 'inputs')
  const output = chooseEndpoint('output', options.output, model.outputs.map((o) => o.name), (n) => model.keyOf.has(n), options.graph, 'outputs')
  const info = model.inputs.find((i) => i.name === input)!
  if (info.dtype && info.dtype !== 'float32') throw new AxqError(`${options.graph}: input '${input}' takes ${info.dtype}; axq feeds float32 NCHW images`, {subject: input})
  const {preprocessing, imageSize} = onnxInputForm(model, info, options.preprocessing)
  const session = new OnnxSession(model, runOptions)
  session.check([input], [output])
  return {
    format: 'onnx',
    graph: model.graph,
    approximateOps: APPROXIMATE_ONNX_OPS,
    layerKind: 'quantized Conv/MatMul/Gemm',
    input,
    output,
    preprocessing,
    imageSize,
    async run(images, preprocessed) {
      const x = preprocessed ? images : normalizeImages(images, preprocessing)
      if (info.shape && info.shape.length === x.shape.length && info.shape.some((d, i) => d > 0 && d !== x.shape[i])) {
        throw new AxqError(`${options.graph}: input '${input}' has shape ${shapeString(info.shape.map((d) => (d < 0 ? -1 : d)))}, the data gives ${shapeString(x.shape)}`, {subject: input})
      }
      return (await session.run({[input]: x}, [output]))[0]
    },
    profile: () => session.session.profile(),
    nodeProfile: () => session.session.nodeProfile(),
  }
}
