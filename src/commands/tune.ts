import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {formatMetric} from '../mults/catalogTable.js'
import {resolveMultiplier} from '../mults/resolve.js'
import {tuneReport} from '../mults/tuneReport.js'

export default class Tune extends AxqCommand {
  static override description = `Show a multiplier's weight-tuning map (AxTune)

Every weight code w is replaced by the code w* minimising Σ_i |i·w − T[i][w*]| over the 256
activation codes; w is kept when it is among the minimisers, else the smallest minimiser wins.
Prints the codes that move and MAE, mean error and WCE of the table before and after.`

  static override examples = [
    '<%= config.bin %> tune --mult mul8u_L40 --mult-dir ../shared/axmult',
    '<%= config.bin %> tune --mult drum8u_k4 --json',
  ]

  static override args = {
    graph: Args.string({description: 'a graph to bake the tuning into (with --out); not available yet', required: false}),
  }

  static override flags = {
    mult: Flags.string({description: 'multiplier name or path to a .bin table', required: true}),
    'mult-dir': Flags.string({description: 'folder of <name>.bin tables searched first (repeatable)', multiple: true}),
    json: Flags.boolean({description: 'print {mult, remapped, mapping, before, after} as JSON', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Tune)
    if (args.graph) throw new AxqError('axq tune GRAPH (baking the tuning into a graph) is not implemented yet; use axq tune --mult NAME to see the map', {subject: args.graph})
    const m = resolveMultiplier(flags.mult, {multDirs: flags['mult-dir']})
    const report = tuneReport(m.name, m.table)
    if (flags.json) {
      this.printJson(report)
      return
    }
    this.log(`${report.mult}: ${report.remapped} of 256 weight codes remapped`)
    const moved = report.mapping.map((to, w) => ({w, to})).filter((x) => x.to !== x.w)
    for (let i = 0; i < moved.length; i += 8) {
      this.log('  ' + moved.slice(i, i + 8).map((x) => `${String(x.w).padStart(3)}→${String(x.to).padEnd(3)}`).join('  '))
    }
    const row = (label: string, s: {mae: number; meanError: number; wce: number}) =>
      `${label.padEnd(7)}${formatMetric(s.mae).padStart(10)}${formatMetric(s.meanError).padStart(12)}${String(s.wce).padStart(8)}`
    this.log(`${''.padEnd(7)}${'MAE'.padStart(10)}${'mean error'.padStart(12)}${'WCE'.padStart(8)}`)
    this.log(row('before', report.before))
    this.log(row('after', report.after))
  }
}
