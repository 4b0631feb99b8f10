/**
 * Which multipliers fit a model (`axq list-mults --model`): a table must match the operands of
 * the model's approximable layers — unsigned tables for AxConv2D and uint8×uint8 ONNX layers,
 * signed ones for int8×int8 ONNX layers; uint8×int8 ONNX layers (onnxruntime's U8S8) run exact
 * only. An exact table computes the exact product on either kind, so it fits every layer.
 * Everything left out is counted with the reason.
 */
import type {CatalogEntry} from '../mults/catalog.js'
import {fileRef, loadApproximateLayerMacs, type OperandKind} from './job.js'

export interface LeftOut {
  reason: string
  names: string[]
}

export interface ModelMultipliers {
  model: string
  /** Approximable layers by operand kind. */
  layers: Record<OperandKind, number>
  kept: CatalogEntry[]
  leftOut: LeftOut[]
}

const QUANTIZE_SIGNED = 'quantize with activation_type=QuantType.QInt8, weight_type=QuantType.QInt8 for signed tables'
const QUANTIZE_UNSIGNED = 'quantize with activation_type=QuantType.QUInt8, weight_type=QuantType.QUInt8 for unsigned tables'

function isExact(e: CatalogEntry): boolean {
  return e.mae === 0 && e.wce === 0
}

export async function multipliersForModel(model: string, entries: readonly CatalogEntry[]): Promise<ModelMultipliers> {
  const macs = await loadApproximateLayerMacs(fileRef(model))
  const layers: Record<OperandKind, number> = {unsigned: 0, signed: 0, mixed: 0}
  for (const l of macs) layers[l.operands]++
  const kept: CatalogEntry[] = []
  const signedOut: string[] = []
  const unsignedOut: string[] = []
  for (const e of entries) {
    if (isExact(e) || (e.signed ? layers.signed > 0 : layers.unsigned > 0)) kept.push(e)
    else (e.signed ? signedOut : unsignedOut).push(e.name)
  }
  const count = (n: number, what: string) => `${n} ${what} layer${n === 1 ? '' : 's'}`
  const approximable = layers.unsigned + layers.signed
  const leftOut: LeftOut[] = []
  const onnx = model.toLowerCase().endsWith('.onnx')
  if (approximable === 0) {
    const names = [...unsignedOut, ...signedOut]
    const mixed = layers.mixed > 0 ? ` (${count(layers.mixed, 'uint8×int8')}, exact only: ${QUANTIZE_UNSIGNED} or ${QUANTIZE_SIGNED})` : ''
    if (names.length > 0) leftOut.push({reason: `${model} has no layer that takes an approximate table${mixed}; only exact tables fit`, names})
  } else {
    if (signedOut.length > 0) {
      const why = onnx ? QUANTIZE_SIGNED : 'AxConv2D multiplies uint8 codes'
      leftOut.push({reason: `signed tables need int8×int8 layers; ${model} has ${count(layers.unsigned, 'uint8×uint8')} (${why})`, names: signedOut})
    }
    if (unsignedOut.length > 0) leftOut.push({reason: `unsigned tables need uint8×uint8 layers; ${model} has ${count(layers.signed, 'int8×int8')} (${QUANTIZE_UNSIGNED})`, names: unsignedOut})
  }
  return {model, layers, kept, leftOut}
}
