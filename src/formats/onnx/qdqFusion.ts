/**
 * QDQ → QOperator fusion, as onnxruntime's graph optimizer does at its default level
 * (QDQSelectorActionTransformer), so QDQ models run the same integer kernels as in onnxruntime
 * and their products can go through a multiplier table:
 *   DQ(x), DQ(w const), [DQ(b int32 const)] → Conv → Q          ⇒ QLinearConv
 *   DQ(a), DQ(b const), [DQ(c int32 const)] → Gemm → Q          ⇒ QGemm (com.microsoft)
 *   DQ(a), DQ(b const) → MatMul → Q                             ⇒ QLinearMatMul
 *   DQ(a), DQ(b) → Add → Q / Mul → Q                            ⇒ QLinearAdd / QLinearMul
 *   DQ(x) → GlobalAveragePool → Q                               ⇒ QLinearGlobalAveragePool
 *   DQ(x) → MaxPool/Flatten/Reshape/Transpose/Squeeze/Unsqueeze → Q with the same scale and
 *   zero point                                                   ⇒ the op on the codes
 * Each rewrite keeps the float op's node name (so --layer-mult names stay the model's), needs
 * the float op's output to be read by that one Q only, and the DQ/Q types to agree.
 * Works on the lowered graph (tensor keys `node:port`).
 */
import type {NodeDef} from '../../graph/types.js'
import type {Tensor} from '../../core/tensor.js'
import {MS_DOMAIN, ONNX_DOMAIN} from '../../runtime/opRegistry.js'

export interface FusionGraph {
  nodes: NodeDef[]
  domains: Map<string, string>
  constants: Record<string, Tensor>
  /** Graph outputs' keys (updated when a Q they name is fused away). */
  outputKeys: Map<string, string>
}

const DROP_QDQ_OPS = new Set(['MaxPool', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze'])

export function fuseQdq(g: FusionGraph, absentKey: string): number {
  let fused = 0
  for (;;) {
    const byName = new Map(g.nodes.map((n) => [n.name, n]))
    const readers = new Map<string, NodeDef[]>()
    for (const n of g.nodes) for (const k of n.input) readers.set(k, [...(readers.get(k) ?? []), n])
    const outputs = new Set(g.outputKeys.values())
    const producer = (key: string): NodeDef | undefined => byName.get(key.slice(0, key.lastIndexOf(':')))
    const isOnnx = (n: NodeDef | undefined, op: string): n is NodeDef => !!n && n.op === op && g.domains.get(n.name) === ONNX_DOMAIN
    const dq = (key: string | undefined): NodeDef | undefined => {
      const p = key === undefined ? undefined : producer(key)
      return isOnnx(p, 'DequantizeLinear') && p.input.length >= 3 && p.input[2] !== absentKey ? p : undefined
    }
    const constant = (key: string): Tensor | undefined => g.constants[key]
    const sameParams = (a: NodeDef, b: NodeDef): boolean => {
      const eq = (k1: string, k2: string) => {
        if (k1 === k2) return true
        const t1 = constant(k1)
        const t2 = constant(k2)
        return !!t1 && !!t2 && t1.dtype === t2.dtype && t1.data.length === 1 && t2.data.length === 1 && t1.data[0] === t2.data[0]
      }
      return eq(a.input[1], b.input[1]) && eq(a.input[2], b.input[2])
    }
    let changed = false
    for (const node of g.nodes) {
      if (g.domains.get(node.name) !== ONNX_DOMAIN) continue
      const outKey = `${node.name}:0`
      const consumers = readers.get(outKey) ?? []
      if (consumers.length !== 1 || outputs.has(outKey)) continue
      const q = consumers[0]
      if (!isOnnx(q, 'QuantizeLinear') || q.input.length < 3 || q.input[2] === absentKey || q.input[0] !== outKey) continue
      const qType = constant(q.input[2])?.dtype
      const inputs = node.input
      let rewrite: {op: string; domain: string; input: string[]} | undefined
      switch (node.op) {
        case 'Conv': {
          const [x, w, b] = [dq(inputs[0]), dq(inputs[1]), inputs[2] && inputs[2] !== absentKey ? dq(inputs[2]) : undefined]
          if (!x || !w || !constant(w.input[0]) || (inputs[2] && inputs[2] !== absentKey && (!b || constant(b.input[0])?.dtype !== 'int32'))) break
          rewrite = {op: 'QLinearConv', domain: ONNX_DOMAIN, input: [...x.input.slice(0, 3), ...w.input.slice(0, 3), q.input[1], q.input[2], ...(b ? [b.input[0]] : [])]}
          break
        }
        case 'Gemm':
        case 'MatMul': {
          const [a, b, c] = [dq(inputs[0]), dq(inputs[1]), inputs[2] && inputs[2] !== absentKey ? dq(inputs[2]) : undefined]
          if (!a || !b || !constant(b.input[0])) break
          if (node.op === 'MatMul') {
            rewrite = {op: 'QLinearMatMul', domain: ONNX_DOMAIN, input: [...a.input.slice(0, 3), ...b.input.slice(0, 3), q.input[1], q.input[2]]}
            break
          }
          if (inputs[2] && inputs[2] !== absentKey && (!c || constant(c.input[0])?.dtype !== 'int32')) break
          rewrite = {op: 'QGemm', domain: MS_DOMAIN, input: [...a.input.slice(0, 3), ...b.input.slice(0, 3), c ? c.input[0] : absentKey, q.input[1], q.input[2]]}
          break
        }
        case 'Add':
        case 'Mul': {
          const [a, b] = [dq(inputs[0]), dq(inputs[1])]
          if (!a || !b || constant(a.input[2])?.dtype !== qType || constant(b.input[2])?.dtype !== qType) break
          rewrite = {op: node.op === 'Add' ? 'QLinearAdd' : 'QLinearMul', domain: MS_DOMAIN, input: [...a.input.slice(0, 3), ...b.input.slice(0, 3), q.input[1], q.input[2]]}
          break
        }
        case 'GlobalAveragePool': {
          const x = dq(inputs[0])
          if (!x || constant(x.input[2])?.dtype !== qType) break
          rewrite = {op: 'QLinearGlobalAveragePool', domain: MS_DOMAIN, input: [...x.input.slice(0, 3), q.input[1], q.input[2]]}
          break
        }
        default: {
          if (!DROP_QDQ_OPS.has(node.op)) break
          const x = dq(inputs[0])
          if (!x || !sameParams(x, q) || constant(x.input[2])?.dtype !== qType) break
          rewrite = {op: node.op, domain: ONNX_DOMAIN, input: [x.input[0], ...inputs.slice(1)]}
        }
      }
      if (!rewrite) continue
      node.op = rewrite.op
      node.input = rewrite.input
      g.domains.set(node.name, rewrite.domain)
      // Whatever read the Q's output reads the fused node's.
      const qKey = `${q.name}:0`
      for (const n of g.nodes) n.input = n.input.map((k) => (k === qKey ? outKey : k))
      for (const [name, key] of g.outputKeys) if (key === qKey) g.outputKeys.set(name, outKey)
      g.nodes.splice(g.nodes.indexOf(q), 1)
      fused++
      changed = true
      break
    }
    if (!changed) break
  }
  // Nodes nothing reads any more (the DQs of fused ops) are dropped.
  for (;;) {
    const read = new Set<string>()
    for (const n of g.nodes) for (const k of n.input) read.add(k.slice(0, k.lastIndexOf(':')))
    for (const k of g.outputKeys.values()) read.add(k.slice(0, k.lastIndexOf(':')))
    const before = g.nodes.length
    g.nodes = g.nodes.filter((n) => read.has(n.name) || n.op === 'Placeholder' || g.domains.get(n.name) !== ONNX_DOMAIN || n.op !== 'DequantizeLinear')
    if (g.nodes.length === before) break
  }
  return fused
}
