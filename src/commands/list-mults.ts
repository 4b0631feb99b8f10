import {Args, Flags} from '@oclif/core'
import {Chalk} from 'chalk'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {listMultipliers} from '../mults/catalog.js'
import {filterCatalog, sortCatalog, SORT_KEYS} from '../mults/catalogQuery.js'
import {renderCatalogTable} from '../mults/catalogTable.js'
import {multDirFlag} from '../cli/multDirFlag.js'
import {multipliersForModel} from '../evaluation/modelMultipliers.js'

export default class ListMults extends AxqCommand {
  static override description = `List every multiplier axq can resolve, with error metrics and hardware cost

Metrics are computed over all 65,536 operand pairs against the exact product a·w with EvoApproxLib's definitions (MAE% and WCE% relative to 65535, 65536 for signed tables; WCRE% and MRE% over a·w ≠ 0). Signed tables (kind 'signed': mul8s_*, trunc8s/drum8s/mitchell8s, or a sidecar saying so) multiply operands −128..127 and are measured against the exact signed product. Hardware cost (45 nm power mW, area µm², delay ns) comes from a sidecar <name>.json or a CSV with a 'name' column in the folder; the built-in EvoApproxLib tables carry their published figures. Search order: --mult-dir, AXQ_MULT_PATH, $AXQ_HOME/mults (~/.axq/mults), built-ins (EvoApproxLib's mul8u_*/mul8s_*, then the families).`

  static override examples = [
    '<%= config.bin %> list-mults --mult-dir ../shared/axmult --sort power',
    "<%= config.bin %> list-mults 'drum*' --max-mae-pct 1",
    '<%= config.bin %> list-mults --signedness signed --sort power',
    '<%= config.bin %> list-mults --source built-in --json',
  ]

  static override args = {
    glob: Args.string({description: "only names matching this glob (e.g. 'mul8u_*')", required: false}),
  }

  static override flags = {
    'mult-dir': multDirFlag(),
    sort: Flags.string({description: `sort key: ${Object.keys(SORT_KEYS).join('|')}`, default: 'name'}),
    desc: Flags.boolean({description: 'sort descending (unknown values stay last)', default: false}),
    source: Flags.string({description: "only from this source: built-in, mult-dir, AXQ_MULT_PATH, user, or a folder"}),
    family: Flags.string({description: 'only this family (e.g. mul8u, mul8s, trunc8u, drum8s)'}),
    signedness: Flags.string({description: 'only signed or only unsigned tables', options: ['signed', 'unsigned']}),
    'max-mae-pct': Flags.string({description: 'only MAE% ≤ this'}),
    'max-wce-pct': Flags.string({description: 'only WCE% ≤ this'}),
    'max-mre-pct': Flags.string({description: 'only MRE% ≤ this'}),
    'max-power': Flags.string({description: 'only power (mW) ≤ this (unknown power is excluded)'}),
    model: Flags.string({description: "only the multipliers that fit this model's quantized layers (ONNX or GraphDef): unsigned tables for uint8×uint8 layers and AxConv2D, signed ones for int8×int8 layers; says what was left out and why"}),
    json: Flags.boolean({description: 'print a JSON array (with --model: an object with the model\'s layers, the multipliers and what was left out)', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ListMults)
    const entries = listMultipliers({
      multDirs: flags['mult-dir'],
      onProblem: (error) => process.stderr.write(`axq: skipped: ${error.message}\n`),
    })
    const filtered = filterCatalog(entries, {
      glob: args.glob,
      source: flags.source,
      family: flags.family,
      signedness: flags.signedness as 'signed' | 'unsigned' | undefined,
      maxMaePct: numberFlag('--max-mae-pct', flags['max-mae-pct']),
      maxWcePct: numberFlag('--max-wce-pct', flags['max-wce-pct']),
      maxMrePct: numberFlag('--max-mre-pct', flags['max-mre-pct']),
      maxPowerMw: numberFlag('--max-power', flags['max-power']),
    })
    const fit = flags.model ? await multipliersForModel(flags.model, filtered) : undefined
    const sorted = sortCatalog(fit ? fit.kept : filtered, flags.sort, flags.desc)
    const rows = sorted.map((e) => ({
      name: e.name, signed: e.signed, family: e.family, source: e.source, mae: e.mae, maePct: e.maePct, wce: e.wce, wcePct: e.wcePct,
      wcrePct: e.wcrePct, epPct: e.epPct, mrePct: e.mrePct, mse: e.mse, meanError: e.meanError,
      powerMw: e.powerMw, areaUm2: e.areaUm2, delayNs: e.delayNs,
    }))
    if (flags.json) {
      this.printJson(fit ? {model: fit.model, layers: fit.layers, multipliers: rows, leftOut: fit.leftOut} : rows)
      return
    }
    const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
    const chalk = new Chalk({level: colour ? 1 : 0})
    this.log(renderCatalogTable(sorted, chalk))
    if (sorted.length === 0) this.log('(no multiplier matches)')
    if (fit) {
      const {unsigned, signed, mixed} = fit.layers
      this.log(`${fit.model}: ${unsigned} uint8×uint8, ${signed} int8×int8, ${mixed} uint8×int8 (exact only) approximable layers`)
      for (const l of fit.leftOut) this.log(`left out ${l.names.length}: ${l.reason}`)
    }
  }
}

function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new AxqError(`${flag}: expected a number, got '${value}'`, {subject: flag})
  return n
}


