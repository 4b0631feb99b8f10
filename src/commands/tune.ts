import {MAX_BATCH} from '../limits.js'
import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {readGraph, writeGraph} from '../graph/graphIO.js'
import {activationHistograms, bakeTuning} from '../mults/bakeTuning.js'
import {formatMetric} from '../mults/catalogTable.js'
import {requireUnsigned, resolveMultiplier} from '../mults/resolve.js'
import {tuneReport} from '../mults/tuneReport.js'
import {openDataset} from '../data/dataset.js'
import {placeholderNames} from '../graph/endpoints.js'
import {multDirFlag} from '../cli/multDirFlag.js'

export default class Tune extends AxqCommand {
  static override description = `Show a multiplier's weight-tuning map (AxTune)

Every weight code w is replaced by the code w* minimising Σ_i |i·w − T[i][w*]| over the 256 activation codes (0..255, or −128..127 for signed tables); w is kept when it is among the minimisers, else the smallest minimiser wins. Prints the codes that move and MAE, mean error and WCE of the table before and after.

With GRAPH and --out, the tuning is baked into the graph: every AxConv2D filter (folded to a quint8 constant first when TensorFlow quantizes it at run time) gets its weight codes replaced by w*, and AxTune is set to false. This equals running GRAPH with AxTune bit for bit when a layer's input zero point is 0; otherwise the baked weights also enter the zero-point correction term (−w*·zi instead of −w·zi). --calibrate DATA weights the error by each layer's activation-code histogram measured on DATA (a calibration set, never the test set) instead of uniformly.`

  static override examples = [
    '<%= config.bin %> tune --mult mul8u_L40 --mult-dir ../shared/axmult',
    '<%= config.bin %> tune --mult drum8u_k4 --json',
  ]

  static override args = {
    graph: Args.string({description: 'a graph (.pb) to bake the tuning into (with --out)', required: false}),
  }

  static override flags = {
    mult: Flags.string({description: 'multiplier name or path to a .bin table', required: true}),
    'mult-dir': multDirFlag(),
    json: Flags.boolean({description: 'print {mult, remapped, mapping, before, after} as JSON', default: false}),
    out: Flags.string({description: 'with GRAPH: the tuned graph to write'}),
    calibrate: Flags.string({description: 'with GRAPH: calibration data (file or folder) for per-layer activation histograms'}),
    'calibrate-images': Flags.integer({description: 'images of the calibration data to use', default: 1000, min: 1}),
    'batch-size': Flags.integer({description: 'calibration batch size', default: 250, min: 1, max: MAX_BATCH}),
    input: Flags.string({description: 'with --calibrate: the input placeholder (default: the only one)'}),
    threads: Flags.integer({description: 'worker threads for native kernels (default: all cores)', min: 1}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Tune)
    const m = resolveMultiplier(flags.mult, {multDirs: flags['mult-dir']})
    if (args.graph) {
      await this.bake(args.graph, m.name, requireUnsigned(m, `${args.graph}'s AxConv2D (quint8)`), flags)
      if (!flags.json) {
        const dirs = (flags['mult-dir'] ?? []).map((d) => ` --mult-dir ${d}`).join('')
        this.log(`run it with: axq infer ${flags.out} --mult ${flags.mult}${dirs} --no-tune (axq infer sets every node's AxMult from --mult, default mul8u_1JFF)`)
      }
      return
    }
    if (flags.out || flags.calibrate) throw new AxqError(`${flags.out ? '--out' : '--calibrate'} needs a GRAPH argument`, {subject: flags.out ? '--out' : '--calibrate', exitCode: 2})
    const report = tuneReport(m.name, m.table)
    if (flags.json) {
      this.printJson(report)
      return
    }
    this.log(`${report.mult} (${report.signed ? 'signed, weights −128..127' : 'unsigned, weights 0..255'}): ${report.remapped} of 256 weight codes remapped`)
    const lo = report.signed ? -128 : 0
    const moved = report.mapping.map((to, k) => ({w: lo + k, to})).filter((x) => x.to !== x.w)
    for (let i = 0; i < moved.length; i += 8) {
      this.log('  ' + moved.slice(i, i + 8).map((x) => `${String(x.w).padStart(4)}→${String(x.to).padEnd(4)}`).join('  '))
    }
    const row = (label: string, s: {mae: number; meanError: number; wce: number}) =>
      `${label.padEnd(7)}${formatMetric(s.mae).padStart(10)}${formatMetric(s.meanError).padStart(12)}${String(s.wce).padStart(8)}`
    this.log(`${''.padEnd(7)}${'MAE'.padStart(10)}${'mean error'.padStart(12)}${'WCE'.padStart(8)}`)
    this.log(row('before', report.before))
    this.log(row('after', report.after))
  }

  private async bake(
    file: string,
    mult: string,
    table: Uint16Array,
    flags: {out?: string; calibrate?: string; 'calibrate-images': number; 'batch-size': number; input?: string; threads?: number; json: boolean},
  ): Promise<void> {
    if (!flags.out) throw new AxqError('--out: give the file to write the tuned graph to', {subject: '--out', exitCode: 2})
    const graph = readGraph(file)
    let histograms: Map<string, Float64Array> | undefined
    if (flags.calibrate) {
      const inputs = placeholderNames(graph)
      const input = flags.input ?? (inputs.length === 1 ? inputs[0] : undefined)
      if (!input) throw new AxqError(`${file} has ${inputs.length} placeholders: choose one with --input`, {subject: '--input'})
      if (flags.input !== undefined && !inputs.includes(flags.input)) {
        throw new AxqError(`--input: ${file} has no placeholder '${flags.input}' (placeholders: ${inputs.join(', ') || 'none'})`, {subject: '--input'})
      }
      const data = openDataset(flags.calibrate)
      const count = Math.min(flags['calibrate-images'], data.count)
      const batches = []
      for (let start = 0; start < count; start += flags['batch-size']) batches.push(data.batch(start, Math.min(flags['batch-size'], count - start)).images)
      histograms = await activationHistograms(graph, {mult, table, input, batches, threads: flags.threads})
    }
    const result = await bakeTuning(graph, {mult, table, activationHistograms: histograms, threads: flags.threads})
    writeGraph(flags.out, result.graph)
    if (flags.json) {
      this.printJson({graph: file, out: flags.out, mult, calibrated: Boolean(histograms), removedNodes: result.removedNodes, layers: result.layers})
      return
    }
    for (const l of result.layers) {
      this.log(`${l.name}: ${l.folded ? 'folded, ' : ''}${l.remapped} codes remapped, ${l.changedWeights} weights changed${l.calibrated ? ' (calibrated)' : ''}`)
    }
    this.log(`wrote ${flags.out} (AxMult = ${mult}, AxTune = false; ${result.removedNodes} nodes no longer needed removed)`)
  }
}
