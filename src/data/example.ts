/**
 * tf.train.Example (tensorflow/core/example/example.proto, feature.proto): a map from feature
 * name to one of a bytes list, a float list or an int64 list.
 */
import {AxqError} from '../errors.js'
import {decodeMessage, encodeMessage} from '../graph/protos.js'
import type {Int64} from '../graph/types.js'

export type Feature =
  | {bytesList: {value?: Uint8Array[]}}
  | {floatList: {value?: number[]}}
  | {int64List: {value?: Int64[]}}

export interface Example {
  features?: {feature?: Record<string, Feature>}
}

export const bytesFeature = (...value: Uint8Array[]): Feature => ({bytesList: {value}})
export const floatFeature = (...value: number[]): Feature => ({floatList: {value}})
export const int64Feature = (...value: number[]): Feature => ({int64List: {value}})

/** Serialize an Example built from a name → feature map (entries in the map's order). */
export function encodeExample(features: Record<string, Feature>): Uint8Array {
  return encodeMessage('Example', {features: {feature: features}}, 'tf.train.Example')
}

/** The feature map of a serialized Example. `source` names it in errors. */
export function decodeExample(bytes: Uint8Array, source: string): Record<string, Feature> {
  return decodeMessage<Example>('Example', bytes, source).features?.feature ?? {}
}

/** A feature's values, checked to be of the expected kind. */
export function featureBytes(features: Record<string, Feature>, name: string, source: string): Uint8Array[] {
  const f = features[name]
  if (!f || !('bytesList' in f)) throw missing(features, name, 'bytes', source)
  return f.bytesList.value ?? []
}

export function featureInt64(features: Record<string, Feature>, name: string, source: string): number[] {
  const f = features[name]
  if (!f || !('int64List' in f)) throw missing(features, name, 'int64', source)
  return (f.int64List.value ?? []).map((v) => (typeof v === 'number' ? v : v.toNumber()))
}

export function featureFloat(features: Record<string, Feature>, name: string, source: string): number[] {
  const f = features[name]
  if (!f || !('floatList' in f)) throw missing(features, name, 'float', source)
  return f.floatList.value ?? []
}

function missing(features: Record<string, Feature>, name: string, kind: string, source: string): AxqError {
  const have = Object.entries(features).map(([k, f]) => `${k} (${Object.keys(f)[0]?.replace('List', '') ?? 'empty'})`)
  const what = features[name] ? `feature '${name}' is not a ${kind} list` : `no ${kind} feature '${name}'`
  return new AxqError(`${source}: ${what}; the Example has ${have.length ? have.join(', ') : 'no features'}`, {subject: source})
}
