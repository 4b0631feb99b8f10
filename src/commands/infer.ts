import {MAX_BATCH} from '../limits.js'
import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {runInference, type InferResult} from '../infer/inference.js'
import {AxqError} from '../errors.js'
import {EXACT_MULTIPLIER} from '../mults/table.js'
import {multDirFlag} from '../cli/multDirFlag.js'
import {dataFlags, preprocessingFromFlags} from '../cli/dataFlags.js'
import {ProgressLine} from '../sweep/progress.js'
import {inferencePower} from '../evaluation/job.js'
import {wilsonInterval} from '../evaluation/statistics.js'

const pyBool = (b: boolean) => (b ? 'True' : 'False')

export default class Infer extends AxqCommand {
  static override description = `Accuracy of a graph (GraphDef or ONNX) on CIFAR-style data, an image folder (one sub-folder per class) or .npy/.npz with an approximate multiplier in every AxConv2D node (ONNX: every QLinearConv, QLinearMatMul and QGemm)

Runs ITERATIONS batches of BATCH-SIZE records in file order (wrapping around at the end of the file), like tf-approximate's cifar10_ax_inference.py, and prints each batch's accuracy and the mean. A file with fewer records than ITERATIONS × BATCH-SIZE is reused: with the defaults, a 1000-image file is scored 10 times over (give --iterations 1). Float graphs (no AxConv2D) run too.`

  static override examples = [
    '<%= config.bin %> infer resnet_8_quant_ax.pb --data-dir cifar10/ --mult mul8u_L40 --tune --mult-dir ./axmult',
    '<%= config.bin %> infer resnet_8_quant_ax.pb --data test_batch.bin --batch-size 1000 --iterations 10 --json',
    '<%= config.bin %> infer model.onnx --data imagenet/val --preprocess imagenet --batch-size 50 --iterations 1000',
  ]

  static override args = {
    graph: Args.string({description: 'frozen GraphDef (.pb) or ONNX model (.onnx)', required: true}),
  }

  static override flags = {
    'data-dir': Flags.string({description: 'folder with eval.tfrecords, test_batch.bin or test_batch', exclusive: ['data']}),
    data: Flags.string({
      description:
        'a data file: .tfrecords, CIFAR-10 .bin batch, python pickle batch, .npz with x (preprocessed model input, float32) and y (labels), .npy of x (labels: --labels); or an image folder (one sub-folder of .jpg/.png files per class)',
    }),
    ...dataFlags,
    'batch-size': Flags.integer({description: 'images per batch (ranges and batch-norm statistics are per batch)', default: 1000, min: 1, max: MAX_BATCH}),
    iterations: Flags.integer({description: 'number of batches', default: 10, min: 1}),
    mult: Flags.string({description: 'multiplier name or .bin path for every AxConv2D node', default: EXACT_MULTIPLIER}),
    tune: Flags.boolean({description: 'weight tuning (AxTune)', default: false, allowNo: true}),
    'layer-mult': Flags.string({
      description: 'a different multiplier for one AxConv2D layer, as NODE=MULT or INDEX=MULT (0-based, graph order); repeatable (ALWANN-style layer-wise approximation)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    input: Flags.string({description: 'input node (default: the graph\'s only Placeholder)'}),
    output: Flags.string({description: 'output tensor (default: the graph\'s only sink)'}),
    'mult-dir': multDirFlag(),
    threads: Flags.integer({description: 'worker threads (default: all cores); results never depend on it', min: 1}),
    rsqrt: Flags.string({
      description: 'float32 rsqrt in batch norm: "eigen" reproduces TensorFlow 1.x x86 builds (RSQRTPS + one Newton step), "exact" is correctly rounded',
      options: ['eigen', 'exact'],
      default: 'eigen',
    }),
    profile: Flags.boolean({description: 'print the time spent per op type', default: false}),
    'save-logits': Flags.string({description: 'write the float32 logits [images, classes], in data order, to this .npy file'}),
    json: Flags.boolean({description: 'print one JSON object instead of text', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Infer)
    const data = flags.data ?? flags['data-dir']
    if (!data) throw new AxqError('give the data with --data FILE or --data-dir DIR', {subject: '--data', exitCode: 2})
    const progress = process.stderr.isTTY && !flags.json
    const result = await runInference(
      {
        graph: args.graph,
        data,
        batchSize: flags['batch-size'],
        iterations: flags.iterations,
        mult: flags.mult,
        tune: flags.tune,
        input: flags.input,
        output: flags.output,
        multDirs: flags['mult-dir'],
        layerMults: flags['layer-mult'],
        threads: flags.threads,
        profile: flags.profile,
        rsqrt: flags.rsqrt === 'exact' ? 'correctly-rounded' : 'eigen-fast-math',
        saveLogits: flags['save-logits'],
        labels: flags.labels,
        preprocessing: preprocessingFromFlags(flags),
      },
      {
        onNotice: (message) => process.stderr.write(`axq: note: ${message}\n`),
        onDecoded: process.stderr.isTTY ? decodeProgress() : undefined,
        onLayers: (layers) => {
          if (flags.json) return
          for (const l of layers) this.log(`${l.name} = ${l.mult} (tune = ${pyBool(l.tune)}) [${l.source}]`)
          if (progress) process.stderr.write(`running ${flags.iterations} batches of ${flags['batch-size']}...\n`)
        },
        onRun: (index, run) => {
          if (flags.json) {
            if (progress) process.stderr.write(`\rbatch ${index + 1}/${flags.iterations}`)
            return
          }
          if (progress) process.stderr.write('\r\x1b[K')
          if (Number.isNaN(run.accuracy)) this.log(`Predictions (run ${index}): ${run.images} images, no labels, in ${run.seconds.toFixed(3)} sec`)
          else this.log(`Mean accuracy (run ${index}): ${run.accuracy.toFixed(5)} in ${run.seconds.toFixed(3)} sec`)
        },
      },
    )
    const correct = result.runs.reduce((sum, r) => sum + r.correct, 0)
    const ci95 = result.labelled ? wilsonInterval(correct, result.images) : null
    const power = await inferencePower(args.graph, result.layers, flags['mult-dir'])
    if (flags.json) {
      if (progress) process.stderr.write('\n')
      this.printJson({...result, ci95, ...power})
      return
    }
    if (!ci95) {
      const counts = new Map<number, number>()
      for (const p of result.predictions ?? []) counts.set(p, (counts.get(p) ?? 0) + 1)
      const histogram = [...counts].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}: ${n}`).join(', ')
      this.log(`${result.images} images, no labels: accuracy not measured. Predicted classes (class: images): ${histogram}`)
      if (flags['save-logits']) this.log(`logits written to ${flags['save-logits']}`)
      if (result.profile) this.log(formatProfile(result))
      return
    }
    this.log(
      `${correct}/${result.images} correct, 95% CI (Wilson) [${ci95[0].toFixed(3)}, ${ci95[1].toFixed(3)}]; ` +
        `relative multiplication power ${power.relativePower === null ? 'unknown (no power known for a multiplier)' : `${power.relativePower.toFixed(3)} (computed MACs: ${power.relativePowerComputed?.toFixed(3)})`}`,
    )
    this.log(`results;mult=${result.mult};tune=${pyBool(result.tune)};accuracy=${result.accuracy.toFixed(3)}`)
    if (result.profile) this.log(formatProfile(result))
  }
}

/** "decoding 1200/50000 images, ETA 4m10s" on one line of stderr, at most 4 times a second. */
function decodeProgress(): (decoded: number, total: number) => void {
  let line: ProgressLine | undefined
  let shown = 0
  return (decoded, total) => {
    line ??= new ProgressLine(total, 'images decoded')
    const now = Date.now()
    if (now - shown < 250 && decoded < total) return
    shown = now
    process.stderr.write(`\r${line.format(decoded).replace(/, [0-9.]+ s each/, '')}\x1b[K${decoded >= total ? '\n' : ''}`)
  }
}

function formatProfile(result: InferResult): string {
  const rows = [...(result.profile ?? [])].sort((a, b) => b.seconds - a.seconds)
  const total = rows.reduce((s, r) => s + r.seconds, 0)
  const cpuTotal = rows.reduce((s, r) => s + r.cpuSeconds, 0)
  // CPU seconds (all threads) show the work an op does even when other processes slow the wall clock.
  const lines = ['', 'op                          calls    seconds   share  cpu seconds']
  for (const r of rows) {
    lines.push(`${r.op.padEnd(26)} ${String(r.calls).padStart(7)} ${r.seconds.toFixed(3).padStart(10)} ${((100 * r.seconds) / (total || 1)).toFixed(1).padStart(6)}% ${r.cpuSeconds.toFixed(3).padStart(12)}`)
  }
  lines.push(`${'total'.padEnd(26)} ${''.padStart(7)} ${total.toFixed(3).padStart(10)} ${''.padStart(7)} ${cpuTotal.toFixed(3).padStart(12)}`)
  return lines.join('\n')
}
