/**
 * MinMax calibration as onnxruntime's quantize_static does it (onnxruntime/python/tools/
 * quantization/calibrate.py, MinMaxCalibrater): run the float model on the calibration images and
 * keep, for every tensor to calibrate, the lowest and highest value seen. The tensors are the
 * float inputs and outputs of every node whose op onnxruntime quantizes (QUANTIZED_OP_TYPES),
 * initializers excepted (outputs of Constant nodes, e.g. Clip's bounds, are calibrated too).
 * onnxruntime runs the model with graph optimisations disabled; axq's float kernels give exactly
 * its values there (cpp/onnx_float_plan.h), so the ranges are onnxruntime's, not approximations of
 * them. Minimum and maximum do not depend on the order of the images, so neither do the ranges on
 * the batch size. Ranges are asymmetric (onnxruntime's default, no CalibTensorRangeSymmetric);
 * widening to include zero happens later, when quantization parameters are computed.
 */
import {AxqError} from '../../../errors.js'
import {shapeString, type Tensor} from '../../../core/tensor.js'
import {imageGeometry, openDataSource, type DataSource} from '../../../data/dataSource.js'
import {normalizeImages} from '../../../data/imagePreprocessing.js'
import {onnxInputForm, type Preprocessing} from '../../../infer/inferModel.js'
import {readOnnxModel, type OnnxModel} from '../onnxModel.js'
import {OnnxSession} from '../onnxSession.js'
import type {TensorRange} from './params.js'
import {QUANTIZED_OP_TYPES} from './rewrite.js'
import {quantizeFile, type QuantizeFileRequest, type QuantizeFileResult} from './quantizeFile.js'

export interface CalibrateRequest {
  /** float ONNX model file */
  model: string
  /** calibration data: anything `axq infer` reads (openDataSource) */
  data: string
  /** how many images, from the first (default: all) */
  images?: number
  /** images per run of the model (default 32; the ranges do not depend on it) */
  batchSize?: number
  threads?: number
  /** pixel preprocessing (default: the model's metadata_props, as infer) */
  preprocessing?: Partial<Preprocessing>
  /** dataset already opened (tests) */
  dataset?: DataSource
  onProgress?: (done: number, total: number) => void
  /** image folders: images decoded so far, of `total` */
  onDecoded?: (decoded: number, total: number) => void
}

export interface CalibrationResult {
  ranges: Map<string, TensorRange>
  images: number
  source: string
}

/** Names of the tensors onnxruntime's MinMax calibrator measures, in graph order. */
export function tensorsToCalibrate(model: OnnxModel): string[] {
  const produced = new Set<string>(model.inputs.map((i) => i.name))
  for (const n of model.nodes) for (const o of n.outputs) if (o) produced.add(o)
  // Outputs of Constant nodes are constants to the executor but not initializers to onnxruntime.
  for (const name of model.constantNodeOutputs) produced.add(name)
  const seen = new Set<string>()
  const names: string[] = []
  for (const n of model.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue
    if (!QUANTIZED_OP_TYPES.has(n.op)) continue
    for (const t of [...n.inputs, ...n.outputs]) {
      if (!t || seen.has(t) || !produced.has(t)) continue
      seen.add(t)
      names.push(t)
    }
  }
  return names
}

function update(ranges: Map<string, TensorRange>, name: string, t: Tensor): void {
  if (t.dtype !== 'float32') return // onnxruntime calibrates float tensors only
  const data = t.data as Float32Array
  if (data.length === 0) return
  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  const r = ranges.get(name)
  if (!r) ranges.set(name, {lowest: lo, highest: hi})
  else {
    if (lo < r.lowest) r.lowest = lo
    if (hi > r.highest) r.highest = hi
  }
}

export async function calibrate(request: CalibrateRequest): Promise<CalibrationResult> {
  const model = readOnnxModel(request.model)
  if (model.inputs.length !== 1) {
    throw new AxqError(`${request.model}: axq calibrates models with one input; this one has ${model.inputs.length} (${model.inputs.map((i) => i.name).join(', ')})`, {subject: request.model})
  }
  const input = model.inputs[0]
  if (input.dtype && input.dtype !== 'float32') throw new AxqError(`${request.model}: input '${input.name}' takes ${input.dtype}; axq calibrates float32 models`, {subject: request.model})
  const names = tensorsToCalibrate(model)
  if (names.length === 0) throw new AxqError(`${request.model}: no node onnxruntime would quantize (Conv, Gemm, MatMul, Add, ...): nothing to calibrate`, {subject: request.model})
  // Layout and image size as `axq infer` reads them (flags, then metadata_props).
  const {preprocessing, imageSize} = onnxInputForm(model, input, request.preprocessing)
  let total = request.images
  const dataset =
    request.dataset ??
    openDataSource(request.data, {
      images: imageGeometry(preprocessing, imageSize),
      onDecoded: request.onDecoded && ((n) => request.onDecoded!(n, total ?? n)),
    })
  const preprocessed = dataset.preprocessed === true
  total ??= dataset.count
  if (!Number.isInteger(total) || total < 1) throw new AxqError('--calibration-images must be a positive integer', {subject: '--calibration-images', exitCode: 2})
  if (total > dataset.count) throw new AxqError(`${dataset.source} holds ${dataset.count} images; --calibration-images asks for ${total}`, {subject: '--calibration-images', exitCode: 2})
  const batchSize = Math.min(total, request.batchSize ?? 32)
  const session = new OnnxSession(model, {threads: request.threads})
  const fromRuns = names.filter((n) => !model.constantNodeOutputs.has(n))
  session.check([input.name], fromRuns.filter((n) => n !== input.name))

  const ranges = new Map<string, TensorRange>()
  for (const name of names) {
    const value = model.constantNodeOutputs.has(name) ? model.constants[model.keyOf.get(name)!] : undefined
    if (value) update(ranges, name, value)
  }
  request.onProgress?.(0, total)
  for (let done = 0; done < total; ) {
    const size = Math.min(batchSize, total - done)
    const batch = await dataset.batch(done, size)
    const x = preprocessed ? batch.images : normalizeImages(batch.images, preprocessing)
    if (input.shape && (input.shape.length !== x.shape.length || input.shape.some((d, i) => d > 0 && d !== x.shape[i]))) {
      const want = shapeString(input.shape.map((d) => (d > 0 ? d : -1))).replace(/-1/g, 'N')
      throw new AxqError(`${dataset.source}: calibration images give the model input shape ${shapeString(x.shape)}; ${request.model} input '${input.name}' takes ${want}`, {subject: dataset.source})
    }
    const outs = await session.run({[input.name]: x}, fromRuns)
    fromRuns.forEach((name, k) => update(ranges, name, outs[k]))
    done += size
    request.onProgress?.(done, total)
  }
  // Graph order, float tensors only.
  const ordered = new Map<string, TensorRange>()
  for (const name of names) {
    const r = ranges.get(name)
    if (r) ordered.set(name, r)
  }
  return {ranges: ordered, images: total, source: dataset.source}
}

export interface CalibratedQuantizeRequest extends QuantizeFileRequest {
  /** calibrate on data (instead of reading `calibrationCache`) */
  calibration?: Omit<CalibrateRequest, 'model'>
}

export interface CalibratedQuantizeResult extends QuantizeFileResult {
  /** present when the ranges were calibrated here */
  calibration?: {data: string; images: number; tensors: number}
}

/** `axq quantize`: ranges from `calibration` (run on data) or from the calibration cache, then quantizeFile. */
export async function quantizeCalibrated(request: CalibratedQuantizeRequest): Promise<CalibratedQuantizeResult> {
  if (!request.calibration) return quantizeFile(request)
  const calibrated = await calibrate({...request.calibration, model: request.model})
  const result = quantizeFile({...request, ranges: calibrated.ranges})
  return {...result, calibration: {data: calibrated.source, images: calibrated.images, tensors: calibrated.ranges.size}}
}
