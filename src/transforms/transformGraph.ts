/**
 * The transform driver (TensorFlow's transform_graph.cc `TransformGraph`): run each transform in
 * order with the `--inputs`/`--outputs` and its own parameters; on failure either stop or, with
 * the generic `ignore_errors=true`, pass the graph through unchanged; copy the function library
 * of the input graph into every result; check after every step that all inputs name existing
 * nodes.
 */
import type {GraphDef} from '../graph/types.js'
import {AxqError} from '../errors.js'
import {nodeNameFromInput} from '../graph/names.js'
import {checkGraphValid} from './graphMatcher.js'
import {getTransform, transformNames} from './registry.js'
import {parseTransforms, TransformContext, type TransformSpec} from './transformParams.js'
import './index.js'

/** The pipeline of the issue / tf-approximate's README (`--preset alwann`). */
export const ALWANN_TRANSFORMS =
  'add_default_attributes strip_unused_nodes(type=float, shape="1,299,299,3") ' +
  'remove_nodes(op=Identity, op=CheckNumerics) fold_constants(ignore_errors=true) ' +
  'fold_batch_norms quantize_weights quantize_nodes strip_unused_nodes ' +
  'sort_by_execution_order rename_op(old_op_name=QuantizedConv2D,new_op_name=AxConv2D)'

export const PRESETS: Record<string, string> = {alwann: ALWANN_TRANSFORMS}

export interface TransformStep {
  name: string
  ms: number
  nodesBefore: number
  nodesAfter: number
  /** Set when the transform failed and ignore_errors=true passed the graph through. */
  ignoredError?: string
}

export interface TransformOptions {
  inputs: string[]
  outputs: string[]
  /** Called after each step (progress display). */
  onStep?: (step: TransformStep) => void
}

/** The generic ignore_errors parameter: true/false in any letter case, first value only. */
export function shouldIgnoreErrors(spec: TransformSpec): boolean {
  const values = spec.params.get('ignore_errors')
  if (!values || values.length === 0) return false
  const v = values[0].toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new AxqError(`${spec.name}: ignore_errors should be true or false, found '${values[0]}'`, {subject: spec.name})
}

/** Check names and parameter names of every transform before running any. */
export function validateTransforms(specs: TransformSpec[]): void {
  if (specs.length === 0) throw new AxqError('--transforms: you must specify at least one transform', {subject: '--transforms'})
  for (const spec of specs) {
    const def = getTransform(spec.name)
    if (!def) {
      throw new AxqError(`--transforms: transform '${spec.name}' not recognized (known: ${transformNames().join(', ')})`, {subject: '--transforms'})
    }
    new TransformContext(spec.name, [], [], spec.params).checkKnown(def.params)
    shouldIgnoreErrors(spec)
  }
}

export async function transformGraph(
  graph: GraphDef,
  transforms: string | TransformSpec[],
  options: TransformOptions,
): Promise<{graph: GraphDef; steps: TransformStep[]}> {
  const specs = typeof transforms === 'string' ? parseTransforms(transforms) : transforms
  validateTransforms(specs)
  const steps: TransformStep[] = []
  let current = graph
  for (const spec of specs) {
    const def = getTransform(spec.name)!
    const context = new TransformContext(spec.name, options.inputs, options.outputs, spec.params)
    const ignore = shouldIgnoreErrors(spec)
    const start = performance.now()
    let result: GraphDef
    let ignoredError: string | undefined
    try {
      result = await def.run(current, context)
    } catch (error) {
      if (!ignore || !(error instanceof AxqError)) throw error
      ignoredError = error.message
      result = current
    }
    result = {...result, library: current.library ?? {}}
    checkGraphValid(result, spec.name)
    const step: TransformStep = {
      name: spec.name,
      ms: performance.now() - start,
      nodesBefore: current.node.length,
      nodesAfter: result.node.length,
      ...(ignoredError === undefined ? {} : {ignoredError}),
    }
    steps.push(step)
    options.onStep?.(step)
    current = result
  }
  return {graph: current, steps}
}

export interface TransformFileOptions {
  inGraph: string
  outGraph: string
  /** Tensor or node names; default: the graph's Placeholders. */
  inputs?: string[]
  /** Default: the graph's sinks. */
  outputs?: string[]
  /** A --transforms string; default: the alwann preset. */
  transforms?: string
  onStep?: (step: TransformStep) => void
}

export interface TransformFileResult {
  inGraph: string
  outGraph: string
  inputs: string[]
  outputs: string[]
  transforms: string[]
  steps: TransformStep[]
  nodesIn: number
  nodesOut: number
  bytes: number
  ms: number
  /** Things that are probably a mistake but not an error (printed on stderr by `axq transform`). */
  warnings: string[]
}

/** `axq transform`: read, transform, write atomically. */
export async function transformGraphFile(options: TransformFileOptions): Promise<TransformFileResult> {
  const start = performance.now()
  const specs = parseTransforms(options.transforms ?? ALWANN_TRANSFORMS)
  validateTransforms(specs)
  const {readGraph, encodeGraph, decodeGraph} = await import('../graph/graphIO.js')
  const {writeFileAtomic} = await import('../atomicWrite.js')
  const {placeholderNames, sinkNames} = await import('../graph/endpoints.js')
  const graph = readGraph(options.inGraph)
  // TensorFlow's transform_graph ignores an --inputs name that is not in the graph (the result
  // silently differs) and reports an unknown --outputs name from inside strip_unused_nodes; axq
  // names the flag and the file before any work.
  const known = new Set(graph.node.map((n) => n.name))
  for (const [flag, names] of [['--inputs', options.inputs], ['--outputs', options.outputs]] as const) {
    for (const name of names ?? []) {
      const node = nodeNameFromInput(name)
      if (!known.has(node)) throw new AxqError(`${flag}: no node '${node}' in ${options.inGraph}`, {subject: flag})
    }
  }
  const warnings: string[] = []
  const quantizing = specs.some((spec) => spec.name === 'quantize_nodes' || spec.name === 'quantize_weights')
  const quantized = graph.node.filter((n) => n.op === 'AxConv2D' || n.op === 'QuantizeV2' || n.op.startsWith('Quantized')).length
  if (quantizing && quantized > 0) {
    warnings.push(`${options.inGraph} is already quantized (${quantized} QuantizeV2/Quantized*/AxConv2D nodes); quantize_weights and quantize_nodes are meant for float graphs`)
  }
  const inputs = options.inputs ?? placeholderNames(graph)
  const outputs = options.outputs ?? sinkNames(graph)
  if (outputs.length === 0) throw new AxqError(`${options.inGraph}: the graph has no sink node to use as output; give --outputs`, {subject: '--outputs'})
  const {graph: result, steps} = await transformGraph(graph, specs, {inputs, outputs, onStep: options.onStep})
  const bytes = encodeGraph(result)
  // Never commit a graph axq itself would refuse to read (e.g. a transform that made a bad name).
  writeFileAtomic(options.outGraph, bytes, {
    check: () => {
      try {
        decodeGraph(bytes, options.outGraph)
      } catch (error) {
        const why = error instanceof Error ? error.message.replace(`${options.outGraph}: `, '') : String(error)
        throw new AxqError(`${options.outGraph} not written: the transformed graph would not load (${why})`, {subject: options.outGraph, cause: error})
      }
    },
  })
  return {
    inGraph: options.inGraph,
    outGraph: options.outGraph,
    inputs,
    outputs,
    transforms: specs.map((s) => s.name),
    steps,
    nodesIn: graph.node.length,
    nodesOut: result.node.length,
    bytes: bytes.length,
    ms: performance.now() - start,
    warnings,
  }
}
