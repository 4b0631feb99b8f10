/** Results files and SPECs in sweep tests. */
import fs from 'node:fs'
import path from 'node:path'
import type {ResultLine} from '../../src/sweep/resultsFile.js'

/** What must be equal between runs: everything but who ran it, when, and how long it took. */
export function comparable(lines: ResultLine[]): unknown[] {
  return [...lines].sort((a, b) => a.index - b.index).map((l) => {
    const {wallSeconds: _w, worker: _k, shard: _s, result, ...rest} = l
    const {seconds: _t, ...outcome} = result as {seconds: number}
    return {...rest, result: outcome}
  })
}

export function readLines(file: string): ResultLine[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ResultLine)
}

export function writeSpec(dir: string, fields: Record<string, unknown>): string {
  const file = path.join(dir, 'sweep.json')
  fs.writeFileSync(file, JSON.stringify(fields, null, 1))
  return file
}
