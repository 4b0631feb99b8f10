import {Flags} from '@oclif/core'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {AxqCommand} from '../cli/baseCommand.js'
import {DEMO_DEFAULT_COUNT, DEMO_MULTIPLIERS, runDemo} from '../demo/demoPipeline.js'
import {formatDemoTable} from '../demo/demoTable.js'
import {saveAccuracyPlot} from '../demo/accuracyPlot.js'
import {figureFormat} from '../plot/saveFigure.js'
import {multDirFlag} from '../cli/multDirFlag.js'

export default class Demo extends AxqCommand {
  static override description = `Run the whole pipeline offline on the model and data set axq ships

Generates axq's synthetic shapes test split, quantizes the shipped float CNN (examples/shapes_resnet.pb) with the alwann transform preset, then measures its accuracy with the exact multiplier and a handful of built-in approximate ones, each without and with weight tuning, and prints a table (multiplier, MAE%, tuned, accuracy, images/s).

Accuracies are the same on every run and for any --threads; only images/s vary. Writes only under the work dir (default: a new temporary folder, named on stderr, or in the workDir field with --json) and the --plot file.`

  static override examples = [
    '<%= config.bin %> demo',
    '<%= config.bin %> demo --work-dir demo-out --plot demo-out/accuracy.png',
    '<%= config.bin %> demo --json --count 2000 --mult mul8u_1JFF --mult mul8u_L40 --mult-dir ../shared/axmult',
  ]

  static override flags = {
    'work-dir': Flags.string({description: 'folder for the data set and the quantized model (default: a new temporary folder)'}),
    count: Flags.integer({description: 'test images (batches of at most 1000)', default: DEMO_DEFAULT_COUNT}),
    seed: Flags.integer({description: 'seed of the synthetic test split', default: 1}),
    mult: Flags.string({description: `multiplier to evaluate (repeatable; default ${DEMO_MULTIPLIERS.join(', ')})`, multiple: true}),
    'mult-dir': multDirFlag(),
    threads: Flags.integer({description: 'worker threads (default: all cores); results never depend on it', min: 1}),
    plot: Flags.string({description: 'also draw accuracy against multiplier error into this .png or .svg file'}),
    json: Flags.boolean({description: 'print the table as one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Demo)
    if (flags.plot !== undefined) figureFormat(flags.plot) // .png or .svg: fail before the work
    const workDir = flags['work-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'axq-demo-'))
    if (!flags.json) process.stderr.write(`axq demo: working in ${path.resolve(workDir)}\n`) // --json: its workDir field
    const tty = process.stderr.isTTY
    const started = performance.now()
    const result = await runDemo({
      workDir,
      count: flags.count,
      seed: flags.seed,
      mults: flags.mult,
      multDirs: flags['mult-dir'],
      threads: flags.threads,
      onProgress: tty ? (message) => process.stderr.write(`  ${message}\n`) : undefined,
    })
    if (flags.plot) await saveAccuracyPlot(result, flags.plot)
    if (flags.json) {
      this.printJson(result)
    } else {
      this.log(formatDemoTable(result))
      this.log(`${result.count} synthetic test images, batches of ${result.batchSize}; quantized model ${result.quantizedModel}`)
    }
    if (tty) process.stderr.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  }
}
