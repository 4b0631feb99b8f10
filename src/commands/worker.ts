import {Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {QueueWorker} from '../queue/queueWorker.js'

export default class WorkerCommand extends AxqCommand {
  static override description = `Evaluate jobs from a Redis queue (for \`axq sweep --queue\` and \`axq search --queue\`) until stopped

Takes one job at a time, evaluates it in a child process with the job's time limit, and posts the result. The model and data of a job are read from the paths it names and must have its checksums: a worker that sees a different file refuses the job. Stop with Ctrl-C or SIGTERM (the running job is finished first; a second signal abandons it, and the queue gives it to another worker).`

  static override examples = ['<%= config.bin %> worker --queue redis://10.0.0.5:6379']

  static override flags = {
    queue: Flags.string({description: 'Redis server holding the queue (redis://HOST:PORT)', required: true}),
    name: Flags.string({description: 'worker name in results and logs (default HOST:PID)'}),
    threads: Flags.integer({description: 'native threads per evaluation (default: all cores)', min: 1}),
    'lock-seconds': Flags.integer({description: 'a job of a worker that stopped answering goes back to the queue after this long', default: 30, min: 1}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(WorkerCommand)
    const worker = new QueueWorker(
      {url: flags.queue, name: flags.name, threads: flags.threads, lockSeconds: flags['lock-seconds']},
      {
        onJob: (e) => {
          const what = `job ${e.id} (${e.label})`
          if (e.state === 'started') process.stderr.write(`${what} started\n`)
          else if (e.state === 'done') process.stderr.write(`${what}: accuracy ${e.accuracy!.toFixed(4)} in ${e.seconds!.toFixed(1)} s\n`)
          else process.stderr.write(`axq: ${what} ${e.state === 'refused' ? 'refused' : 'failed'}: ${e.message}\n`)
        },
      },
    )
    await worker.start()
    process.stderr.write(`axq worker ${worker.name}: waiting for jobs on ${flags.queue}\n`)
    let stopping = false
    await new Promise<void>((resolve) => {
      const stop = () => {
        const force = stopping
        stopping = true
        process.stderr.write(force ? 'axq worker: abandoning the running job\n' : 'axq worker: finishing the running job (signal again to abandon it)\n')
        void worker.close(force).then(resolve, resolve)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  }
}
