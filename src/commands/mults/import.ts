import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../../cli/baseCommand.js'
import {AxqError} from '../../errors.js'
import {formatMetric} from '../../mults/catalogTable.js'
import {importMultipliers} from '../../mults/importMultiplier.js'
import {formatBeside} from '../../mults/printedPrecision.js'

export default class MultsImport extends AxqCommand {
  static override description = `Import multipliers into the user folder ($AXQ_HOME/mults, ~/.axq/mults) or --to DIR

Accepts EvoApproxLib-style C models (.c: a two-argument function (A, B) → product, unsigned or signed (mul8s_*, or --signed: operands −128..127; a model declared with unsigned types returning two's-complement bits is read as such, and a signed model must give 0 for a zero operand and the right sign for most large products), compiled with the system C compiler, $CC or cc, and evaluated for all 65,536 pairs; header comment metrics and PDK45 power/area/delay are read and checked), .bin tables (65536 little-endian uint16), NumPy .npy 256×256 integer arrays, and plain-text 256×256 tables (.txt/.csv); signed tables are int16. Writes <name>.bin and <name>.json (metrics, cost, provenance).`

  static override examples = [
    '<%= config.bin %> mults import mul8u_XYZ.c',
    '<%= config.bin %> mults import table.npy --name my_mult --to ./mults',
  ]

  static override strict = false

  static override args = {
    file: Args.string({description: 'files to import', required: true}),
  }

  static override flags = {
    to: Flags.string({description: 'destination folder (default: $AXQ_HOME/mults)'}),
    force: Flags.boolean({description: 'replace a multiplier of the same name', default: false}),
    name: Flags.string({description: 'import under this name (one file only)'}),
    function: Flags.string({description: 'C models: the function to evaluate'}),
    signed: Flags.boolean({
      description: 'signed multiplier: operands −128..127, int16 products (default: names starting mul8s_, C models with int8_t/signed char parameters, a sidecar saying so); --no-signed forces unsigned',
      allowNo: true,
    }),
    json: Flags.boolean({description: 'print a JSON object {imported: [...]}', default: false}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(MultsImport)
    const files = argv as string[]
    if (flags.name && files.length > 1) throw new AxqError('--name: give one file only', {subject: '--name'})
    // All or nothing: a failing file leaves none of the others imported.
    const results = await importMultipliers(files, {to: flags.to, force: flags.force, name: flags.name, function: flags.function, signed: flags.signed})
    for (const r of results) {
      if (!flags.json) {
        const m = r.metrics
        this.log(`${r.replaced ? 'replaced' : 'imported'} ${r.name} (${r.kind}, ${r.signed ? 'signed' : 'unsigned'}) → ${r.binFile}`)
        this.log(`  MAE% ${formatMetric(m.maePct)}  WCE% ${formatMetric(m.wcePct)}  WCRE% ${formatMetric(m.wcrePct)}  EP% ${formatMetric(m.epPct)}  MRE% ${formatMetric(m.mrePct)}  MSE ${formatMetric(m.mse)}` +
          (r.cost.powerMw !== null ? `  power ${r.cost.powerMw} mW` : '') + (r.cost.areaUm2 !== null ? `  area ${r.cost.areaUm2} µm²` : '') + (r.cost.delayNs !== null ? `  delay ${r.cost.delayNs} ns` : ''))
        for (const d of r.disagreements) this.log(`  header says ${d.metric} = ${d.header}, the table gives ${formatBeside(d.computed, d.header)}`)
      }
    }
    if (flags.json) {
      this.printJson({imported: results.map((r) => ({name: r.name, kind: r.kind, signed: r.signed, file: r.file, bin: r.binFile, json: r.jsonFile, replaced: r.replaced, metrics: r.metrics, cost: r.cost, disagreements: r.disagreements}))})
    }
  }
}
