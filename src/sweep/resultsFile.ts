/**
 * A sweep's results file: JSON Lines, one finished job a line, appended as it finishes. Each line
 * is written with one write(2) on a file opened for appending and synced, so a killed sweep
 * leaves whole lines (at worst one partial last line, which the next run cuts off before it
 * appends). Re-running a sweep skips the ids already in the file.
 */
import fs from 'node:fs'
import {AxqError} from '../errors.js'
import {fileProblem} from '../fileProblem.js'

/** One results line. `job` and `result` are the evaluation job and its result as the runner gave them. */
export interface ResultLine {
  id: string
  /** Id of the whole sweep (hash of all its job ids): shards of one sweep share it. */
  sweep: string
  /** Position in the grid (0-based) and the grid's size. */
  index: number
  of: number
  /** `I/N` when a shard of the sweep wrote it. */
  shard?: string
  graph: string
  data: string
  mult: string
  tune: boolean
  layerMults: string[]
  accuracy: number
  ci95?: [number, number]
  relativePower?: number
  /** SHA-256 of every multiplier table the job used, by name. */
  tables: Record<string, string>
  /** Seconds from handing the job out to receiving its result. */
  wallSeconds: number
  /** The axq version that evaluated it. */
  axq: string
  /** Who ran it: 'local', or the queue worker's name. */
  worker: string
  job: unknown
  result: unknown
}

export interface ResultsRead {
  lines: ResultLine[]
  /** Bytes of whole lines; anything after is a partial last line. */
  wholeBytes: number
  partial: boolean
}

const REQUIRED: (keyof ResultLine)[] = ['id', 'sweep', 'index', 'of', 'mult', 'tune', 'accuracy']

/** Read a results file; a missing file is empty. A malformed whole line is an error naming the line. */
export function readResults(file: string, options: {missingOk?: boolean} = {missingOk: true}): ResultsRead {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.missingOk) return {lines: [], wholeBytes: 0, partial: false}
    throw new AxqError(`cannot read results file ${file}: ${fileProblem(error)}`, {subject: file})
  }
  const end = text.lastIndexOf('\n') + 1
  const lines: ResultLine[] = []
  const rows = text.slice(0, end).split('\n')
  rows.pop()
  rows.forEach((row, i) => {
    if (row.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(row)
    } catch {
      throw new AxqError(`${file}:${i + 1}: not a JSON line (is this a results file of axq sweep?)`, {subject: file})
    }
    const line = value as ResultLine
    const missing = REQUIRED.filter((k) => line === null || typeof line !== 'object' || line[k] === undefined)
    if (missing.length > 0) throw new AxqError(`${file}:${i + 1}: not an axq sweep result (no ${missing.join(', ')})`, {subject: file})
    lines.push(line)
  })
  return {lines, wholeBytes: Buffer.byteLength(text.slice(0, end)), partial: end < text.length}
}

/** Appends result lines to a file; opened once, each line one write and one sync. */
export class ResultsWriter {
  private fd: number

  /** `truncateTo`: cut a partial last line (from readResults' wholeBytes) before appending. */
  constructor(readonly file: string, truncateTo?: number) {
    try {
      if (truncateTo !== undefined && fs.existsSync(file) && fs.statSync(file).size > truncateTo) fs.truncateSync(file, truncateTo)
      this.fd = fs.openSync(file, 'a')
    } catch (error) {
      throw new AxqError(`cannot write results file ${file}: ${fileProblem(error)}`, {subject: file})
    }
  }

  append(line: ResultLine): void {
    const bytes = Buffer.from(JSON.stringify(line) + '\n')
    try {
      fs.writeSync(this.fd, bytes)
      fs.fdatasyncSync(this.fd)
    } catch (error) {
      throw new AxqError(`cannot write results file ${this.file}: ${fileProblem(error)}`, {subject: this.file})
    }
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}
