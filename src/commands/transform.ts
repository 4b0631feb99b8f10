import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {ALWANN_TRANSFORMS, PRESETS, transformGraphFile} from '../transforms/transformGraph.js'
import {getTransform, transformNames} from '../transforms/registry.js'

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
}

export default class Transform extends AxqCommand {
  static override description = `Apply TensorFlow graph transforms (transform_graph) to a frozen GraphDef

Same flags and --transforms grammar as TensorFlow's transform_graph tool (also spelled --in_graph, --out_graph, ...). Without --transforms it applies the "alwann" preset:

  ${ALWANN_TRANSFORMS}

Without --inputs/--outputs it uses the graph's Placeholders and its sinks; names given must be nodes of the input graph (TensorFlow ignores an unknown --inputs name, axq stops). The output is written atomically.

Transforms: ${'{transforms}'}`

  static override examples = [
    '<%= config.bin %> transform resnet_8.pb resnet_8_quant_ax.pb',
    `<%= config.bin %> transform --in-graph resnet_8.pb --out-graph q.pb --inputs input --outputs resnet/tower_0/fully_connected/dense/BiasAdd --transforms 'strip_unused_nodes fold_constants(ignore_errors=true) quantize_weights quantize_nodes'`,
  ]

  static override args = {
    in: Args.string({description: 'input GraphDef (.pb, or text .pbtxt)'}),
    out: Args.string({description: 'output GraphDef (.pb)'}),
  }

  static override flags = {
    'in-graph': Flags.string({description: 'input GraphDef', aliases: ['in_graph']}),
    'out-graph': Flags.string({description: 'output GraphDef', aliases: ['out_graph']}),
    inputs: Flags.string({description: 'comma-separated input node/tensor names (default: the Placeholders)'}),
    outputs: Flags.string({description: 'comma-separated output node/tensor names (default: the sinks)'}),
    transforms: Flags.string({description: 'transforms to apply, e.g. "strip_unused_nodes fold_constants(ignore_errors=true)"', exclusive: ['preset']}),
    preset: Flags.string({description: 'a named transform list', options: Object.keys(PRESETS)}),
    'output-as-text': Flags.boolean({description: 'write text format (not supported; accepted for compatibility when false)', aliases: ['output_as_text'], default: false}),
    'list-transforms': Flags.boolean({description: 'list the available transforms and exit', default: false}),
    json: Flags.boolean({description: 'print one JSON summary object', default: false}),
  }

  async run(): Promise<void> {
    // TensorFlow's flag parser takes --output_as_text=false; oclif's boolean flags take no value
    // (the "false" became a positional argument).
    const argv = this.argv.flatMap((arg) => {
      const m = /^--output[-_]as[-_]text=(.*)$/.exec(arg)
      if (!m) return [arg]
      return ['false', '0'].includes(m[1].toLowerCase()) ? [] : ['--output-as-text']
    })
    const {args, flags} = await this.parse(Transform, argv)
    if (flags['list-transforms']) {
      const list = transformNames().map((n) => ({name: n, summary: getTransform(n)!.summary, params: getTransform(n)!.params}))
      if (flags.json) this.printJson({transforms: list})
      else for (const t of list) this.log(`${t.name.padEnd(28)} ${t.summary}${t.params.length ? ` (${t.params.join(', ')})` : ''}`)
      return
    }
    const inGraph = flags['in-graph'] ?? args.in
    const outGraph = flags['out-graph'] ?? (flags['in-graph'] !== undefined && args.out === undefined ? args.in : args.out)
    if (flags['in-graph'] !== undefined && args.in !== undefined && flags['out-graph'] !== undefined) {
      throw new AxqError(`unexpected argument '${args.in}' (the graphs are already given with --in-graph/--out-graph)`)
    }
    if (!inGraph) throw new AxqError('give the input graph: axq transform IN.pb OUT.pb, or --in-graph', {subject: '--in-graph', exitCode: 2})
    if (!outGraph) throw new AxqError('give the output graph: axq transform IN.pb OUT.pb, or --out-graph', {subject: '--out-graph', exitCode: 2})
    if (flags['output-as-text']) throw new AxqError('--output-as-text is not supported: axq writes binary GraphDefs', {subject: '--output-as-text'})
    const transforms = flags.transforms ?? (flags.preset ? PRESETS[flags.preset] : undefined)
    const progress = process.stderr.isTTY && !flags.json
    const result = await transformGraphFile({
      inGraph,
      outGraph,
      inputs: splitList(flags.inputs),
      outputs: splitList(flags.outputs),
      transforms,
      onStep: progress ? (s) => process.stderr.write(`  ${s.name} ${s.nodesBefore} → ${s.nodesAfter} nodes\n`) : undefined,
    })
    for (const w of result.warnings) process.stderr.write(`axq: warning: ${w}\n`)
    if (flags.json) {
      this.printJson(result)
      return
    }
    for (const s of result.steps) {
      this.log(`${s.name.padEnd(28)} ${String(s.nodesBefore).padStart(6)} → ${String(s.nodesAfter).padEnd(6)} nodes ${s.ms.toFixed(1).padStart(8)} ms${s.ignoredError ? `  (error ignored: ${s.ignoredError})` : ''}`)
    }
    this.log(`wrote ${result.outGraph}: ${result.nodesOut} nodes, ${result.bytes} bytes (inputs: ${result.inputs.join(', ')}; outputs: ${result.outputs.join(', ')}) in ${result.ms.toFixed(0)} ms`)
  }
}

// The help text lists the registered transforms.
Transform.description = Transform.description.replace('{transforms}', transformNames().join(', '))
