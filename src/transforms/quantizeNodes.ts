/**
 * quantize_nodes (quantize_nodes.cc `QuantizeNodes`): replaces float ops that have 8-bit
 * equivalents by quantized subgraphs, then cleans up. Steps, each followed by the validity check:
 *
 * 1. QuantizePlaceholders (only with input_min/input_max): Placeholders become quint8 with a
 *    Dequantize `P_eightbit/dequantize` that all former consumers read.
 * 2. HoistFakeQuants and 3. ConvertFakeQuantsToRequantize (graphs trained with FakeQuant ops).
 * 4. The main replacement: for each float op X of the table, every quantized input gets a
 *    `X_eightbit/<input>/{reshape_dims,reduction_dims,reshape,min,max,quantize}` chain; the
 *    quantized op `X/eightbit`; for 32-bit outputs `X/eightbit/requant_range` (or fallback
 *    constants) and `X/eightbit/requantize`; and a Dequantize named X.
 * 5. MergeAdjacentRequantizes, 6. MergeDuplicateNodes (hash order!), 7. RemoveRedundantQuantizations
 *    (consumers of a QuantizeV2(Dequantize(...)) read the 8-bit tensor and its range directly).
 *
 * Parameters: input_min/input_max, fallback_min/fallback_max (both or neither), ignore_op
 * (repeatable float op types to leave alone).
 */
import {AxqError} from '../errors.js'
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {AttrValue, GraphDef, NodeDef} from '../graph/types.js'
import {checkGraphValid, copyOriginalMatch, renameNodeInputs, replaceMatchingOpTypes, type OpTypePattern} from './graphMatcher.js'
import {nodeName, uniqueNodeNameFromInput} from './inputNames.js'
import {inOutTypes} from './opDefs.js'
import {mergeDuplicateNodes} from './mergeDuplicateNodes.js'
import {floatConst} from './quantizeWeights.js'
import {tensorToProto} from '../graph/tensorProto.js'
import {makeTensor} from '../core/tensor.js'

const DT_FLOAT = 1
const DT_INT32 = 3
const DT_QUINT8 = 12
const DT_QINT32 = 13
const utf8 = new TextEncoder()
const typeAttr = (t: number): AttrValue => ({type: t})
const strAttr = (s: string): AttrValue => ({s: utf8.encode(s)})

export interface QuantizedOpInfo {
  floatOp: string
  /** Target op; default `Quantized<floatOp>`. */
  target?: string
  attrsToCopy: string[]
  dtypesToSet: [string, number][]
  outputBitDepth: number
  unquantizedInputs: number[]
  minMaxOrder: 'contiguous' | 'separate'
}

/**
 * GetQuantizedOpList as of TF 1.14. (Later versions add Conv2DBackpropInput →
 * QuantizedConv2DTranspose, an op with no kernel in 1.x; axq leaves Conv2DBackpropInput in float.)
 */
export const QUANTIZED_OPS: QuantizedOpInfo[] = [
  {floatOp: 'Add', attrsToCopy: [], dtypesToSet: [['T1', DT_QUINT8], ['T2', DT_QUINT8], ['Toutput', DT_QINT32]], outputBitDepth: DT_QINT32, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'AvgPool', attrsToCopy: ['ksize', 'strides', 'padding'], dtypesToSet: [['T', DT_QUINT8]], outputBitDepth: DT_QUINT8, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'BiasAdd', attrsToCopy: [], dtypesToSet: [['T1', DT_QUINT8], ['T2', DT_QUINT8], ['out_type', DT_QINT32]], outputBitDepth: DT_QINT32, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'Concat', attrsToCopy: ['N'], dtypesToSet: [['T', DT_QUINT8]], outputBitDepth: DT_QUINT8, unquantizedInputs: [0], minMaxOrder: 'separate'},
  {floatOp: 'Conv2D', attrsToCopy: ['strides', 'padding'], dtypesToSet: [['Tinput', DT_QUINT8], ['Tfilter', DT_QUINT8], ['out_type', DT_QINT32]], outputBitDepth: DT_QINT32, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'MatMul', attrsToCopy: ['transpose_a', 'transpose_b'], dtypesToSet: [['T1', DT_QUINT8], ['T2', DT_QUINT8], ['Toutput', DT_QINT32]], outputBitDepth: DT_QINT32, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'MaxPool', attrsToCopy: ['ksize', 'strides', 'padding'], dtypesToSet: [['T', DT_QUINT8]], outputBitDepth: DT_QUINT8, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'Mul', attrsToCopy: [], dtypesToSet: [['T1', DT_QUINT8], ['T2', DT_QUINT8], ['Toutput', DT_QINT32]], outputBitDepth: DT_QINT32, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'Relu', attrsToCopy: [], dtypesToSet: [['Tinput', DT_QUINT8]], outputBitDepth: DT_QUINT8, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'ResizeBilinear', attrsToCopy: ['align_corners'], dtypesToSet: [['T', DT_QUINT8]], outputBitDepth: DT_QUINT8, unquantizedInputs: [1], minMaxOrder: 'contiguous'},
  {floatOp: 'Relu6', attrsToCopy: [], dtypesToSet: [['Tinput', DT_QUINT8]], outputBitDepth: DT_QUINT8, unquantizedInputs: [], minMaxOrder: 'contiguous'},
  {floatOp: 'Reshape', attrsToCopy: [], dtypesToSet: [['T', DT_QUINT8]], outputBitDepth: DT_QUINT8, unquantizedInputs: [1], minMaxOrder: 'contiguous'},
]

function fail(message: string, subject = 'quantize_nodes'): never {
  throw new AxqError(`quantize_nodes: ${message}`, {subject})
}

function rangeFromParams(context: TransformContext, minName: string, maxName: string): [number, number] | undefined {
  const hasMin = context.has(minName)
  const hasMax = context.has(maxName)
  if (!hasMin && !hasMax) return undefined
  if (!hasMin || !hasMax) fail(`you must pass both ${minName} and ${maxName}`)
  return [context.float(minName, 0), context.float(maxName, 0)]
}

function int32Const(name: string, value: number, control: string): NodeDef {
  return {
    name,
    op: 'Const',
    input: [`^${control}`],
    attr: {dtype: typeAttr(DT_INT32), value: {tensor: tensorToProto(makeTensor('int32', [1], new Int32Array([value])), 'content')}},
  }
}

export function quantizePlaceholders(graph: GraphDef, context: TransformContext): GraphDef {
  const range = rangeFromParams(context, 'input_min', 'input_max')
  if (!range) return graph
  const SUFFIX = '__RENAMED_PLACEHOLDER__'
  const out: NodeDef[] = []
  const first = new Map<string, string>()
  const second = new Map<string, string>()
  for (const node of graph.node) {
    if (node.op !== 'Placeholder') {
      out.push(node)
      continue
    }
    const prefix = `${node.name}_eightbit`
    out.push({...node, attr: {...node.attr, dtype: typeAttr(DT_QUINT8)}})
    const min = floatConst(`${prefix}/min`, range[0])
    const max = floatConst(`${prefix}/max`, range[1])
    out.push(min, max, {
      name: `${prefix}/dequantize`,
      op: 'Dequantize',
      input: [node.name + SUFFIX, min.name, max.name],
      attr: {T: typeAttr(DT_QUINT8), mode: strAttr('MIN_FIRST')},
    })
    first.set(node.name, `${prefix}/dequantize`)
    second.set(node.name + SUFFIX, node.name)
  }
  return renameNodeInputs(renameNodeInputs({node: out}, first), second)
}

export function hoistFakeQuants(graph: GraphDef): GraphDef {
  let current = graph
  for (let depth = 3; depth > 0; depth--) {
    let chain: OpTypePattern = {op: '*'}
    for (let i = 0; i < depth; i++) chain = {op: '*', inputs: [chain]}
    const pattern: OpTypePattern = {op: 'FakeQuantWithMinMaxVars', inputs: [chain, {op: 'Const'}, {op: 'Const'}]}
    current = replaceMatchingOpTypes(current, pattern, (match, _i, _o, newNodes) => {
      const fq = match.node
      const linear: NodeDef[] = []
      let m = match
      for (let i = 0; i <= depth; i++) {
        linear.push({...m.inputs[0].node, input: [...m.inputs[0].node.input]})
        m = m.inputs[0]
      }
      const hoisted: NodeDef = {...fq, name: `${fq.name}_hoisted`, input: [...fq.input]}
      hoisted.input[0] = linear[linear.length - 2].input[0]
      newNodes.push(hoisted, match.inputs[1].node, match.inputs[2].node)
      linear[linear.length - 2].input[0] = hoisted.name
      linear[0].name = fq.name
      newNodes.push(...linear)
    })
  }
  return current
}

export function convertFakeQuantsToRequantize(graph: GraphDef): GraphDef {
  return replaceMatchingOpTypes(
    graph,
    {op: 'FakeQuantWithMinMaxVars', inputs: [{op: '*'}, {op: 'Const'}, {op: 'Const'}]},
    (match, _i, _o, newNodes) => {
      const fq = match.node
      const original = match.inputs[0].node
      const min = match.inputs[1].node
      const max = match.inputs[2].node
      const prefix = `${fq.name}_eightbit`
      newNodes.push(original, min, max)
      const quantize: NodeDef = {
        name: `${prefix}/quantize`,
        op: 'QuantizeV2',
        input: [fq.input[0], min.name, max.name],
        attr: {T: typeAttr(DT_QINT32), mode: strAttr('MIN_FIRST')},
      }
      const requantize: NodeDef = {
        name: `${prefix}/requantize`,
        op: 'Requantize',
        input: [`${quantize.name}:0`, `${quantize.name}:1`, `${quantize.name}:2`, min.name, max.name],
        attr: {Tinput: typeAttr(DT_QINT32), out_type: typeAttr(DT_QUINT8)},
      }
      newNodes.push(quantize, requantize, {
        name: fq.name,
        op: 'Dequantize',
        input: [`${requantize.name}:0`, `${requantize.name}:1`, `${requantize.name}:2`],
        attr: {T: typeAttr(DT_QUINT8), mode: strAttr('MIN_FIRST')},
      })
    },
  )
}

export function mergeAdjacentRequantizes(graph: GraphDef): GraphDef {
  const pattern: OpTypePattern = {
    op: 'Requantize',
    inputs: [
      {
        op: 'QuantizeV2',
        inputs: [
          {
            op: 'Dequantize',
            inputs: [
              {op: 'Requantize', inputs: [{op: '*'}, {op: '*'}, {op: '*'}, {op: 'RequantizationRange'}, {op: 'RequantizationRange'}]},
              {op: 'Requantize'},
              {op: 'Requantize'},
            ],
          },
          {op: 'Const'},
          {op: 'Const'},
        ],
      },
      {op: 'QuantizeV2'},
      {op: 'QuantizeV2'},
      {op: 'Const'},
      {op: 'Const'},
    ],
  }
  return replaceMatchingOpTypes(graph, pattern, (match, _i, _o, newNodes) => {
    const fake = match.node
    const original = match.inputs[0].inputs[0].inputs[0].inputs[0].node
    const min = match.inputs[3].node
    const max = match.inputs[4].node
    newNodes.push(original, min, max, {
      ...fake,
      input: [`${original.name}:0`, `${original.name}:1`, `${original.name}:2`, min.name, max.name],
    })
  })
}

function quantizeMainOps(graph: GraphDef, context: TransformContext): GraphDef {
  const ignored = new Set(context.all('ignore_op'))
  const table = new Map(QUANTIZED_OPS.filter((o) => !ignored.has(o.floatOp)).map((o) => [o.floatOp, o]))
  if (table.size === 0) return graph
  const fallback = rangeFromParams(context, 'fallback_min', 'fallback_max')
  return replaceMatchingOpTypes(graph, {op: [...table.keys()].join('|')}, (match, _i, _o, newNodes) => {
    const float = match.node
    const info = table.get(float.op)!
    const unquantized = new Set(info.unquantizedInputs)
    // A control input has no type; TensorFlow's check then reads past the type list, which in
    // practice marks the op as not float. axq leaves such ops unquantized too.
    if (float.input.some((s) => s.startsWith('^'))) {
      copyOriginalMatch(match, newNodes)
      return
    }
    const types = inOutTypes(float)
    let allFloat = types.outputs.every((t) => t === DT_FLOAT)
    float.input.forEach((_, i) => {
      if (!unquantized.has(i) && types.inputs[i] !== DT_FLOAT) allFloat = false
    })
    if (!allFloat) {
      copyOriginalMatch(match, newNodes)
      return
    }
    const prefix = `${float.name}_eightbit`
    const quantizedInputs: string[] = []
    float.input.forEach((input, i) => {
      if (unquantized.has(i)) return
      const u = `${prefix}/${uniqueNodeNameFromInput(input)}`
      const reshapeDims = int32Const(`${u}/reshape_dims`, -1, input)
      const reductionDims = int32Const(`${u}/reduction_dims`, 0, input)
      const reshape: NodeDef = {name: `${u}/reshape`, op: 'Reshape', input: [input, reshapeDims.name], attr: {T: typeAttr(DT_FLOAT)}}
      const min: NodeDef = {name: `${u}/min`, op: 'Min', input: [reshape.name, reductionDims.name], attr: {T: typeAttr(DT_FLOAT), keep_dims: {b: false}}}
      const max: NodeDef = {name: `${u}/max`, op: 'Max', input: [reshape.name, reductionDims.name], attr: {T: typeAttr(DT_FLOAT), keep_dims: {b: false}}}
      const quantize: NodeDef = {
        name: `${u}/quantize`,
        op: 'QuantizeV2',
        input: [input, min.name, max.name],
        attr: {T: typeAttr(DT_QUINT8), mode: strAttr('MIN_FIRST')},
      }
      newNodes.push(reshapeDims, reductionDims, reshape, min, max, quantize)
      quantizedInputs.push(quantize.name)
    })
    const main: NodeDef = {name: `${float.name}/eightbit`, op: info.target ?? `Quantized${float.op}`, input: [], attr: {}}
    for (const a of info.attrsToCopy) {
      if (!float.attr[a]) fail(`node '${float.name}' has no attr '${a}' to copy`, float.name)
      main.attr[a] = float.attr[a]
    }
    for (const [a, t] of info.dtypesToSet) main.attr[a] = typeAttr(t)
    let q = 0
    float.input.forEach((input, i) => {
      main.input.push(unquantized.has(i) ? input : `${quantizedInputs[q++]}:0`)
    })
    if (info.minMaxOrder === 'contiguous') {
      for (const n of quantizedInputs) main.input.push(`${n}:1`, `${n}:2`)
    } else {
      for (const n of quantizedInputs) main.input.push(`${n}:1`)
      for (const n of quantizedInputs) main.input.push(`${n}:2`)
    }
    newNodes.push(main)
    let eightBit = main.name
    if (info.outputBitDepth === DT_QINT32) {
      let minInput: string
      let maxInput: string
      if (fallback) {
        const fmin = floatConst(`${main.name}/fallback_min`, fallback[0])
        const fmax = floatConst(`${main.name}/fallback_max`, fallback[1])
        newNodes.push(fmin, fmax)
        minInput = fmin.name
        maxInput = fmax.name
      } else {
        const range: NodeDef = {
          name: `${main.name}/requant_range`,
          op: 'RequantizationRange',
          input: [`${main.name}:0`, `${main.name}:1`, `${main.name}:2`],
          attr: {Tinput: typeAttr(DT_QINT32)},
        }
        newNodes.push(range)
        minInput = `${range.name}:0`
        maxInput = `${range.name}:1`
      }
      const requantize: NodeDef = {
        name: `${main.name}/requantize`,
        op: 'Requantize',
        input: [`${main.name}:0`, `${main.name}:1`, `${main.name}:2`, minInput, maxInput],
        attr: {Tinput: typeAttr(DT_QINT32), out_type: typeAttr(DT_QUINT8)},
      }
      newNodes.push(requantize)
      eightBit = requantize.name
    }
    newNodes.push({
      name: float.name,
      op: 'Dequantize',
      input: [`${eightBit}:0`, `${eightBit}:1`, `${eightBit}:2`],
      attr: {T: typeAttr(DT_QUINT8), mode: strAttr('MIN_FIRST')},
    })
  })
}

export function removeRedundantQuantizations(graph: GraphDef, context: TransformContext): GraphDef {
  const graphOutputs = new Set(context.outputNames.map(nodeName))
  const renames = new Map<string, string>()
  const replaced = replaceMatchingOpTypes(
    graph,
    {op: 'QuantizeV2', inputs: [{op: 'Dequantize'}, {op: 'Min'}, {op: 'Max'}]},
    (match, _i, outputNodes, newNodes) => {
      const quantize = match.node
      const dequantize = match.inputs[0].node
      for (let k = 0; k < 3; k++) renames.set(`${quantize.name}:${k}`, dequantize.input[k])
      if (outputNodes.has(dequantize.name) || graphOutputs.has(dequantize.name)) copyOriginalMatch(match, newNodes)
    },
    {allowInconsistencies: true},
  )
  return renameNodeInputs(replaced, renames)
}

export function quantizeNodes(graph: GraphDef, context: TransformContext): GraphDef {
  const steps: [string, (g: GraphDef) => GraphDef][] = [
    ['quantize placeholders', (g) => quantizePlaceholders(g, context)],
    ['hoist FakeQuant ops', hoistFakeQuants],
    ['convert FakeQuant ops to Requantize', convertFakeQuantsToRequantize],
    ['replace float ops', (g) => quantizeMainOps(g, context)],
    ['merge adjacent Requantize ops', mergeAdjacentRequantizes],
    ['merge duplicate nodes', (g) => mergeDuplicateNodes(g, context)],
    ['remove redundant quantizations', (g) => removeRedundantQuantizations(g, context)],
  ]
  let current = graph
  for (const [what, step] of steps) {
    current = step(current)
    checkGraphValid(current, `quantize_nodes (${what})`)
  }
  return {node: current.node}
}

registerTransform({
  name: 'quantize_nodes',
  summary: 'replace float ops by their 8-bit versions (Quantized*), with requantization',
  params: ['input_min', 'input_max', 'fallback_min', 'fallback_max', 'ignore_op'],
  run: quantizeNodes,
})
