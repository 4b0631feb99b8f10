import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {figureFormat, saveFigure} from '../plot/saveFigure.js'
import {QueueRunner} from '../queue/queueRunner.js'
import {sweepJobs} from '../sweep/grid.js'
import {ProgressLine} from '../sweep/progress.js'
import {runSweep} from '../sweep/runSweep.js'
import {localRunner} from '../sweep/runner.js'
import {parseShard} from '../sweep/shard.js'
import {shellQuote, slurmScript} from '../sweep/slurmScript.js'
import {readSweepSpec} from '../sweep/spec.js'
import {formatSummaryTable, summaryFigure} from '../sweep/summary.js'

export default class Sweep extends AxqCommand {
  static override description = `Evaluate a grid of configurations (graphs × data × multipliers × layer maps × tune) and append one JSON line per finished job to a results file

SPEC is a YAML or JSON file (README, "Sweeps and clusters"): graph, data, batchSize, iterations, multDirs, mults (names, globs such as "mul8u_*", family:NAME), layerMults, tune. Jobs have stable ids; re-running skips the jobs already in --out, so a killed sweep resumes. Jobs run on a local pool (--workers), as one shard of a Slurm array (--shard I/N, --emit-slurm N), or on \`axq worker\` processes through a Redis queue (--queue). \`axq sweep merge\` joins shard files.`

  static override examples = [
    '<%= config.bin %> sweep sweep.yaml --out results.jsonl --summary --plot results.png',
    '<%= config.bin %> sweep sweep.yaml --emit-slurm 3 --out results.jsonl > sweep.sh',
    '<%= config.bin %> sweep sweep.yaml --shard 2/3 --out results.shard-2-of-3.jsonl',
    '<%= config.bin %> sweep sweep.yaml --queue redis://127.0.0.1:6379 --out results.jsonl',
  ]

  static override args = {
    spec: Args.string({description: 'sweep SPEC (.yaml or .json)', required: true}),
  }

  static override flags = {
    out: Flags.string({description: 'results file (JSON Lines), appended to; with --emit-slurm the merged file the shards are named after', required: true}),
    shard: Flags.string({description: 'run only shard I of N (I from 1 to N): grid positions k with k mod N = I − 1'}),
    'emit-slurm': Flags.integer({description: 'print an sbatch array script of N tasks, task I running --shard I/N, and exit', min: 1, exclusive: ['shard', 'queue', 'summary', 'plot']}),
    sbatch: Flags.string({description: 'an extra #SBATCH option for --emit-slurm, e.g. --sbatch=--time=01:00:00 (repeatable)', multiple: true, multipleNonGreedy: true}),
    workers: Flags.integer({description: 'local evaluation processes (1: in this process)', default: 1, min: 1, exclusive: ['queue']}),
    threads: Flags.integer({description: 'native threads per local evaluation (default: all cores with one worker, else 1)', min: 1, exclusive: ['queue']}),
    queue: Flags.string({description: 'run the jobs on `axq worker` processes through this Redis (redis://HOST:PORT)'}),
    timeout: Flags.integer({description: 'with --queue: seconds a job may run before it is retried elsewhere', min: 1, dependsOn: ['queue']}),
    attempts: Flags.integer({description: 'with --queue: tries per job that fails or times out', default: 2, min: 1}),
    summary: Flags.boolean({description: 'print the results as a table', default: false}),
    plot: Flags.string({description: 'draw accuracy against relative power into this .png or .svg file'}),
    json: Flags.boolean({description: 'print {out, grid, jobs, skipped, ran, results} as one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Sweep)
    const shard = flags.shard === undefined ? undefined : parseShard(flags.shard)
    if (flags.plot !== undefined) figureFormat(flags.plot)
    const spec = readSweepSpec(args.spec)
    if (flags['emit-slurm'] !== undefined) {
      const jobs = sweepJobs(spec) // the SPEC, its files and multipliers are checked before a cluster sees them
      const axq = [process.execPath, path.join(this.config.root, 'bin', 'run.js')].map(shellQuote).join(' ')
      process.stdout.write(slurmScript({spec: args.spec, shards: flags['emit-slurm'], out: flags.out, axq, sbatchOptions: flags.sbatch}))
      process.stderr.write(`axq: note: ${jobs.length} jobs in ${flags['emit-slurm']} array tasks\n`)
      return
    }
    const tty = process.stderr.isTTY
    const notice = (message: string) => process.stderr.write(`axq: note: ${message}\n`)
    const runner = flags.queue
      ? new QueueRunner({url: flags.queue, timeoutSeconds: flags.timeout, attempts: flags.attempts, onNotice: notice})
      : localRunner({workers: flags.workers, threads: flags.threads})
    let progress: ProgressLine | undefined
    let result
    try {
      result = await runSweep(
        {spec, out: flags.out, runner, shard, axqVersion: this.config.version},
        {
          onNotice: notice,
          onStart: ({todo, done}) => {
            progress = new ProgressLine(todo, 'jobs')
            if (tty && done > 0) process.stderr.write(`${done} jobs already in ${flags.out}\n`)
          },
          onResult: (line, finished) => {
            if (tty) process.stderr.write(`\r\u001b[K${progress!.format(finished)}  ${line.mult} ${line.tune ? 'tune' : 'no-tune'} ${line.accuracy.toFixed(3)}`)
          },
        },
      )
    } finally {
      if (tty) process.stderr.write('\n')
      await runner.close()
    }
    if (flags.plot) {
      const known = result.lines.filter((l) => l.relativePower !== undefined).length
      if (known < result.lines.length) notice(`${result.lines.length - known} results have no known power and are not drawn`)
      await saveFigure(summaryFigure(result.lines, `axq sweep ${path.basename(args.spec)}: accuracy vs relative power`), flags.plot)
    }
    if (flags.json) {
      this.printJson({out: flags.out, grid: result.grid, jobs: result.jobs.length, skipped: result.skipped, ran: result.ran, results: result.lines})
      return
    }
    if (flags.summary) this.log(formatSummaryTable(result.lines))
    this.log(`${result.jobs.length} jobs${shard ? ` (shard ${flags.shard})` : ''}: ${result.ran} run, ${result.skipped} already in ${flags.out}`)
    if (result.lines.length < result.jobs.length) throw new AxqError(`${result.jobs.length - result.lines.length} jobs have no result`)
  }
}
