/**
 * Reads the TensorFlow reference vectors in test/fixtures/quantized/<Op>.json (written by
 * scripts/fixtures/quantized_ops.py) and turns them into axq tensors and attrs.
 */
import fs from 'node:fs'
import path from 'node:path'
import {fixturesDir} from '../../helpers/paths.js'
import type {AttrValue} from '../../../src/graph/types.js'
import {makeAttr} from '../../../src/graph/attrs.js'
import type {DType, Tensor, TensorData} from '../../../src/core/tensor.js'

export interface FixtureTensor {
  dtype: DType
  shape: number[]
  data: string
}

export interface FixtureCase {
  name: string
  attrs: Record<string, string | number | boolean | number[]>
  inputs: FixtureTensor[]
  outputs?: FixtureTensor[]
  error?: string
}

export function loadCases(op: string): FixtureCase[] {
  const file = path.join(fixturesDir, 'quantized', `${op}.json`)
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as {cases: FixtureCase[]}).cases
}

const TYPE_ATTRS = new Set(['T', 'Tinput', 'out_type', 'Toutput', 'T1', 'T2', 'Tactivation', 'Tshape', 'dtype'])

export function toAttrs(attrs: FixtureCase['attrs']): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {}
  for (const [k, v] of Object.entries(attrs)) {
    if (TYPE_ATTRS.has(k)) out[k] = makeAttr.type(v as DType)
    else if (typeof v === 'string') out[k] = makeAttr.string(v)
    else if (typeof v === 'boolean') out[k] = makeAttr.bool(v)
    else if (Array.isArray(v)) out[k] = makeAttr.intList(v)
    else if (Number.isInteger(v)) out[k] = makeAttr.int(v)
    else out[k] = makeAttr.float(v)
  }
  return out
}

export function decode(t: FixtureTensor): Tensor {
  const bytes = Buffer.from(t.data, 'base64')
  const buf = new ArrayBuffer(bytes.length)
  new Uint8Array(buf).set(bytes)
  let data: TensorData
  switch (t.dtype) {
    case 'float32':
      data = new Float32Array(buf)
      break
    case 'int32':
    case 'qint32':
      data = new Int32Array(buf)
      break
    case 'int64':
      data = new BigInt64Array(buf)
      break
    case 'quint8':
      data = new Uint8Array(buf)
      break
    case 'qint8':
      data = new Int8Array(buf)
      break
    default:
      throw new Error(`fixture dtype ${t.dtype} not handled`)
  }
  return {dtype: t.dtype, shape: t.shape, data}
}

/** Bytes of a tensor's data (little-endian host), for bit-exact comparison. */
export function bytesOf(t: Tensor): Uint8Array {
  const d = t.data as ArrayBufferView
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}

/** First differing element of two tensors of the same dtype, as a readable line, or undefined. */
export function firstDifference(actual: Tensor, expected: Tensor): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype} != ${expected.dtype}`
  if (actual.shape.join(',') !== expected.shape.join(',')) return `shape [${actual.shape}] != [${expected.shape}]`
  const a = bytesOf(actual)
  const e = bytesOf(expected)
  if (a.length !== e.length) return `byte length ${a.length} != ${e.length}`
  const ad = actual.data as ArrayLike<number>
  const ed = expected.data as ArrayLike<number>
  let count = 0
  let first = -1
  for (let i = 0; i < ed.length; i++) {
    if (!Object.is(ad[i], ed[i])) {
      count++
      if (first < 0) first = i
    }
  }
  if (count === 0) return undefined
  return `${count} of ${ed.length} elements differ; first at ${first}: got ${ad[first]}, TF ${ed[first]}`
}
