/**
 * Node-by-node comparison of two GraphDefs (`axq diff`): nodes only in A or only in B, and for
 * nodes in both: op, inputs (exact strings, in order), device and attrs. Attrs are compared as
 * the bytes TensorFlow would serialize for each AttrValue, so the order in which a file lists a
 * node's attrs (C++ writes map entries in an unspecified order) never counts as a difference;
 * for tensor attrs the report says what differs (dtype, shape, encoding or how many values).
 * Node order is compared only on request. Graph-level fields (library, versions) are reported too.
 */
import type {AttrValue, GraphDef, NodeDef} from './types.js'
import {serializeAttrValue} from './attrValueWire.js'
import {encodeMessage} from './protos.js'
import {tensorFromProto} from './tensorProto.js'

export interface AttrDifference {
  attr: string
  kind: 'only-in-a' | 'only-in-b' | 'changed'
  detail: string
}

export interface NodeDifference {
  name: string
  op?: {a: string; b: string}
  inputs?: {a: string[]; b: string[]}
  device?: {a: string; b: string}
  attrs: AttrDifference[]
}

export interface OrderDifference {
  /** Position (among the nodes both graphs have) of the first node placed differently. */
  firstIndex: number
  a: string
  b: string
  /** How many of the common nodes sit at a different position. */
  misplaced: number
}

export interface GraphDifference {
  identical: boolean
  nodesA: number
  nodesB: number
  onlyInA: string[]
  onlyInB: string[]
  changed: NodeDifference[]
  /** Present when order was compared and differs. */
  order?: OrderDifference
  orderCompared: boolean
  graph: string[]
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function describeValue(v: AttrValue): string {
  if (v.list) return 'list'
  if (v.s !== undefined && v.s !== null) return JSON.stringify(new TextDecoder().decode(v.s))
  if (v.i !== undefined && v.i !== null) return String(v.i)
  if (v.f !== undefined && v.f !== null) return String(v.f)
  if (v.b !== undefined && v.b !== null) return String(v.b)
  if (v.type !== undefined && v.type !== null) return `type ${v.type}`
  if (v.shape) return `shape [${(v.shape.dim ?? []).map((d) => String(d.size ?? 0)).join(',')}]`
  if (v.tensor) return 'tensor'
  return 'value'
}

function tensorDetail(a: AttrValue, b: AttrValue): string {
  try {
    const ta = tensorFromProto(a.tensor!, 'A')
    const tb = tensorFromProto(b.tensor!, 'B')
    if (ta.dtype !== tb.dtype) return `tensor dtype ${ta.dtype} vs ${tb.dtype}`
    if (ta.shape.join(',') !== tb.shape.join(',')) return `tensor shape [${ta.shape.join(',')}] vs [${tb.shape.join(',')}]`
    let differing = 0
    let maxAbs = 0
    const da = ta.data as ArrayLike<number | bigint | Uint8Array>
    const db = tb.data as ArrayLike<number | bigint | Uint8Array>
    for (let i = 0; i < da.length; i++) {
      const x = da[i]
      const y = db[i]
      if (x instanceof Uint8Array || y instanceof Uint8Array) {
        if (!bytesEqual(x as Uint8Array, y as Uint8Array)) differing++
      } else if (!Object.is(x, y) && !(x !== x && y !== y)) {
        differing++
        const d = Math.abs(Number(x) - Number(y))
        if (d > maxAbs) maxAbs = d
      }
    }
    if (differing === 0) return 'tensor values equal, encoded differently'
    return `tensor values: ${differing} of ${da.length} differ (max |a-b| = ${maxAbs})`
  } catch (error) {
    return `tensor differs (${error instanceof Error ? error.message : String(error)})`
  }
}

function compareNodes(a: NodeDef, b: NodeDef): NodeDifference | undefined {
  const d: NodeDifference = {name: a.name, attrs: []}
  if (a.op !== b.op) d.op = {a: a.op, b: b.op}
  const ia = a.input ?? []
  const ib = b.input ?? []
  if (ia.length !== ib.length || ia.some((s, i) => s !== ib[i])) d.inputs = {a: ia, b: ib}
  if ((a.device ?? '') !== (b.device ?? '')) d.device = {a: a.device ?? '', b: b.device ?? ''}
  const keys = [...new Set([...Object.keys(a.attr ?? {}), ...Object.keys(b.attr ?? {})])].sort()
  for (const k of keys) {
    const va = a.attr?.[k]
    const vb = b.attr?.[k]
    if (!vb) d.attrs.push({attr: k, kind: 'only-in-a', detail: describeValue(va!)})
    else if (!va) d.attrs.push({attr: k, kind: 'only-in-b', detail: describeValue(vb)})
    else if (!bytesEqual(serializeAttrValue(va), serializeAttrValue(vb))) {
      const detail = va.tensor && vb.tensor ? tensorDetail(va, vb) : `${describeValue(va)} vs ${describeValue(vb)}`
      d.attrs.push({attr: k, kind: 'changed', detail})
    }
  }
  return d.op || d.inputs || d.device || d.attrs.length > 0 ? d : undefined
}

/**
 * A JSON form with object keys sorted at every level: equal for equal messages whatever the
 * order of their map entries (C++ writes maps in an unspecified order).
 */
function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null'
  if (value instanceof Uint8Array) return `b:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>
    if (typeof (o as {toNumber?: unknown}).toNumber === 'function') return String(o)
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function messagesEqual(type: string, a: unknown, b: unknown): boolean {
  const present = (v: unknown) => v !== undefined && v !== null
  if (present(a) !== present(b)) {
    // An absent message and an empty one serialize differently only by presence.
    const empty = (v: unknown) => !present(v) || encodeMessage(type, v as object).length === 0
    return empty(a) && empty(b)
  }
  return !present(a) || canonicalJson(a) === canonicalJson(b)
}

export function diffGraphs(a: GraphDef, b: GraphDef, options: {order?: boolean} = {}): GraphDifference {
  const mapA = new Map(a.node.map((n) => [n.name, n]))
  const mapB = new Map(b.node.map((n) => [n.name, n]))
  const onlyInA = a.node.filter((n) => !mapB.has(n.name)).map((n) => n.name)
  const onlyInB = b.node.filter((n) => !mapA.has(n.name)).map((n) => n.name)
  const changed: NodeDifference[] = []
  for (const n of a.node) {
    const m = mapB.get(n.name)
    if (!m) continue
    const d = compareNodes(n, m)
    if (d) changed.push(d)
  }
  const graph: string[] = []
  if (!messagesEqual('FunctionDefLibrary', a.library, b.library)) graph.push('function library differs')
  if (Boolean(a.versions) !== Boolean(b.versions) || !messagesEqual('VersionDef', a.versions, b.versions)) {
    graph.push(`versions differ (A: ${a.versions ? `producer ${a.versions.producer ?? 0}` : 'none'}, B: ${b.versions ? `producer ${b.versions.producer ?? 0}` : 'none'})`)
  }
  let order: OrderDifference | undefined
  if (options.order) {
    const commonA = a.node.filter((n) => mapB.has(n.name)).map((n) => n.name)
    const commonB = b.node.filter((n) => mapA.has(n.name)).map((n) => n.name)
    let first = -1
    let misplaced = 0
    for (let i = 0; i < commonA.length; i++) {
      if (commonA[i] !== commonB[i]) {
        misplaced++
        if (first < 0) first = i
      }
    }
    if (first >= 0) order = {firstIndex: first, a: commonA[first], b: commonB[first], misplaced}
  }
  const identical = onlyInA.length === 0 && onlyInB.length === 0 && changed.length === 0 && graph.length === 0 && order === undefined
  return {identical, nodesA: a.node.length, nodesB: b.node.length, onlyInA, onlyInB, changed, order, orderCompared: Boolean(options.order), graph}
}

/** A readable report, one line per difference (empty when identical). */
export function formatGraphDifference(d: GraphDifference, nameA = 'A', nameB = 'B', limit = 200): string[] {
  const lines: string[] = []
  for (const g of d.graph) lines.push(`graph: ${g}`)
  for (const n of d.onlyInA) lines.push(`only in ${nameA}: ${n}`)
  for (const n of d.onlyInB) lines.push(`only in ${nameB}: ${n}`)
  for (const c of d.changed) {
    if (c.op) lines.push(`${c.name}: op ${c.op.a} vs ${c.op.b}`)
    if (c.inputs) lines.push(`${c.name}: inputs [${c.inputs.a.join(', ')}] vs [${c.inputs.b.join(', ')}]`)
    if (c.device) lines.push(`${c.name}: device '${c.device.a}' vs '${c.device.b}'`)
    for (const x of c.attrs) {
      if (x.kind === 'changed') lines.push(`${c.name}: attr ${x.attr}: ${x.detail}`)
      else lines.push(`${c.name}: attr ${x.attr} only in ${x.kind === 'only-in-a' ? nameA : nameB} (${x.detail})`)
    }
  }
  if (d.order) {
    lines.push(`order: ${d.order.misplaced} common nodes at different positions; first at #${d.order.firstIndex}: ${d.order.a} vs ${d.order.b}`)
  }
  if (lines.length > limit) return [...lines.slice(0, limit), `... and ${lines.length - limit} more differences`]
  return lines
}
