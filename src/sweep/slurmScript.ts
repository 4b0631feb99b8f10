/**
 * `axq sweep SPEC --emit-slurm N`: an sbatch script whose array tasks 1..N each run one shard
 * (`axq sweep SPEC --shard $SLURM_ARRAY_TASK_ID/N`) into its own results file; `axq sweep merge`
 * joins them afterwards. Paths are absolute, so the script runs from any folder of a cluster
 * whose nodes share the file system.
 */
import path from 'node:path'

export interface SlurmScriptOptions {
  spec: string
  shards: number
  /** The merged results file; shard I writes `<stem>.shard-I-of-N.jsonl` beside it. */
  out: string
  /** Command that runs axq on the nodes (default: this Node.js and this axq's bin/run.js). */
  axq: string
  /** Extra `#SBATCH` options, e.g. `--partition=short`, `--time=01:00:00`. */
  sbatchOptions?: string[]
  /** Extra flags passed to every shard's `axq sweep` (e.g. `--threads 4`). */
  sweepFlags?: string[]
}

/** Single-quote a word for bash. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/** The results file of shard I of N. */
export function shardFile(out: string, index: number | string, count: number): string {
  const ext = path.extname(out) || '.jsonl'
  const stem = path.extname(out) ? out.slice(0, -ext.length) : out
  return `${stem}.shard-${index}-of-${count}${ext}`
}

export function slurmScript(options: SlurmScriptOptions): string {
  const n = options.shards
  const spec = path.resolve(options.spec)
  const out = path.resolve(options.out)
  const logs = path.join(path.dirname(out), `${path.basename(out, path.extname(out))}.shard-%a-of-${n}.log`)
  const shardOut = shardFile(out, '${SLURM_ARRAY_TASK_ID}', n)
  const allShards = shardFile(out, '*', n)
  const flags = (options.sweepFlags ?? []).map(shellQuote).join(' ')
  return [
    '#!/bin/bash',
    `# axq sweep ${path.basename(spec)} as a Slurm array of ${n} task${n === 1 ? '' : 's'}: task I runs shard I/${n}.`,
    `# Submit with: sbatch THIS_FILE; when every task has finished:`,
    `#   ${options.axq} sweep merge ${allShards} --out ${shellQuote(out)}`,
    `#SBATCH --job-name=axq-sweep`,
    `#SBATCH --array=1-${n}`,
    `#SBATCH --ntasks=1`,
    `#SBATCH --output=${logs}`,
    ...(options.sbatchOptions ?? []).map((o) => `#SBATCH ${o}`),
    'set -euo pipefail',
    `cd ${shellQuote(path.dirname(out))}`,
    // A rerun of a task resumes: sweep skips the jobs already in its shard file.
    `${options.axq} sweep ${shellQuote(spec)} --shard "\${SLURM_ARRAY_TASK_ID}/${n}" --out "${shardOut}"${flags ? ' ' + flags : ''}`,
    '',
  ].join('\n')
}
