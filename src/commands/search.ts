import os from 'node:os'
import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {multDirFlag} from '../cli/multDirFlag.js'
import {fileRef, loadApproximateLayerMacs} from '../evaluation/job.js'
import {LayerSearch} from '../search/layerSearch.js'
import {searchFigure, searchTable} from '../search/searchReport.js'
import {saveFigure} from '../plot/saveFigure.js'
import {QueueEvaluator} from '../queue/queueEvaluator.js'
import {QueueRunner} from '../queue/queueRunner.js'

const minutes = (s: number) => (s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`)

export default class Search extends AxqCommand {
  static override description = `Layer-wise approximation (ALWANN): choose a multiplier for each approximate layer (AxConv2D; ONNX quantized Conv/Gemm/MatMul) under a power budget

An accelerator has TILES computing tiles, each built with one multiplier; every approximate layer runs on one tile. NSGA-II evolves the tiles' multipliers and the layer→tile map, maximising accuracy on --data and minimising the relative multiplication power Σ MACs·P(mult) / Σ MACs·P(exact) (MACs as \`axq inspect\` counts them, P the multiplier's power from its sidecar or its folder's CSV). Prints the Pareto front; each point's layer multipliers reproduce it with \`axq infer --layer-mult\`. The same --seed gives the same front for any --threads, and a search killed and restarted with the same --checkpoint ends with the same front.`

  static override examples = [
    '<%= config.bin %> search resnet_8_quant_ax.pb --data data_batch_5.bin --test-data test_first1000.bin --tiles 3 --mult-dir ./axmult --plot front.png',
  ]

  static override args = {graph: Args.string({description: 'frozen GraphDef (.pb) or quantized ONNX model (.onnx)', required: true})}

  static override flags = {
    data: Flags.string({description: 'search (validation) data: a file: CIFAR .bin, pickle batch, .tfrecords, or .npz (x preprocessed, y labels)', required: true}),
    'test-data': Flags.string({description: 'data the final front is re-evaluated on (never searched on)'}),
    tiles: Flags.integer({description: 'computing tiles (distinct multipliers), 1 … number of approximate layers', required: true}),
    mults: Flags.string({description: 'candidate multipliers: names, paths or globs (comma-separated or repeated); default every multiplier with a known power', multiple: true, multipleNonGreedy: true}),
    'mult-dir': multDirFlag(),
    tune: Flags.boolean({description: 'weight tuning (AxTune), as ALWANN', default: true, allowNo: true}),
    population: Flags.integer({description: 'NSGA-II population', default: 50}),
    generations: Flags.integer({description: 'NSGA-II generations after the initial population', default: 30}),
    images: Flags.integer({description: 'images per evaluation on --data (one batch)', default: 1000}),
    'early-images': Flags.integer({description: 'images per evaluation in the first --early-generations generations (0: always --images)', default: 250}),
    'early-generations': Flags.integer({description: 'generations evaluated on --early-images', default: 24}),
    'test-images': Flags.integer({description: 'images per evaluation on --test-data (one batch)', default: 1000}),
    seed: Flags.integer({description: 'random seed (same seed, same front, for any --threads)', default: 1}),
    threads: Flags.integer({description: 'parallel evaluations (worker processes); default: all cores', min: 1}),
    checkpoint: Flags.string({description: 'state file written after every generation; an existing one is resumed'}),
    plot: Flags.string({description: 'write accuracy against relative power (.png or .svg), with one-multiplier-everywhere points'}),
    input: Flags.string({description: "input node (default: the graph's only Placeholder)"}),
    output: Flags.string({description: "output tensor (default: the graph's only sink)"}),
    queue: Flags.string({description: 'run the evaluations on `axq worker` processes through this Redis (redis://HOST:PORT); same front as a local search', exclusive: ['threads']}),
    timeout: Flags.integer({description: 'with --queue: seconds an evaluation may run before it is retried elsewhere', min: 1, dependsOn: ['queue']}),
    attempts: Flags.integer({description: 'with --queue: tries per evaluation that fails or times out', default: 2, min: 1}),
    json: Flags.boolean({description: 'print one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Search)
    const tty = process.stderr.isTTY
    const notice = (m: string) => process.stderr.write(`axq: note: ${m}\n`)
    const queue = flags.queue ? new QueueRunner({url: flags.queue, timeoutSeconds: flags.timeout, attempts: flags.attempts, onNotice: notice}) : undefined
    if (queue) await queue.open()
    // ONNX layers are counted by running the model once, before the (synchronous) search setup.
    await loadApproximateLayerMacs(fileRef(args.graph))
    const search = new LayerSearch(
      {
        graph: args.graph,
        data: flags.data,
        testData: flags['test-data'],
        tiles: flags.tiles,
        mults: flags.mults,
        multDirs: flags['mult-dir'],
        tune: flags.tune,
        population: flags.population,
        generations: flags.generations,
        images: flags.images,
        earlyImages: flags['early-images'],
        earlyGenerations: flags['early-generations'],
        testImages: flags['test-images'],
        seed: flags.seed,
        workers: flags.threads ?? os.availableParallelism(),
        checkpoint: flags.checkpoint,
        uniform: flags.plot !== undefined,
        input: flags.input,
        output: flags.output,
      },
      {
        onNotice: notice,
        onEvaluation: (done, total) => {
          if (tty) process.stderr.write(`\r  evaluating ${done}/${total}\x1b[K`)
        },
        onGeneration: (g) => {
          const line = `generation ${g.generation}/${g.generations}: ${g.evaluations} evaluations, front ${g.front}, ${minutes(g.seconds)}` + (g.etaSeconds !== null && g.generation < g.generations ? `, ETA ≤ ${minutes(g.etaSeconds)}` : '')
          if (tty) process.stderr.write(`\r${line}\x1b[K\n`)
        },
      },
      queue && new QueueEvaluator(queue),
    )
    let result
    try {
      result = await search.run()
    } finally {
      await queue?.close()
    }
    if (tty) process.stderr.write('\r\x1b[K')
    if (flags.plot) await saveFigure(searchFigure(result, `${path.basename(args.graph)}: ${flags.tiles}-tile layer-wise approximation`), flags.plot)
    if (flags.json) {
      this.printJson(result)
      return
    }
    this.log(searchTable(result))
  }
}
