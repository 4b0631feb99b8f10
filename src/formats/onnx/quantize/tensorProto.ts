/**
 * The protobuf pieces the quantizer reads and writes: initializer values in (decoded by the ONNX
 * loader, onnxModel.ts), 8-bit/int32/float32 initializers out (raw_data, little-endian, as
 * onnxruntime's numpy_helper.from_array writes), node attributes and the model's opset.
 */
import onnxProto from 'onnx-proto'
import type {onnx as OnnxTypes} from 'onnx-proto'

import type {Tensor} from '../../../core/tensor.js'
import {AxqError} from '../../../errors.js'
import {onnxTensor} from '../onnxModel.js'

export const onnx = onnxProto.onnx
export type TensorProto = OnnxTypes.ITensorProto
export type ModelProto = OnnxTypes.IModelProto
export type GraphProto = OnnxTypes.IGraphProto
export type NodeProto = OnnxTypes.INodeProto
export type AttributeProto = OnnxTypes.IAttributeProto

export const DataType = {FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7} as const

/** The tensor an initializer holds, decoded by the ONNX loader (raw_data or the typed fields). */
function decoded(t: TensorProto): Tensor {
  if ((t.externalData?.length ?? 0) > 0) throw new AxqError(`initializer '${t.name}' is stored as external data, which the quantizer does not read yet`)
  return onnxTensor(t, '.', 'model')
}

export function dimsOf(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => (typeof d === 'number' ? d : (d as {toNumber(): number}).toNumber()))
}

/** A float32 initializer's values. */
export function floatValues(t: TensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new AxqError(`initializer '${t.name}' is not float32 (data type ${t.dataType})`)
  return decoded(t).data as Float32Array
}

/** Integer values of an int8/uint8/int32 initializer. */
export function intValues(t: TensorProto): Int32Array {
  if (t.dataType !== DataType.UINT8 && t.dataType !== DataType.INT8 && t.dataType !== DataType.INT32) {
    throw new AxqError(`initializer '${t.name}' is not an 8- or 32-bit integer tensor (data type ${t.dataType})`)
  }
  return Int32Array.from(decoded(t).data as Uint8Array | Int8Array | Int32Array)
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
