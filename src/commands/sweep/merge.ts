import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../../cli/baseCommand.js'
import {AxqError} from '../../errors.js'
import {mergeShards, writeMerged} from '../../sweep/merge.js'

export default class SweepMerge extends AxqCommand {
  static override description = `Join the results files of a sweep's shards into one, in grid order, each job once

Reports the jobs no shard holds (with the shard that should have run them: rerun it, it resumes) and the jobs found more than once (kept once; copies with different accuracies are called conflicts). Exits 1 when jobs are missing or conflict; the merged file is written all the same.`

  static override examples = ['<%= config.bin %> sweep merge results.shard-*-of-3.jsonl --out results.jsonl']

  static override strict = false

  static override args = {
    shards: Args.string({description: 'shard results files', required: true}),
  }

  static override flags = {
    out: Flags.string({description: 'merged results file', required: true}),
    json: Flags.boolean({description: 'print {out, jobs, of, missing, duplicates} as one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(SweepMerge)
    const report = mergeShards(argv as string[])
    writeMerged(report, flags.out)
    if (flags.json) this.printJson({out: flags.out, jobs: report.lines.length, of: report.of, missing: report.missing, duplicates: report.duplicates})
    else {
      this.log(`${report.lines.length} of ${report.of} jobs → ${flags.out}`)
      for (const d of report.duplicates) {
        this.log(`duplicate: job ${d.id} (${d.mult} ${d.tune ? 'tune' : 'no-tune'}) in ${d.files.join(', ')}${d.conflict ? ' — with different accuracies' : ''}`)
      }
      if (report.missing.length > 0) {
        const shards = [...new Set(report.missing.map((m) => m.shard).filter((s) => s !== undefined))]
        this.log(`missing: grid positions ${report.missing.map((m) => m.index).join(', ')}${shards.length ? ` (shard${shards.length > 1 ? 's' : ''} ${shards.join(', ')})` : ''}`)
      }
    }
    const conflicts = report.duplicates.filter((d) => d.conflict).length
    if (report.missing.length > 0 || conflicts > 0) {
      const what = [report.missing.length ? `${report.missing.length} of ${report.of} jobs missing` : '', conflicts ? `${conflicts} jobs with conflicting results` : ''].filter(Boolean).join(', ')
      throw new AxqError(`sweep merge: ${what} (${flags.out} written with the rest)`, {subject: flags.out})
    }
  }
}
