/**
 * `axq sweep merge`: shard results files → one results file, in grid order, each job once. Reports
 * the grid positions no shard holds (with the shard that should have run them) and the jobs found
 * more than once (kept once; a duplicate whose accuracy differs is reported as a conflict).
 */
import {writeFileAtomic} from '../atomicWrite.js'
import {AxqError} from '../errors.js'
import {readResults, type ResultLine} from './resultsFile.js'
import {parseShard, shardOf} from './shard.js'

export interface MergeReport {
  lines: ResultLine[]
  /** The grid's size. */
  of: number
  /** Grid positions with no result, each with the shard that owns it (when the shards say how many there were). */
  missing: {index: number; shard?: number}[]
  /** Jobs found more than once: the files holding them, and whether the copies disagree on accuracy. */
  duplicates: {id: string; mult: string; tune: boolean; files: string[]; conflict: boolean}[]
}

export function mergeShards(files: readonly string[]): MergeReport {
  if (files.length === 0) throw new AxqError('axq sweep merge needs at least one shard file', {exitCode: 2})
  const byId = new Map<string, {line: ResultLine; files: string[]; conflict: boolean}>()
  let sweep: {id: string; file: string; of: number} | undefined
  let shardCount: number | undefined
  for (const file of files) {
    const {lines} = readResults(file, {missingOk: false})
    for (const line of lines) {
      if (!sweep) sweep = {id: line.sweep, file, of: line.of}
      else if (line.sweep !== sweep.id) {
        throw new AxqError(`${file} holds results of another sweep than ${sweep.file} (sweep ${line.sweep}, not ${sweep.id}): merge shards of one SPEC only`, {subject: file})
      }
      const shard = (line as {shard?: string}).shard
      if (shard) shardCount ??= parseShard(shard).count
      const seen = byId.get(line.id)
      if (!seen) byId.set(line.id, {line, files: [file], conflict: false})
      else {
        seen.files.push(file)
        if (seen.line.accuracy !== line.accuracy) seen.conflict = true
      }
    }
  }
  if (!sweep) throw new AxqError(`no results in ${files.join(', ')}`, {subject: files[0]})
  const lines = [...byId.values()].map((e) => e.line).sort((a, b) => a.index - b.index)
  const present = new Set(lines.map((l) => l.index))
  const missing: MergeReport['missing'] = []
  for (let i = 0; i < sweep.of; i++) {
    if (!present.has(i)) missing.push(shardCount ? {index: i, shard: shardOf(i, shardCount)} : {index: i})
  }
  const duplicates = [...byId.values()].filter((e) => e.files.length > 1)
    .map((e) => ({id: e.line.id, mult: e.line.mult, tune: e.line.tune, files: e.files, conflict: e.conflict}))
  return {lines, of: sweep.of, missing, duplicates}
}

export function writeMerged(report: MergeReport, out: string): void {
  writeFileAtomic(out, report.lines.map((l) => JSON.stringify(l) + '\n').join(''))
}
