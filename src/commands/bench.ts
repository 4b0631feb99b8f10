import {MAX_BATCH} from '../limits.js'
import os from 'node:os'
import {Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {isOnnxFile} from '../formats/onnx/onnxModel.js'
import {benchOnnx, type OnnxRunTiming} from '../bench/onnxBench.js'
import {EXACT_MULTIPLIER} from '../mults/table.js'
import {requireUnsigned, resolveMultiplier, type ResolvedMultiplier} from '../mults/resolve.js'
import {tunedTable} from '../mults/tune.js'
import {RESNET8_LAYERS, convLayersOfGraph, parseLayerShape, type ConvLayer} from '../bench/convLayers.js'
import {benchEndToEnd, benchLayers, type ActivationModel, type BenchResult, type EndToEndResult, type LayerBenchResult} from '../bench/convBench.js'
import {captureConvInputs, type ConvInputs} from '../bench/convInputs.js'
import {benchFloat, type FloatBenchRun} from '../bench/floatBench.js'
import {defaultThreads} from '../native/axconv.js'
import {multDirFlag} from '../cli/multDirFlag.js'

const DEFAULT_MULT = 'mul8u_L40'
const FALLBACK_MULT = 'drum8u_k4'

export default class Bench extends AxqCommand {
  static override description = `Speed of the fast AxConv2D path against the reference loop, layer by layer

Runs every convolution layer of ResNet-8 (or of --graph, or the --shape layers) on the same inputs with the reference kernel (one thread, one table look-up per multiplication, like tf-approximate's) and the fast kernel (--threads), checks that both agree bit for bit (exit 1 if not), and prints GMAC/s from wall time and per CPU-second (robust when other processes compete for the cores), speedups and the product rows kept per layer. With --graph and --data it also times a whole inference of --iterations x --batch-size images; with --float only that, for a float graph, warm: one warm-up batch, then --iterations timed batches (CPU seconds of each, comparable with scripts/speed/tf_float_resnet8.py).`

  static override examples = [
    '<%= config.bin %> bench --mult-dir ../shared/axmult',
    '<%= config.bin %> bench --graph resnet_8_quant_ax.pb --data test_batch.bin --mult mul8u_L40 --tune --json',
    '<%= config.bin %> bench --threads 1 --activations uniform --shape 16x16x256:256:3:1 --shape 8x8x512:512:3:1',
    '<%= config.bin %> bench --float --graph resnet_8.pb --data test_first1000.bin --batch-size 1000 --iterations 3',
  ]

  static override flags = {
    graph: Flags.string({description: 'take the AxConv2D/QuantizedConv2D layers of this graph (input 32x32 propagated)'}),
    shape: Flags.string({
      description: 'time this layer instead of ResNet-8\'s: HxWxCin:Cout:k:stride (k x k filter, SAME padding), e.g. 16x16x256:256:3:1; repeatable',
      multiple: true,
      exclusive: ['graph'],
    }),
    float: Flags.boolean({description: 'float end-to-end mode: only time a whole inference of the float --graph on --data (no layer comparison, no multiplier)', default: false}),
    data: Flags.string({description: 'with --graph: also run an end-to-end inference on this data file or folder'}),
    mult: Flags.string({description: `multiplier name or .bin path (default ${DEFAULT_MULT} when on the search path, else the built-in ${FALLBACK_MULT})`}),
    'mult-dir': multDirFlag(),
    tune: Flags.boolean({description: 'weight tuning (AxTune) of the table', default: false, allowNo: true}),
    threads: Flags.integer({description: 'threads of the fast path (default: all cores)', min: 1}),
    batch: Flags.integer({description: 'images per layer call', default: 50, min: 1, max: MAX_BATCH}),
    activations: Flags.string({
      description: 'layer inputs: typical (synthetic, shaped like ResNet-8\'s measured inputs), uniform (synthetic, every code equally likely), real (captured from --graph on the first --batch records of --data; the default when both are given)',
      options: ['typical', 'uniform', 'real'],
    }),
    'end-to-end': Flags.boolean({description: 'with --graph and --data: time a whole inference (--iterations x --batch-size images)', default: true, allowNo: true}),
    'min-time': Flags.string({description: 'seconds of repeated fast-path calls to time per layer', default: '0.3'}),
    'batch-size': Flags.integer({description: 'end-to-end: images per batch', default: 1000, min: 1, max: MAX_BATCH}),
    iterations: Flags.integer({description: 'end-to-end: number of batches', default: 10, min: 1}),
    json: Flags.boolean({description: 'print one JSON object instead of a table', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Bench)
    if (flags.data && !flags.graph) throw new AxqError('--data needs --graph (the end-to-end run infers that graph)', {subject: '--data'})
    if (flags.float) {
      if (!flags.graph || !flags.data) throw new AxqError('--float needs --graph and --data (it times a whole inference of that graph)', {subject: '--float'})
      await this.floatEndToEnd(flags.graph, flags.data, flags)
      return
    }
    const multDirs = flags['mult-dir']
    if (flags.graph && isOnnxFile(flags.graph)) {
      if (!flags.data) throw new AxqError('--graph MODEL.onnx needs --data (ONNX models are benchmarked end to end)', {subject: '--data', exitCode: 2})
      const threads = flags.threads ?? defaultThreads()
      if (process.stderr.isTTY && !flags.json) process.stderr.write(`${flags.graph}: ${flags.iterations} x ${flags['batch-size']} images per run...\n`)
      const r = await benchOnnx(
        {
          graph: flags.graph,
          data: flags.data,
          mult: flags.mult ?? EXACT_MULTIPLIER,
          exactMult: EXACT_MULTIPLIER,
          tune: flags.tune,
          multDirs,
          threads,
          batchSize: flags['batch-size'],
          iterations: flags.iterations,
        },
        (run) => {
          if (flags.json) return
          for (const line of onnxRunLines(run, threads)) this.log(line)
          this.log('')
        },
      )
      const load = os.loadavg()[0]
      if (flags.json) {
        this.printJson({...r, threads, loadAverage: load, cores: os.availableParallelism()})
        return
      }
      this.log(`load average ${load.toFixed(1)} on ${os.availableParallelism()} cores${load > os.availableParallelism() ? ': other processes compete for the CPU, so GMAC per CPU-second is the robust figure' : ''}`)
      return
    }
    let resolved: ResolvedMultiplier
    if (flags.mult) {
      resolved = resolveMultiplier(flags.mult, {multDirs})
    } else {
      try {
        resolved = resolveMultiplier(DEFAULT_MULT, {multDirs})
      } catch (error) {
        if (!(error instanceof AxqError)) throw error
        resolved = resolveMultiplier(FALLBACK_MULT, {multDirs})
      }
    }
    const minFastSeconds = Number(flags['min-time'])
    if (!Number.isFinite(minFastSeconds) || minFastSeconds < 0) throw new AxqError(`--min-time must be a number of seconds, got '${flags['min-time']}'`, {subject: '--min-time'})
    const unsigned = requireUnsigned(resolved, 'axq bench (the quint8 AxConv2D kernels)')
    const table = flags.tune ? tunedTable(unsigned) : unsigned
    const layers: readonly ConvLayer[] = flags.graph ? convLayersOfGraph(flags.graph) : flags.shape ? flags.shape.map(parseLayerShape) : RESNET8_LAYERS
    const threads = flags.threads ?? defaultThreads()
    const activations = (flags.activations ?? (flags.graph && flags.data ? 'real' : 'typical')) as ActivationModel
    let inputs: Map<string, ConvInputs> | undefined
    if (activations === 'real') {
      if (!flags.graph || !flags.data) throw new AxqError('--activations real needs --graph and --data', {subject: '--activations'})
      if (process.stderr.isTTY) process.stderr.write(`capturing layer inputs: ${flags.graph} on ${flags.batch} records of ${flags.data}...\n`)
      inputs = await captureConvInputs(
        {graph: flags.graph, data: flags.data, batch: flags.batch, mult: resolved.source === 'built-in' ? resolved.name : resolved.source, tune: flags.tune, multDirs, threads},
        layers,
      )
    }
    const progress = process.stderr.isTTY
    const tableOut = !flags.json
    const nameWidth = Math.max(5, ...layers.map((l) => shortName(l.name).length))
    const shapeWidth = Math.max(24, ...layers.map((l) => layerShape(l).length))
    if (tableOut) {
      this.log(`multiplier ${resolved.name} (${resolved.source}), tune ${flags.tune ? 'on' : 'off'}; fast path: ${threads} thread(s); reference: 1 thread`)
      this.log(`${flags.batch} images per layer call, ${activations} activations; GMAC/s from wall time, and per CPU-second (cpu)`)
      this.log(
        `${'layer'.padEnd(nameWidth)}  ${'shape'.padEnd(shapeWidth)}  ${'MACs/image'.padStart(13)}  ${'ref (cpu)'.padStart(10)}  ${'fast'.padStart(10)}  ${'fast (cpu)'.padStart(10)}  ${'speedup'.padStart(8)}  ${'rows kept'.padStart(10)}`,
      )
    }
    const result = await benchLayers({
      layers,
      table,
      mult: resolved.name,
      tune: flags.tune,
      batch: flags.batch,
      threads,
      activations,
      inputs,
      minFastSeconds,
      onLayer: (r: LayerBenchResult) => {
        if (!tableOut) {
          if (progress) process.stderr.write(`\r${r.name}`)
          return
        }
        const l = layers.find((x) => x.name === r.name)!
        const note = r.path === 'rows-built' ? '  (rows-built: the other rows built during each call)' : r.path === 'windows' ? '  (windows: whole window per pixel)' : ''
        this.log(
          `${shortName(r.name).padEnd(nameWidth)}  ${layerShape(l).padEnd(shapeWidth)}  ${r.macs.toLocaleString('en-US').padStart(13)}  ${gmacs(r.referenceCpuGmacs).padStart(10)}  ${gmacs(r.fastGmacs).padStart(10)}  ${gmacs(r.fastCpuGmacs).padStart(10)}  ${(r.speedup.toFixed(1) + 'x').padStart(8)}  ${(r.rowBytes / 2 ** 20).toFixed(1).padStart(6) + ' MiB'}${note}`,
        )
      },
    })
    const load = os.loadavg()[0]
    const cores = os.availableParallelism()
    if (tableOut) {
      this.log(`fast and reference agree bit for bit on every layer; geometric mean speedup ${result.speedup.toFixed(1)}x (${result.fastVariant} kernel)`)
      if (load > cores) this.log(`note: load average ${load.toFixed(1)} on ${cores} cores: other processes compete for the CPU, so these timings understate both kernels and the speedup`)
    }
    else if (progress) process.stderr.write('\r\x1b[K')

    let endToEnd: BenchResult['endToEnd'] = null
    if (flags.graph && flags.data && flags['end-to-end']) {
      if (progress) process.stderr.write(`end-to-end: ${flags.iterations} x ${flags['batch-size']} images...\n`)
      endToEnd = await benchEndToEnd({
        graph: flags.graph,
        data: flags.data,
        mult: resolved.source === 'built-in' ? resolved.name : resolved.source,
        tune: flags.tune,
        multDirs,
        threads,
        batchSize: flags['batch-size'],
        iterations: flags.iterations,
      })
      if (tableOut) this.log(endToEndLine(endToEnd))
    }
    if (flags.json) {
      const full: BenchResult = {...result, endToEnd}
      this.printJson({
        threads: full.threads,
        layers: full.layers.map(({name, macs, referenceGmacs, fastGmacs, speedup, referenceCpuGmacs, fastCpuGmacs, path, rowBytes}) => ({
          name, macs, referenceGmacs, fastGmacs, speedup, referenceCpuGmacs, fastCpuGmacs, path, rowBytes,
        })),
        speedup: full.speedup,
        endToEnd: full.endToEnd,
        mult: full.mult,
        tune: full.tune,
        batch: full.batch,
        activations: full.activations,
        fastVariant: full.fastVariant,
        loadAverage: load,
      })
    }
  }

  /** --float: warm CPU time of a float graph's inference (src/bench/floatBench.ts); no multiplier, no layer comparison. */
  private async floatEndToEnd(graph: string, data: string, flags: {threads?: number; 'batch-size': number; iterations: number; json: boolean}): Promise<void> {
    const threads = flags.threads ?? defaultThreads()
    if (process.stderr.isTTY) process.stderr.write(`float end-to-end: 1 warm-up + ${flags.iterations} timed batches of ${flags['batch-size']} images of ${data}...\n`)
    const r = await benchFloat({graph, data, mult: FALLBACK_MULT, threads, batchSize: flags['batch-size'], runs: flags.iterations})
    const load = os.loadavg()
    const endToEnd: EndToEndResult = {images: r.images, seconds: r.seconds, cpuSeconds: r.batchCpuSeconds, imagesPerSecond: r.imagesPerSecond, peakRssMb: r.peakRssMb, accuracy: r.accuracy}
    if (flags.json) {
      this.printJson({mode: 'float', graph, threads, endToEnd, warmup: r.warmup, runs: r.runs, medianCpuSeconds: r.medianCpuSeconds, bestCpuSeconds: r.bestCpuSeconds, loadAverage: load[0]})
      return
    }
    this.log(`float end-to-end, ${graph}: ${threads} thread(s), 1 warm-up batch then ${r.runs.length} timed batches of ${flags['batch-size']} images`)
    const line = (name: string, x: FloatBenchRun) =>
      `${name}: cpu ${x.cpuSeconds.toFixed(3)} s (with decoding ${x.batchCpuSeconds.toFixed(3)} s), wall ${x.seconds.toFixed(3)} s, ${x.images} images, accuracy ${x.accuracy.toFixed(3)}`
    this.log(line('warm-up', r.warmup))
    r.runs.forEach((x, i) => this.log(line(`run ${i}`, x)))
    this.log(`warm CPU time per batch of ${flags['batch-size']} images: median ${r.medianCpuSeconds.toFixed(3)} s, best ${r.bestCpuSeconds.toFixed(3)} s (process CPU, all threads, from decoded images to predictions: compare with TensorFlow's sess.run in scripts/speed/tf_float_resnet8.py)`)
    this.log(endToEndLine(endToEnd))
    this.log(`load average ${load.map((v) => v.toFixed(2)).join(', ')} on ${os.availableParallelism()} cores${load[0] > os.availableParallelism() ? ': other processes compete for the CPU, so the CPU time is the robust figure' : ''}`)
  }
}

/** The table of one ONNX run: per layer, then the other ops, then the whole run. */
function onnxRunLines(run: OnnxRunTiming, threads: number): string[] {
  const dims = (s: number[] | null) => (s ? s.slice(1).join('x') : '?')
  const nameWidth = Math.max(5, ...run.layers.map((l) => l.name.length))
  const rate = (v: number | null) => (v === null ? '-' : v.toFixed(2))
  const lines = [
    `multiplier ${run.mult}, tune ${run.tune ? 'on' : 'off'}: ${run.images} images, ${threads} thread(s); times summed over the run, GMAC/s from wall time and per CPU-second`,
    `${'layer'.padEnd(nameWidth)}  ${'kind'.padEnd(19)}  ${'input'.padEnd(10)}  ${'filter'.padEnd(11)}  ${'output'.padEnd(10)}  ${'MACs/image'.padStart(11)}  ${'s'.padStart(7)}  ${'cpu s'.padStart(7)}  ${'GMAC/s'.padStart(7)}  ${'GMAC/cpu-s'.padStart(10)}  ${'cpu%'.padStart(5)}`,
  ]
  for (const l of run.layers) {
    const kind = l.kind === 'depthwise' || l.kind === 'grouped' ? `${l.kind}(${l.group})` : l.kind
    const stride = l.strides && l.strides.some((v) => v !== 1) ? ` s${l.strides.join(',')}` : ''
    lines.push(
      `${l.name.padEnd(nameWidth)}  ${(kind + stride).padEnd(19)}  ${dims(l.inputShape).padEnd(10)}  ${(l.filterShape ? l.filterShape.join('x') : '?').padEnd(11)}  ${dims(l.outputShape).padEnd(10)}  ${(l.macsPerImage ?? 0).toLocaleString('en-US').padStart(11)}  ${l.seconds.toFixed(2).padStart(7)}  ${l.cpuSeconds.toFixed(2).padStart(7)}  ${rate(l.gmacsPerSecond).padStart(7)}  ${rate(l.gmacsPerCpuSecond).padStart(10)}  ${(100 * l.cpuShare).toFixed(1).padStart(5)}`,
    )
  }
  const layerCpu = run.layers.reduce((s, l) => s + l.cpuSeconds, 0)
  lines.push(`all layers: ${layerCpu.toFixed(2)} cpu s (${((100 * layerCpu) / (run.cpuSeconds || 1)).toFixed(1)}% of the run)`)
  lines.push(`other ops: ${run.otherOps.map((o) => `${o.op} ${o.calls}x ${o.cpuSeconds.toFixed(2)} cpu s`).join(', ') || 'none'}`)
  lines.push(
    `end-to-end: ${run.images} images in ${run.seconds.toFixed(2)} s (${run.imagesPerSecond.toFixed(0)} images/s), CPU ${run.cpuSeconds.toFixed(2)} s; ${run.gmacsPerSecond.toFixed(2)} GMAC/s, ${run.gmacsPerCpuSecond.toFixed(2)} GMAC per CPU-second; accuracy ${run.accuracy.toFixed(3)}`,
  )
  return lines
}

function layerShape(l: ConvLayer): string {
  return `${l.H}x${l.W}x${l.C} ${l.KH}x${l.KW}x${l.K} s${l.stride} ${l.padding}`
}

function endToEndLine(r: EndToEndResult): string {
  return `end-to-end: ${r.images} images in ${r.seconds.toFixed(2)} s (${r.imagesPerSecond.toFixed(0)} images/s), CPU ${r.cpuSeconds.toFixed(2)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB, accuracy ${r.accuracy.toFixed(3)}`
}

function gmacs(v: number): string {
  return `${v.toFixed(v < 1 ? 3 : 2)} G/s`
}

/** Graph node names are long (resnet/tower_0/stage/residual_v1/conv2d/Conv2D/eightbit). */
function shortName(name: string): string {
  return name.replace(/^resnet\/tower_0\//, '').replace(/\/residual_v1/, '').replace(/\/Conv2D\/eightbit$/, '')
}
