/**
 * `axq quantize`: read a float ONNX model, quantize it with onnxruntime's quantize_static rules and
 * write the result atomically, in QDQ or QOperator format. Ranges come from an onnxruntime calibration cache (or one axq
 * wrote); calibrating on data needs the ONNX executor (issue 11) and is not wired in yet.
 */
import {readFileSync} from 'node:fs'

import {writeFileAtomic} from '../../../atomicWrite.js'
import {AxqError} from '../../../errors.js'
import {fileProblem} from '../../../fileProblem.js'
import {readCalibrationCache} from './calibrationCache.js'
import type {QuantType, TensorRange} from './params.js'
import {quantizeQdq} from './qdq.js'
import {quantizeQOperator} from './qoperator.js'
import type {QuantizeOptions} from './rewrite.js'
import {onnx, type ModelProto} from './tensorProto.js'

export type QuantFormat = 'qdq' | 'qoperator'

export interface QuantizeFileRequest extends QuantizeOptions {
  model: string
  out: string
  format: QuantFormat
  /** ranges from an onnxruntime calibration cache file, unless `ranges` are given */
  calibrationCache?: string
  ranges?: ReadonlyMap<string, TensorRange>
}

export interface QuantizeFileResult {
  model: string
  out: string
  format: QuantFormat
  activationType: QuantType
  weightType: QuantType
  perChannel: boolean
  nodes: {before: number; after: number}
  quantizedTensors: number
  bytes: number
}

function readModel(file: string): ModelProto {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new AxqError(`cannot read ${file}: ${fileProblem(error)}`, {subject: file})
  }
  let model: ModelProto
  try {
    model = onnx.ModelProto.decode(bytes)
  } catch (error) {
    throw new AxqError(`${file}: not an ONNX model (${error instanceof Error ? error.message : String(error)})`, {subject: file})
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) throw new AxqError(`${file}: not an ONNX model (no graph nodes)`, {subject: file})
  return model
}

export function quantizeFile(request: QuantizeFileRequest): QuantizeFileResult {
  const model = readModel(request.model)
  const ranges = request.ranges ?? readCalibrationCache(request.calibrationCache ?? '')
  for (const name of request.nodesToExclude) {
    if (!model.graph!.node!.some((n) => n.name === name)) throw new AxqError(`--nodes-to-exclude: ${request.model} has no node '${name}'`, {subject: '--nodes-to-exclude', exitCode: 2})
  }
  const out = (request.format === 'qoperator' ? quantizeQOperator : quantizeQdq)(model, ranges, request)
  const bytes = onnx.ModelProto.encode(out).finish()
  writeFileAtomic(request.out, bytes)
  return {
    model: request.model,
    out: request.out,
    format: request.format,
    activationType: request.activationType,
    weightType: request.weightType,
    perChannel: request.perChannel,
    nodes: {before: model.graph!.node!.length, after: out.graph!.node!.length},
    // activations with their own scale (in QDQ each has a QuantizeLinear; in QOperator most do not)
    quantizedTensors: out.graph!.initializer!.filter((i) => i.name!.endsWith('_scale') && ranges.has(i.name!.slice(0, -'_scale'.length))).length,
    bytes: bytes.length,
  }
}
