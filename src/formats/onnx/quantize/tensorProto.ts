/**
 * The few TensorProto conversions the quantizer needs: float32 initializers in, 8-bit/int32/float32
 * initializers out (raw_data, little-endian, as onnxruntime's numpy_helper.from_array writes).
 * To be replaced by the ONNX loader's tensor decoding once that exists (issue 11).
 */
import onnxProto from 'onnx-proto'
import type {onnx as OnnxTypes} from 'onnx-proto'

import {AxqError} from '../../../errors.js'

export const onnx = onnxProto.onnx
export type TensorProto = OnnxTypes.ITensorProto
export type ModelProto = OnnxTypes.IModelProto
export type NodeProto = OnnxTypes.INodeProto
export type AttributeProto = OnnxTypes.IAttributeProto

export const DataType = {FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7} as const

type Long = {toNumber(): number}

export function dimsOf(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => (typeof d === 'number' ? d : (d as Long).toNumber()))
}

function count(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1)
}

/** A float32 initializer's values (raw_data or float_data). */
export function floatValues(t: TensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new AxqError(`initializer '${t.name}' is not float32 (data type ${t.dataType})`)
  if ((t.externalData?.length ?? 0) > 0) throw new AxqError(`initializer '${t.name}' is stored as external data, which the quantizer does not read yet`)
  const n = count(dimsOf(t))
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== n * 4) throw new AxqError(`initializer '${t.name}': ${t.rawData.length} bytes of raw data for ${n} float32 values`)
    const bytes = new Uint8Array(t.rawData) // a copy, aligned (protobufjs hands out Buffer views)
    return new Float32Array(bytes.buffer, 0, n)
  }
  const v = Float32Array.from(t.floatData ?? [])
  if (v.length !== n) throw new AxqError(`initializer '${t.name}': ${v.length} float values for ${n} elements`)
  return v
}

/** Integer values of an int8/uint8/int32 initializer (raw_data or int32_data). */
export function intValues(t: TensorProto): Int32Array {
  const n = count(dimsOf(t))
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined
  switch (t.dataType) {
    case DataType.UINT8:
      return raw ? Int32Array.from(raw.subarray(0, n)) : Int32Array.from(t.int32Data ?? [])
    case DataType.INT8:
      return raw ? Int32Array.from(new Int8Array(raw.buffer, raw.byteOffset, n)) : Int32Array.from(t.int32Data ?? [])
    case DataType.INT32:
      return raw ? new Int32Array(new Uint8Array(raw).buffer, 0, n) : Int32Array.from(t.int32Data ?? [])
    default:
      throw new AxqError(`initializer '${t.name}' is not an 8- or 32-bit integer tensor (data type ${t.dataType})`)
  }
}

/** A node's attribute by name. */
export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name)
}

/** The model's opset of the default (ai.onnx) domain, 0 when absent. */
export function opsetOf(model: ModelProto): number {
  const v = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version
  return v === undefined || v === null ? 0 : typeof v === 'number' ? v : Number(v.toString())
}

function rawTensor(name: string, dataType: number, dims: readonly number[], bytes: Uint8Array): TensorProto {
  return onnx.TensorProto.create({name, dataType, dims: [...dims], rawData: bytes})
}

export function int8Tensor(name: string, dims: readonly number[], data: Int8Array | Uint8Array, type: 'int8' | 'uint8'): TensorProto {
  return rawTensor(name, type === 'int8' ? DataType.INT8 : DataType.UINT8, dims, new Uint8Array(data.buffer, data.byteOffset, data.length))
}

export function int32Tensor(name: string, dims: readonly number[], data: Int32Array): TensorProto {
  return rawTensor(name, DataType.INT32, dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
}

export function float32Tensor(name: string, dims: readonly number[], data: Float32Array): TensorProto {
  return rawTensor(name, DataType.FLOAT, dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
}
