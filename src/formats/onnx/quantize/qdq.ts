/**
 * Static quantization of a float ONNX model into onnxruntime's QDQ format, given MinMax ranges:
 * the graph rewrite of onnxruntime's QDQQuantizer (quantize_static with quant_format=QDQ and its
 * default options), so that the result has the same nodes, names and initializers.
 *
 * - Conv, Gemm: input and output activations get a QuantizeLinear → DequantizeLinear pair, the
 *   weight becomes an 8-bit initializer W_quantized read through DequantizeLinear (per channel on
 *   axis 0 for Conv, on the output axis for Gemm, when asked; per-channel weights are symmetric even
 *   when uint8, zero point 128), the bias an int32 initializer with
 *   scale input scale × weight scale (× Gemm's beta, which is then set to 1);
 * - Relu, Clip after a quantized tensor are removed: their producer writes their output directly,
 *   which is quantized with their (clipped) range;
 * - Flatten, Reshape, Transpose, Squeeze, Unsqueeze, AveragePool, MaxPool (opset ≥ 12), Slice:
 *   the output shares the input's scale and zero point;
 * - Add, Mul, GlobalAveragePool, Concat, Softmax, Sigmoid, LeakyRelu and the other ops onnxruntime
 *   quantizes without a rule of their own: every float input and output gets a pair.
 * Ops onnxruntime would quantize but axq has no rule for yet are reported; ops onnxruntime leaves
 * alone stay float.
 */
import {AxqError} from '../../../errors.js'
import {quantizeBias, quantizeWeight, quantizeWithParams, type QuantParams, type QuantType, type TensorRange} from './params.js'
import {startRewrite, type QuantizeOptions} from './rewrite.js'
import {onnxruntimeNodeOrder} from './nodeOrder.js'
import {attr, DataType, dimsOf, float32Tensor, floatValues, int32Tensor, int8Tensor, onnx, type ModelProto, type NodeProto, type TensorProto} from './tensorProto.js'

type Model = ModelProto
type Node = NodeProto

export type {QuantizeOptions} from './rewrite.js'

const REMOVABLE = new Set(['Relu', 'Clip'])
const SHARING = new Set(['Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'AveragePool', 'MaxPool', 'Slice', 'TopK'])
const GENERIC = new Set(['Add', 'Mul', 'GlobalAveragePool', 'Concat', 'Softmax', 'Sigmoid', 'LeakyRelu', 'CumSum'])

interface Marked {
  kind: 'activation' | 'weight'
  axis?: number
  /**
   * A float initializer read where onnxruntime quantizes activations (Add, Mul, Concat, ...):
   * quantized from its values, but with the activation type, asymmetric unless per channel.
   */
  asActivation?: boolean
  /** share the scale/zero point initializers of this tensor */
  shareWith?: string
}

interface BiasInfo {
  node: Node
  input: string
  weight: string
  beta: number
}

/** onnxruntime's QDQ rewrite of `model` (not modified) with the calibrated `ranges`. */
export function quantizeQdq(model: Model, calibrated: ReadonlyMap<string, TensorRange>, options: QuantizeOptions): Model {
  const {out, graph, nodes, initializers, opset, shouldQuantize, ranges, params} = startRewrite(model, calibrated, options)
  const graphInputs = new Set((graph.input ?? []).map((i) => i.name!))
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name!))

  const isFloatInitializer = (name: string) => initializers.get(name)?.dataType === DataType.FLOAT
  const quantizable = (name: string) => name !== '' && (isFloatInitializer(name) || ranges.has(name))
  const marked = new Map<string, Marked>()
  const biases = new Map<string, BiasInfo>()
  const removed = new Set<Node>()

  const markActivation = (name: string | undefined) => {
    if (name !== undefined && quantizable(name) && !marked.has(name)) marked.set(name, isFloatInitializer(name) ? {kind: 'weight', asActivation: true} : {kind: 'activation'})
  }
  const markWeight = (name: string, axis: number | undefined) => {
    if (!isFloatInitializer(name)) return
    if (axis === undefined && !marked.has(name)) marked.set(name, {kind: 'weight'})
    else if (axis !== undefined) marked.set(name, {kind: 'weight', axis})
  }
  // as onnxruntime counts them: nodes still in the graph, including activations marked for removal
  const consumers = (name: string) => nodes.filter((n) => n.input?.includes(name)).length
  const unsupported: string[] = []

  for (const node of nodes) {
    if (!shouldQuantize(node)) continue
    const op = node.opType!
    const inputs = node.input ?? []
    const output = node.output?.[0]
    if (op === 'Conv' || op === 'Gemm') {
      markActivation(inputs[0])
      markActivation(output)
      const transB = op === 'Gemm' && Number(attr(node, 'transB')?.i ?? 0) !== 0
      const axis = options.perChannel && initializers.has(inputs[1]) ? (op === 'Conv' || transB ? 0 : 1) : undefined
      markWeight(inputs[1], axis)
      if (inputs.length >= 3 && inputs[2] !== '' && isFloatInitializer(inputs[2])) {
        let beta = 1
        if (op === 'Gemm') {
          const b = attr(node, 'beta')
          if (b !== undefined) beta = b.f ?? 1
          if (b) b.f = 1
          else node.attribute = [...(node.attribute ?? []), onnx.AttributeProto.create({name: 'beta', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1})]
        }
        if (biases.has(inputs[2])) throw new AxqError(`bias '${inputs[2]}' is shared by several nodes, which axq quantize does not handle yet`)
        biases.set(inputs[2], {node, input: inputs[0], weight: inputs[1], beta})
      }
    } else if (op === 'MatMul') {
      // onnxruntime's QDQMatMul: float initializers are weights (per channel on axis 1 when asked
      // and the weight has one), other inputs and the output activations.
      for (const name of inputs) {
        if (!initializers.has(name)) markActivation(name)
        else markWeight(name, options.perChannel && dimsOf(initializers.get(name)!).length >= 2 ? 1 : undefined)
      }
      markActivation(output)
    } else if (REMOVABLE.has(op)) {
      const input = inputs[0]
      if (!marked.has(input) && !biases.has(input)) continue
      if (output !== undefined && params.has(output) && params.has(input) && consumers(input) === 1 && !graphOutputs.has(input) && !graphInputs.has(input)) {
        for (const n of nodes) n.output = n.output?.map((o) => (o === input ? output : o))
        marked.delete(input)
        removed.add(node)
      } else {
        markActivation(input)
      }
      markActivation(output)
    } else if (SHARING.has(op)) {
      if (op === 'MaxPool' && opset < 12) continue
      if (output !== undefined && marked.has(inputs[0]) && quantizable(output)) marked.set(output, {kind: 'activation', shareWith: inputs[0]})
    } else if (GENERIC.has(op)) {
      for (const name of [...inputs, ...(node.output ?? [])]) markActivation(name)
    } else {
      unsupported.push(`${node.name || '(unnamed)'} (${op})`)
    }
  }
  if (unsupported.length > 0) {
    throw new AxqError(`axq quantize has no QDQ rule yet for ${unsupported.join(', ')}; leave them float with --nodes-to-exclude`, {exitCode: 1})
  }

  const working = nodes.filter((n) => !removed.has(n))
  const newNodes: Node[] = []
  const newInits: TensorProto[] = []
  const dropInits = new Set<string>()
  const replaceInput = (from: string, to: string) => {
    for (const n of working) n.input = n.input?.map((i) => (i === from ? to : i))
  }
  const scalarTensor = (name: string, p: QuantParams, type: QuantType): [TensorProto, TensorProto] => [
    int8Tensor(`${name}_zero_point`, [], type === 'int8' ? Int8Array.of(p.zeroPoint) : Uint8Array.of(p.zeroPoint), type),
    float32Tensor(`${name}_scale`, [], Float32Array.of(p.scale)),
  ]
  const node = (opType: string, name: string, input: string[], output: string[], axis?: number): Node =>
    onnx.NodeProto.create({
      opType, name, input, output,
      attribute: axis === undefined ? [] : [onnx.AttributeProto.create({name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis})],
    })

  // weights first: bias quantization needs their scales
  const weightScales = new Map<string, Float32Array>()
  for (const [name, m] of marked) {
    if (m.kind !== 'weight') continue
    const init = initializers.get(name)!
    const type = m.asActivation ? options.activationType : options.weightType
    // int8 weights are symmetric; so is every per-channel weight in QDQ (onnxruntime: QLinear* kernels
    // need one zero point for all channels); constants read as activations are asymmetric
    const symmetric = m.axis !== undefined || (!m.asActivation && type === 'int8')
    const w = quantizeWeight(floatValues(init), dimsOf(init), type, {symmetric, reduceRange: options.reduceRange, axis: m.axis})
    adjustWeightScaleForBias(name, w.scales, w.zeroPoints, m.axis !== undefined)
    weightScales.set(name, w.scales)
    const q = quantizeWithParams(floatValues(init), dimsOf(init), type, w.scales, w.zeroPoints, m.axis)
    const zpDims = m.axis === undefined ? [] : [w.scales.length]
    const zp = type === 'int8' ? Int8Array.from(w.zeroPoints) : Uint8Array.from(w.zeroPoints)
    newInits.push(int8Tensor(`${name}_quantized`, dimsOf(init), q.data, type), int8Tensor(`${name}_zero_point`, zpDims, zp, type), float32Tensor(`${name}_scale`, zpDims, w.scales))
    dropInits.add(name)
    replaceInput(name, `${name}_DequantizeLinear_Output`)
    newNodes.push(node('DequantizeLinear', `${name}_DequantizeLinear`, [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`], [`${name}_DequantizeLinear_Output`], m.axis))
  }

  // activations, then tensors sharing another's parameters
  const paramNames = new Map<string, [string, string]>()
  const addPair = (tensor: string, scale: string, zp: string) => {
    let qInput = tensor
    let dqOutput = `${tensor}_DequantizeLinear_Output`
    if (graphOutputs.has(tensor)) {
      qInput = `${tensor}_QuantizeLinear_Input`
      dqOutput = tensor
      for (const n of working) n.output = n.output?.map((o) => (o === tensor ? qInput : o))
    } else {
      replaceInput(tensor, dqOutput)
    }
    newNodes.push(
      node('QuantizeLinear', `${tensor}_QuantizeLinear`, [qInput, scale, zp], [`${tensor}_QuantizeLinear_Output`]),
      node('DequantizeLinear', `${tensor}_DequantizeLinear`, [`${tensor}_QuantizeLinear_Output`, scale, zp], [dqOutput]),
    )
    paramNames.set(tensor, [scale, zp])
  }
  for (const [name, m] of marked) {
    if (m.kind !== 'activation' || m.shareWith !== undefined) continue
    const p = params.get(name)
    if (p === undefined) throw new AxqError(`no calibration range for tensor '${name}', which is to be quantized`)
    newInits.push(...scalarTensor(name, p, options.activationType))
    addPair(name, `${name}_scale`, `${name}_zero_point`)
  }
  for (let progress = true; progress;) {
    progress = false
    for (const [name, m] of marked) {
      if (m.shareWith === undefined || paramNames.has(name)) continue
      const shared = paramNames.get(m.shareWith)
      if (shared === undefined) continue
      addPair(name, shared[0], shared[1])
      progress = true
    }
  }

  for (const [name, b] of biases) {
    const inputScale = paramNames.has(b.input) ? effectiveParams(b.input)?.scale : undefined
    const scales = weightScales.get(b.weight)
    if (inputScale === undefined || scales === undefined) continue
    const init = initializers.get(name)!
    const q = quantizeBias(floatValues(init), inputScale, scales, b.beta)
    const perChannel = q.scales.length > 1
    newInits.push(
      int32Tensor(`${name}_quantized`, dimsOf(init), q.data),
      float32Tensor(`${name}_quantized_scale`, [q.scales.length], q.scales),
      int32Tensor(`${name}_quantized_zero_point`, perChannel ? [q.scales.length] : [], new Int32Array(q.scales.length)),
    )
    dropInits.add(name)
    newNodes.push(node('DequantizeLinear', `${name}_DequantizeLinear`, [`${name}_quantized`, `${name}_quantized_scale`, `${name}_quantized_zero_point`], [name], perChannel ? 0 : undefined))
  }

  // onnxruntime sorts the nodes when it saves the model (ONNXModel.topological_sort)
  const sources = [...graphInputs, ...[...initializers.keys()].filter((name) => !dropInits.has(name)), ...newInits.map((i) => i.name!)]
  graph.node = onnxruntimeNodeOrder([...newNodes, ...working], sources)
  const used = new Set(graph.node.flatMap((n) => n.input ?? []))
  graph.initializer = [...(graph.initializer ?? []).filter((i) => !dropInits.has(i.name!) && (used.has(i.name!) || graphOutputs.has(i.name!))), ...newInits]
  const produced = new Set(graph.node.flatMap((n) => n.output ?? []))
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => produced.has(v.name!))
  out.producerName = 'axq quantize'
  out.producerVersion = ''
  return out

  /** The parameters a tensor is quantized with: its own, or those of the tensor it shares them with. */
  function effectiveParams(tensor: string): QuantParams | undefined {
    for (let m = marked.get(tensor); m?.shareWith !== undefined; m = marked.get(tensor)) tensor = m.shareWith
    return params.get(tensor)
  }

  function adjustWeightScaleForBias(weight: string, scales: Float32Array, zeroPoints: number[], perChannel: boolean): void {
    // onnxruntime raises a symmetric int8 weight's scale when input scale × weight scale is too small
    // for the bias to fit in int32 (_adjust_weight_scale_for_int32_bias)
    if (options.weightType !== 'int8' || zeroPoints.some((z) => z !== 0)) return
    const entry = [...biases.entries()].find(([, b]) => b.weight === weight)
    if (entry === undefined) return
    const [biasName, b] = entry
    const inputParams = effectiveParams(b.input)
    if (inputParams === undefined || !marked.has(b.input)) return
    const bias = floatValues(initializers.get(biasName)!)
    const qrange = 2 ** 31 - 1 - (-(2 ** 31) + 1)
    const adjust = (i: number, absmax: number) => {
      const smallest = (1.0001 * (2 * absmax)) / qrange
      const candidate = inputParams.scale * scales[i]
      if (candidate < smallest && candidate > 0) scales[i] = Math.fround(scales[i] * (smallest / candidate))
    }
    if (!perChannel) {
      let lo = 0
      let hi = 0
      for (const v of bias) {
        lo = Math.min(lo, v)
        hi = Math.max(hi, v)
      }
      adjust(0, Math.max(Math.abs(lo), Math.abs(hi)))
    } else {
      for (let i = 0; i < scales.length; i++) adjust(i, Math.abs(bias[i]))
    }
  }
}
