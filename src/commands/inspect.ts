import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {readGraph} from '../graph/graphIO.js'
import {summarizeGraph} from '../graph/graphSummary.js'
import {placeholderNames} from '../graph/endpoints.js'
import {isOnnxFile} from '../formats/onnx/onnxModel.js'
import {summarizeOnnx} from '../formats/onnx/onnxSummary.js'
import {multDirFlag} from '../cli/multDirFlag.js'
import {layerwisePower} from '../evaluation/job.js'
import {EXACT_MULTIPLIER} from '../mults/table.js'

function parseDims(text: string, flag: string): number[] {
  const parts = text.split(',').map((s) => s.trim())
  if (parts.length === 0 || parts.some((p) => !/^(-1|\d+)$/.test(p))) {
    throw new AxqError(`${flag}: '${text}' is not a shape (comma-separated sizes, -1 for unknown, e.g. 1,32,32,3)`, {subject: flag})
  }
  return parts.map(Number)
}

function fmtShape(s: number[] | null): string {
  return s ? `[${s.map((d) => (d < 0 ? '?' : String(d))).join(',')}]` : '?'
}

function fmtInt(n: number | null): string {
  return n === null ? '?' : n.toLocaleString('en-US')
}

export default class Inspect extends AxqCommand {
  static override description = `Summarize a GraphDef: nodes, ops, inputs, outputs and the multiply-heavy layers

For every Conv2D/QuantizedConv2D/AxConv2D/MatMul layer: input, filter and output shapes (from shape inference), strides, padding and multiplications per image, plus the total. "mults/image" follows the convention of ALWANN-style reports: a convolution counts input height × width × filter size × output channels, every input position, so a stride-2 layer counts 4× what it computes. "computed" counts what a convolution actually performs: output positions × filter size (--json: outputMacsPerImage).`

  static override examples = [
    '<%= config.bin %> inspect resnet_8_quant_ax.pb',
    '<%= config.bin %> inspect resnet_8.pb --input-shape 1,32,32,3 --json',
  ]

  static override args = {
    graph: Args.string({description: 'GraphDef (.pb) or ONNX model (.onnx)', required: true}),
  }

  static override flags = {
    json: Flags.boolean({description: 'print one JSON object', default: false}),
    'input-shape': Flags.string({
      description: "shape of the input placeholder, e.g. 1,32,32,3 (or NAME=1,32,32,3 when there are several; repeatable)",
      multiple: true,
      multipleNonGreedy: true,
    }),
    mult: Flags.string({description: 'with --mult/--layer-mult: also report the relative multiplication power of this multiplier on every AxConv2D layer'}),
    'layer-mult': Flags.string({description: 'NODE=MULT or INDEX=MULT for one AxConv2D layer, as in infer (repeatable)', multiple: true, multipleNonGreedy: true}),
    'mult-dir': multDirFlag(),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Inspect)
    const onnx = isOnnxFile(args.graph)
    const graph = onnx ? undefined : readGraph(args.graph)
    const shapes: Record<string, number[]> = {}
    const placeholders = graph ? placeholderNames(graph) : (await import('../formats/onnx/onnxModel.js')).readOnnxModel(args.graph).inputs.map((i) => i.name)
    for (const spec of flags['input-shape'] ?? []) {
      const eq = spec.indexOf('=')
      if (eq >= 0) {
        const name = spec.slice(0, eq)
        if (!placeholders.includes(name)) throw new AxqError(`--input-shape: the graph has no placeholder '${name}' (placeholders: ${placeholders.join(', ') || 'none'})`, {subject: '--input-shape'})
        shapes[name] = parseDims(spec.slice(eq + 1), '--input-shape')
      } else {
        if (placeholders.length !== 1) {
          throw new AxqError(`--input-shape: the graph has ${placeholders.length} placeholders (${placeholders.join(', ')}); write NAME=DIMS`, {subject: '--input-shape'})
        }
        shapes[placeholders[0]] = parseDims(spec, '--input-shape')
      }
    }
    const s = graph ? summarizeGraph(graph, shapes) : await summarizeOnnx(args.graph, shapes)
    const power = flags.mult !== undefined || flags['layer-mult'] !== undefined ? await layerwisePower(args.graph, flags.mult ?? EXACT_MULTIPLIER, flags['layer-mult'] ?? [], flags['mult-dir']) : undefined
    if (flags.json) {
      this.printJson(power ? {...s, ...power} : s)
      return
    }
    this.log(`${args.graph}: ${s.nodes} nodes`)
    this.log(`ops: ${Object.entries(s.ops).map(([op, n]) => `${op} ${n}`).join(', ')}`)
    this.log(`inputs: ${s.inputDetails.map((i) => `${i.name} ${i.dtype ?? '?'} ${fmtShape(i.shape)}`).join(', ') || 'none'}`)
    this.log(`outputs: ${s.outputs.join(', ') || 'none'}`)
    if (s.layers.length === 0) {
      this.log('no Conv2D/QuantizedConv2D/AxConv2D/MatMul layers')
      return
    }
    const rows = s.layers.map((l) => [
      l.op, l.name, fmtShape(l.inputShape), fmtShape(l.filterShape), fmtShape(l.outputShape), l.strides ? l.strides.join(',') : '', l.padding ?? '',
      fmtInt(l.macsPerImage), fmtInt(l.outputMacsPerImage),
    ])
    const header = ['op', 'layer', 'input', 'filter', 'output', 'strides', 'padding', 'mults/image', 'computed']
    const numeric = header.length - 2
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    const line = (r: string[]) => r.map((c, i) => (i >= numeric ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()
    this.log('')
    this.log(line(header))
    for (const r of rows) this.log(line(r))
    const computed = s.layers.every((l) => l.outputMacsPerImage !== null)
      ? s.layers.reduce((sum, l) => sum + (l.outputMacsPerImage ?? 0), 0)
      : null
    const known = s.layers.length - s.unknownLayers.length
    this.log(`total: ${fmtInt(s.macsPerImage)} multiplications per image in ${known} layers (computed: ${fmtInt(computed)})`)
    if (s.unknownLayers.length > 0) {
      this.log(`not counted: ${s.unknownLayers.length} layer(s) of unknown shape (${s.unknownLayers.join(', ')}); give --input-shape, or check their strides and padding`)
    }
    if (computed !== null && computed !== s.macsPerImage) {
      this.log('mults/image counts every input position (the convention of ALWANN-style reports); computed = output positions × filter size')
    }
    if (power) {
      const fmt = (v: number | null) => (v === null ? 'unknown (no power known for a multiplier)' : v.toFixed(4))
      this.log(`relative multiplication power of the approximate layers: ${fmt(power.relativePower)} (computed MACs: ${fmt(power.relativePowerComputed)})`)
    }
  }
}
