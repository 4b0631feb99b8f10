/**
 * onnxruntime's calibration cache (quantize_static(..., calibration_cache_path=FILE)): a JSON file
 * of MinMax ranges per tensor. axq reads it so that a model can be quantized with exactly the
 * ranges onnxruntime measured, and writes it so that onnxruntime can reuse axq's.
 *
 *   {"CLS": "TensorsData", "calibration_method": {"CLS": "CalibrationMethod", "value": "CalibrationMethod.MinMax"},
 *    "data": {"TENSOR": {"CLS": "TensorData", "lowest": {"CLS": "numpy.array", "dtype": "float32", "data": [v]},
 *                        "highest": {...}}, ...}, "smooth_quant": false}
 */
import {readFileSync} from 'node:fs'

import {AxqError} from '../../../errors.js'
import {fileProblem} from '../../../fileProblem.js'
import type {TensorRange} from './params.js'

const MINMAX = 'CalibrationMethod.MinMax'

function scalar(file: string, tensor: string, field: string, value: unknown): number {
  const v = value as {data?: unknown} | undefined
  const data = v?.data
  const x = Array.isArray(data) && data.length === 1 ? data[0] : typeof data === 'number' ? data : undefined
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new AxqError(`${file}: tensor '${tensor}': '${field}' is not one finite number`, {subject: file})
  }
  return Math.fround(x)
}

/** Ranges by tensor name from a calibration cache's parsed JSON. */
export function parseCalibrationCache(json: unknown, file: string): Map<string, TensorRange> {
  const root = json as {data?: Record<string, unknown>; calibration_method?: {value?: string}} | null
  if (root === null || typeof root !== 'object' || typeof root.data !== 'object' || root.data === null) {
    throw new AxqError(`${file}: not an onnxruntime calibration cache (no "data" object)`, {subject: file})
  }
  const method = root.calibration_method?.value
  if (method !== undefined && method !== MINMAX) {
    throw new AxqError(`${file}: calibration method ${method}; axq uses MinMax ranges only`, {subject: file})
  }
  const ranges = new Map<string, TensorRange>()
  for (const [tensor, entry] of Object.entries(root.data)) {
    const e = entry as {lowest?: unknown; highest?: unknown}
    ranges.set(tensor, {
      lowest: scalar(file, tensor, 'lowest', e?.lowest),
      highest: scalar(file, tensor, 'highest', e?.highest),
    })
  }
  return ranges
}

export function readCalibrationCache(file: string): Map<string, TensorRange> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new AxqError(`cannot read calibration cache ${file}: ${fileProblem(error)}`, {subject: file})
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new AxqError(`${file}: not JSON (expected an onnxruntime calibration cache)`, {subject: file})
  }
  return parseCalibrationCache(json, file)
}

/** The cache's JSON text for ranges (float32 values written as the shortest exact decimal). */
export function formatCalibrationCache(ranges: ReadonlyMap<string, TensorRange>): string {
  const value = (x: number) => ({data: [Math.fround(x)], dtype: 'float32', CLS: 'numpy.array'})
  const data: Record<string, unknown> = {}
  for (const [tensor, r] of ranges) data[tensor] = {lowest: value(r.lowest), highest: value(r.highest), CLS: 'TensorData'}
  return JSON.stringify({CLS: 'TensorsData', data, calibration_method: {CLS: 'CalibrationMethod', value: MINMAX}, smooth_quant: false})
}
