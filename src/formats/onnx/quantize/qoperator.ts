/**
 * Static quantization of a float ONNX model into onnxruntime's QOperator format, given MinMax
 * ranges: the graph rewrite of onnxruntime's ONNXQuantizer (quantize_static with
 * quant_format=QOperator and its default options), so that the result has the same nodes, names
 * and initializers.
 *
 * Nodes are visited in graph order; a tensor, once quantized, is known by its 8-bit name
 * (`T_quantized`) and its scale and zero point initializers (`T_scale`, `T_zero_point`).
 * - Conv → QLinearConv, Gemm → com.microsoft QGemm (beta folded into the bias scale),
 *   MatMul → QLinearMatMul, Add/Mul → com.microsoft QLinearAdd/QLinearMul,
 *   GlobalAveragePool → com.microsoft QLinearGlobalAveragePool (channels_last 0; the input's
 *   parameters when its output has no range), Sigmoid/LeakyRelu/AveragePool/Concat → com.microsoft
 *   QLinear*, Softmax → com.microsoft QLinearSoftmax (output scale 1/256, zero point 0 or -128);
 *   nodes are named `NAME_quant`.
 * - A float input without 8-bit form gets a QuantizeLinear (`T_QuantizeLinear`); weights become
 *   `W_quantized` initializers (per channel: convolutions always int8 on axis 0, Gemm the weight
 *   type on its output axis, MatMul on the last axis); biases int32 `B_quantized` with scale input
 *   scale × weight scale (× beta).
 * - Relu and Clip after a quantized tensor disappear: their output is the input's 8-bit tensor
 *   (whose range was already narrowed to theirs, ranges.ts).
 * - Reshape, Squeeze, Unsqueeze, Transpose, Flatten and (opset ≥ 12) MaxPool of a quantized
 *   tensor run on the 8-bit values with the input's scale and zero point.
 * - Every other node stays float, reading its quantized inputs through a DequantizeLinear
 *   (`T_DequantizeLinear`, output T); quantized graph outputs are dequantized the same way.
 * No weight scale is raised for int32 biases (onnxruntime does that in QDQ only). Ops onnxruntime
 * would quantize but axq has no QOperator rule for yet are reported, all at once.
 */
import {AxqError} from '../../../errors.js'
import {quantizeBias, quantizeWeight, type QuantParams, type QuantType, type TensorRange} from './params.js'
import {onnxruntimeNodeOrder} from './nodeOrder.js'
import {startRewrite, type QuantizeOptions} from './rewrite.js'
import {attr, DataType, dimsOf, float32Tensor, floatValues, int32Tensor, int8Tensor, onnx, type ModelProto, type NodeProto, type TensorProto} from './tensorProto.js'

const MS_DOMAIN = 'com.microsoft'
/** Ops whose quantized form moves the 8-bit values with the input's scale and zero point. */
const DIRECT_8BIT = new Set(['Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'Flatten', 'MaxPool'])
/** Ops onnxruntime's QOperator registry rewrites that axq has no rule for yet. */
const NO_RULE_YET = new Set(['ArgMax', 'Split', 'Pad', 'Resize', 'Where', 'EmbedLayerNormalization'])

/** A tensor in 8-bit form: its quantized name and the names of its scale and zero point. */
interface QuantizedValue {
  q: string
  scale: string
  zeroPoint: string
}

/** onnxruntime's QOperator rewrite of `model` (not modified) with the calibrated `ranges`. */
export function quantizeQOperator(model: ModelProto, calibrated: ReadonlyMap<string, TensorRange>, options: QuantizeOptions): ModelProto {
  const {out, graph, nodes, initializers, opset, shouldQuantize, ranges, params} = startRewrite(model, calibrated, options)

  const declaredFloat = new Set(
    [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])].filter((v) => v.type?.tensorType?.elemType === DataType.FLOAT).map((v) => v.name!),
  )
  const isFloatInitializer = (name: string) => initializers.get(name)?.dataType === DataType.FLOAT
  const quantized = new Map<string, QuantizedValue>()
  const isFloat = (name: string | undefined) => name !== undefined && name !== '' && (quantized.has(name) || ranges.has(name) || isFloatInitializer(name) || declaredFloat.has(name))
  const added = new Map<string, TensorProto>()
  const quantizedBiases = new Map<string, string>()
  const newNodes: NodeProto[] = []
  const dequantized = new Set<string>()
  const unsupported: string[] = []

  const addInitializer = (t: TensorProto) => {
    if (!added.has(t.name!)) added.set(t.name!, t)
  }
  const scaleValues = (name: string) => floatValues(added.get(name) ?? initializers.get(name)!)
  const makeNode = (opType: string, name: string, input: string[], output: string[], from?: NodeProto, domain?: string): NodeProto =>
    onnx.NodeProto.create({opType, name, input, output, domain, attribute: [...(from?.attribute ?? [])]})
  const intAttribute = (name: string, i: number) => onnx.AttributeProto.create({name, type: onnx.AttributeProto.AttributeType.INT, i})

  /** The scale and zero point initializers of a calibrated tensor, or undefined without a range. */
  function outputParams(tensor: string): [string, string] | undefined {
    const p = params.get(tensor)
    if (p === undefined) return undefined
    const type = options.activationType
    addInitializer(int8Tensor(`${tensor}_zero_point`, [], type === 'int8' ? Int8Array.of(p.zeroPoint) : Uint8Array.of(p.zeroPoint), type))
    addInitializer(float32Tensor(`${tensor}_scale`, [], Float32Array.of(p.scale)))
    return [`${tensor}_scale`, `${tensor}_zero_point`]
  }

  /** Given parameters for a tensor, under its usual initializer names. */
  function fixedParams(tensor: string, p: QuantParams): [string, string] {
    params.set(tensor, p)
    return outputParams(tensor)!
  }

  /** A float initializer quantized to `type`, per tensor or per channel along axis. */
  function quantizeInitializer(name: string, type: QuantType, axis: number | undefined, reduceRange: boolean): QuantizedValue {
    const known = quantized.get(name)
    if (known !== undefined) return known
    const init = initializers.get(name)!
    const dims = dimsOf(init)
    // int8 initializers are symmetric (zero point 0), uint8 ones asymmetric, weights and constants alike
    const symmetric = type === 'int8'
    const w = quantizeWeight(floatValues(init), dims, type, {symmetric, reduceRange, axis})
    const paramDims = axis === undefined ? [] : [w.scales.length]
    addInitializer(int8Tensor(`${name}_quantized`, dims, w.data, type))
    addInitializer(float32Tensor(`${name}_scale`, paramDims, w.scales))
    addInitializer(int8Tensor(`${name}_zero_point`, paramDims, type === 'int8' ? Int8Array.from(w.zeroPoints) : Uint8Array.from(w.zeroPoints), type))
    const value = {q: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point`}
    quantized.set(name, value)
    return value
  }

  /** An activation input in 8-bit form: as it is, a QuantizeLinear, or (a constant) an initializer of the activation type. */
  function activationInput(tensor: string, node: NodeProto): QuantizedValue {
    const known = quantized.get(tensor)
    if (known !== undefined) return known
    if (isFloatInitializer(tensor)) return quantizeInitializer(tensor, options.activationType, undefined, false)
    const names = outputParams(tensor)
    if (names === undefined) throw new AxqError(`no calibration range for tensor '${tensor}', which node '${node.name}' (${node.opType}) reads`)
    const value = {q: `${tensor}_quantized`, scale: names[0], zeroPoint: names[1]}
    newNodes.push(makeNode('QuantizeLinear', `${tensor}_QuantizeLinear`, [tensor, names[0], names[1]], [value.q]))
    quantized.set(tensor, value)
    return value
  }

  /** A weight input: an initializer of the weight type (per channel along axis when asked), else an activation. */
  function weightInput(tensor: string, node: NodeProto, perChannelType: QuantType, axis: number): QuantizedValue {
    if (!isFloatInitializer(tensor)) return activationInput(tensor, node)
    if (options.perChannel) return quantizeInitializer(tensor, perChannelType, axis, options.reduceRange)
    return quantizeInitializer(tensor, options.weightType, undefined, options.reduceRange)
  }

  function quantizedBias(name: string, input: QuantizedValue, weight: QuantizedValue, beta: number): string {
    const known = quantizedBiases.get(name)
    if (known !== undefined) return known
    const init = initializers.get(name)!
    const q = quantizeBias(floatValues(init), scaleValues(input.scale)[0], scaleValues(weight.scale), beta)
    addInitializer(int32Tensor(`${name}_quantized`, dimsOf(init), q.data))
    quantizedBiases.set(name, `${name}_quantized`)
    return `${name}_quantized`
  }

  const perChannelAxes = new Map<string, number>()
  const axisOf = (tensor: string) => perChannelAxes.get(tensor) ?? 0

  /** A DequantizeLinear giving back the float tensor, once. */
  function dequantize(tensor: string): void {
    const value = quantized.get(tensor)
    if (value === undefined || dequantized.has(tensor)) return
    dequantized.add(tensor)
    const dq = makeNode('DequantizeLinear', `${tensor}_DequantizeLinear`, [value.q, value.scale, value.zeroPoint], [tensor])
    const scales = added.get(value.scale)
    if (scales !== undefined && dimsOf(scales).length > 0) dq.attribute = [intAttribute('axis', axisOf(tensor))]
    newNodes.push(dq)
  }
  const keepFloat = (node: NodeProto) => {
    for (const input of node.input ?? []) dequantize(input)
    newNodes.push(node)
  }
  const quantName = (node: NodeProto) => (node.name ? `${node.name}_quant` : '')

  /** Rewrite one node; false when onnxruntime leaves it float. */
  function quantizeNode(node: NodeProto): boolean {
    const op = node.opType!
    const inputs = node.input ?? []
    const output = node.output?.[0] ?? ''
    if (!isFloat(inputs[0])) return false
    switch (op) {
      case 'Conv':
      case 'Gemm':
      case 'MatMul': {
        const y = outputParams(output)
        if (y === undefined) return false
        const hasBias = op !== 'MatMul' && inputs.length >= 3 && inputs[2] !== ''
        if (op === 'Gemm' && hasBias && !isFloatInitializer(inputs[2])) return false
        const transB = Number(attr(node, 'transB')?.i ?? 0) !== 0
        const x = activationInput(inputs[0], node)
        const rank = isFloatInitializer(inputs[1]) ? dimsOf(initializers.get(inputs[1])!).length : 0
        const axis = op === 'Conv' || (op === 'Gemm' && transB) ? 0 : op === 'Gemm' ? 1 : rank - 1
        const w = weightInput(inputs[1], node, op === 'Conv' ? 'int8' : options.weightType, axis)
        if (options.perChannel && isFloatInitializer(inputs[1])) perChannelAxes.set(inputs[1], axis)
        const yq = `${output}_quantized`
        const head = [x.q, x.scale, x.zeroPoint, w.q, w.scale, w.zeroPoint]
        if (op === 'Conv') {
          if (hasBias && !isFloatInitializer(inputs[2])) throw new AxqError(`node '${node.name}' (Conv): bias '${inputs[2]}' is not a float initializer`)
          const bias = hasBias ? [quantizedBias(inputs[2], x, w, 1)] : []
          newNodes.push(makeNode('QLinearConv', quantName(node), [...head, ...y, ...bias], [yq], node))
        } else if (op === 'Gemm') {
          const beta = attr(node, 'beta')?.f ?? 1
          const bias = hasBias ? quantizedBias(inputs[2], x, w, beta) : ''
          const qgemm = makeNode('QGemm', quantName(node), [...head, bias, ...y], [yq], node, MS_DOMAIN)
          qgemm.attribute = qgemm.attribute!.filter((a) => a.name !== 'beta')
          newNodes.push(qgemm)
        } else {
          newNodes.push(makeNode('QLinearMatMul', quantName(node), [...head, ...y], [yq]))
        }
        quantized.set(output, {q: yq, scale: y[0], zeroPoint: y[1]})
        return true
      }
      case 'Add':
      case 'Mul': {
        const y = outputParams(output)
        if (y === undefined) return false
        const a = activationInput(inputs[0], node)
        const b = activationInput(inputs[1], node)
        const yq = `${output}_quantized`
        newNodes.push(makeNode(`QLinear${op}`, quantName(node), [a.q, a.scale, a.zeroPoint, b.q, b.scale, b.zeroPoint, ...y], [yq], node, MS_DOMAIN))
        quantized.set(output, {q: yq, scale: y[0], zeroPoint: y[1]})
        return true
      }
      case 'Relu':
      case 'Clip': {
        const x = quantized.get(inputs[0])
        if (x === undefined) return false
        quantized.set(output, x)
        return true
      }
      case 'GlobalAveragePool': {
        const x = quantized.get(inputs[0])
        if (x === undefined) return false
        const y = outputParams(output) ?? [x.scale, x.zeroPoint]
        const yq = `${output}_quantized`
        const pool = makeNode('QLinearGlobalAveragePool', quantName(node), [x.q, x.scale, x.zeroPoint, ...y], [yq], node, MS_DOMAIN)
        pool.attribute!.push(intAttribute('channels_last', 0))
        newNodes.push(pool)
        quantized.set(output, {q: yq, scale: y[0], zeroPoint: y[1]})
        return true
      }
      case 'Sigmoid':
      case 'LeakyRelu':
      case 'AveragePool':
      case 'Softmax': {
        // Softmax's output is in [0, 1]: scale 1/256, zero point 0 (uint8) or -128 (int8)
        const y = op === 'Softmax' ? fixedParams(output, {scale: 1 / 256, zeroPoint: options.activationType === 'int8' ? -128 : 0}) : outputParams(output)
        if (y === undefined) return false
        const x = activationInput(inputs[0], node)
        const yq = `${output}_quantized`
        const q = makeNode(`QLinear${op}`, quantName(node), [x.q, x.scale, x.zeroPoint, ...y], [yq], node, MS_DOMAIN)
        // onnxruntime gives QLinearSoftmax the model's opset as an attribute
        if (op === 'Softmax') q.attribute!.push(intAttribute('opset', opset))
        newNodes.push(q)
        quantized.set(output, {q: yq, scale: y[0], zeroPoint: y[1]})
        return true
      }
      case 'Concat': {
        const y = outputParams(output)
        if (y === undefined) throw new AxqError(`no calibration range for tensor '${output}', the output of node '${node.name}' (Concat)`)
        const parts = inputs.map((i) => activationInput(i, node))
        const yq = `${output}_quantized`
        newNodes.push(makeNode('QLinearConcat', quantName(node), [...y, ...parts.flatMap((p) => [p.q, p.scale, p.zeroPoint])], [yq], node, MS_DOMAIN))
        quantized.set(output, {q: yq, scale: y[0], zeroPoint: y[1]})
        return true
      }
      case 'Gather':
        // onnxruntime quantizes a Gather only when it reads a float initializer (an embedding table)
        if (isFloatInitializer(inputs[0])) unsupported.push(`${node.name || '(unnamed)'} (${op})`)
        return false
      default: {
        if (DIRECT_8BIT.has(op)) {
          const x = quantized.get(inputs[0])
          if (x === undefined || (op === 'MaxPool' && opset < 12)) return false
          const y = {q: `${output}_quantized`, scale: x.scale, zeroPoint: x.zeroPoint}
          node.input = [x.q, ...inputs.slice(1)]
          node.output = [y.q, ...(node.output ?? []).slice(1)]
          newNodes.push(node)
          quantized.set(output, y)
          return true
        }
        if (NO_RULE_YET.has(op)) unsupported.push(`${node.name || '(unnamed)'} (${op})`)
        return false
      }
    }
  }

  for (const node of nodes) {
    if (!shouldQuantize(node) || !quantizeNode(node)) keepFloat(node)
  }
  if (unsupported.length > 0) {
    throw new AxqError(`axq quantize has no QOperator rule yet for ${unsupported.join(', ')}; leave them float with --nodes-to-exclude`, {exitCode: 1})
  }
  for (const o of graph.output ?? []) dequantize(o.name!)

  // as onnxruntime's clean_initializers: only what some node reads (or the graph outputs) stays
  const used = new Set([...newNodes.flatMap((n) => n.input ?? []), ...(graph.output ?? []).map((o) => o.name!)])
  const produced = new Set(newNodes.flatMap((n) => n.output ?? []))
  const kept = [...initializers.values(), ...added.values()].filter((i) => used.has(i.name!) && !produced.has(i.name!))
  const keptNames = new Set(kept.map((i) => i.name!))
  graph.initializer = kept
  graph.node = onnxruntimeNodeOrder(newNodes, [...keptNames, ...(graph.input ?? []).map((i) => i.name!)])
  graph.input = (graph.input ?? []).filter((i) => !initializers.has(i.name!) || keptNames.has(i.name!))
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => produced.has(v.name!))
  if (newNodes.some((n) => n.domain === MS_DOMAIN) && !(out.opsetImport ?? []).some((o) => o.domain === MS_DOMAIN)) {
    out.opsetImport = [...(out.opsetImport ?? []), onnx.OperatorSetIdProto.create({domain: MS_DOMAIN, version: 1})]
  }
  out.producerName = 'axq quantize'
  out.producerVersion = ''
  return out
}
