import os from 'node:os'
import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {multDirFlag} from '../cli/multDirFlag.js'
import {saveFigure} from '../plot/saveFigure.js'
import {layerSensitivity} from '../search/sensitivity.js'
import {sensitivityFigure, sensitivityTable} from '../search/sensitivityReport.js'

export default class Sensitivity extends AxqCommand {
  static override description = `Accuracy when exactly one AxConv2D layer uses an approximate multiplier and the others stay exact

Evaluates every (layer, multiplier) pair of the chosen multipliers (default: every multiplier with a known power) on one batch of --images records; prints a layer × multiplier table, --json (with Wilson 95 % intervals and each configuration's relative power), and with --plot a heat map.`

  static override examples = ['<%= config.bin %> sensitivity resnet_8_quant_ax.pb --data data_batch_5.bin --mult-dir ./axmult --plot sensitivity.png']

  static override args = {graph: Args.string({description: 'frozen GraphDef (.pb) or quantized ONNX model (.onnx)', required: true})}

  static override flags = {
    data: Flags.string({description: 'data: a file: CIFAR .bin, pickle batch, .tfrecords, or .npz (x preprocessed, y labels)', required: true}),
    mults: Flags.string({description: 'multipliers: names, paths or globs (comma-separated or repeated); default every multiplier with a known power', multiple: true, multipleNonGreedy: true}),
    'mult-dir': multDirFlag(),
    tune: Flags.boolean({description: 'weight tuning (AxTune)', default: true, allowNo: true}),
    images: Flags.integer({description: 'images per evaluation (one batch)', default: 1000}),
    threads: Flags.integer({description: 'parallel evaluations (worker processes); default: all cores', min: 1}),
    plot: Flags.string({description: 'write a heat map (.png or .svg)'}),
    input: Flags.string({description: "input node (default: the graph's only Placeholder)"}),
    output: Flags.string({description: "output tensor (default: the graph's only sink)"}),
    json: Flags.boolean({description: 'print one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Sensitivity)
    const tty = process.stderr.isTTY
    const started = Date.now()
    const result = await layerSensitivity(
      {
        graph: args.graph, data: flags.data, mults: flags.mults, multDirs: flags['mult-dir'], tune: flags.tune, images: flags.images,
        workers: flags.threads ?? os.availableParallelism(), input: flags.input, output: flags.output,
      },
      (done, total) => {
        if (!tty) return
        const eta = ((Date.now() - started) / 1000 / done) * (total - done)
        process.stderr.write(`\r${done}/${total} evaluations, ETA ${eta.toFixed(0)} s\x1b[K`)
      },
    )
    if (tty) process.stderr.write('\r\x1b[K')
    if (flags.plot) await saveFigure(sensitivityFigure(result, `${path.basename(args.graph)}: one approximate layer at a time`), flags.plot)
    if (flags.json) this.printJson(result)
    else this.log(sensitivityTable(result))
  }
}
