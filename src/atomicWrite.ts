/**
 * Files are never left half-written, and nothing but a regular file is ever replaced: the data
 * goes to a temporary file beside the target, is checked if asked, then renamed over it.
 * - A symlink at the destination is followed: its target is what gets written (atomically).
 * - A folder, FIFO, device or socket at the destination is refused (renaming over it would
 *   replace a device node or a pipe someone reads with a regular file).
 * - The temporary is removed on failure, on SIGINT/SIGTERM (src/temporaryFiles.ts), and, if a
 *   SIGKILL left it, by the next write to the same destination.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from './errors.js'
import {fileProblem} from './fileProblem.js'
import {trackTemporary, untrackTemporary} from './temporaryFiles.js'

export interface AtomicWriteOptions {
  /** Called with the bytes before they are committed; throws (an AxqError) to refuse them. */
  check?: (data: Uint8Array | string) => void
}

/**
 * The path a write to `file` really replaces: `file` itself, or the final target of the symlink
 * it is (also a dangling one). An existing destination that is not a regular file is an AxqError.
 */
export function writeDestination(file: string): string {
  let target = path.resolve(file)
  for (let hops = 0; ; hops++) {
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(target)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return target
      throw new AxqError(`cannot write ${file}: ${fileProblem(error, path.dirname(target))}`, {subject: file, cause: error})
    }
    if (stat.isSymbolicLink()) {
      if (hops >= 40) throw new AxqError(`cannot write ${file}: too many levels of symbolic links`, {subject: file})
      target = path.resolve(path.dirname(target), fs.readlinkSync(target))
      continue
    }
    if (stat.isFile()) return target
    const what = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : 'a device'
    throw new AxqError(`refusing to write ${file}: ${target === path.resolve(file) ? 'it' : `its target ${target}`} is ${what}, not a regular file`, {subject: file})
  }
}

/** A fresh temporary name beside `target` (tracked for removal); stale ones of dead processes go first. */
export function temporaryBeside(target: string): string {
  removeStaleTemporaries(target)
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`)
  trackTemporary(tmp)
  return tmp
}

/** Forget a temporary (it was renamed into place, or removed). */
export function releaseTemporary(tmp: string): void {
  untrackTemporary(tmp)
}

function removeStaleTemporaries(target: string): void {
  const dir = path.dirname(target)
  const prefix = `.${path.basename(target)}.`
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return // the write itself reports a missing folder
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue
    const m = /^(\d+)\.\d+\.tmp$/.exec(name.slice(prefix.length))
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue
    try {
      fs.rmSync(path.join(dir, name), {force: true})
    } catch {
      // not ours to worry about
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function writeFileAtomic(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  writeFilesAtomic([{file, data}], options)
}

/**
 * Write several files all-or-nothing: every temporary is written (and checked) before any is
 * renamed; if a rename fails, the files already renamed get their old content (or absence) back.
 */
export function writeFilesAtomic(files: {file: string; data: Uint8Array | string}[], options: AtomicWriteOptions = {}): void {
  const staged: {file: string; target: string; tmp: string; backup?: string; existed: boolean}[] = []
  const cleanup = (): void => {
    for (const s of staged) {
      for (const f of [s.tmp, s.backup]) {
        if (f === undefined) continue
        try {
          fs.rmSync(f, {force: true})
        } catch {
          // nothing was written (e.g. the folder is a file)
        }
        releaseTemporary(f)
      }
    }
  }
  let current = files[0]?.file
  try {
    for (const {file, data} of files) {
      current = file
      const target = writeDestination(file)
      const tmp = temporaryBeside(target)
      staged.push({file, target, tmp, existed: fs.existsSync(target)})
      options.check?.(data)
      fs.writeFileSync(tmp, data, {flag: 'wx', mode: 0o666})
    }
    if (staged.length > 1) {
      // Keep the old contents until every file is in place (a hard link costs nothing).
      for (const s of staged) {
        if (!s.existed) continue
        s.backup = `${s.tmp}.old`
        trackTemporary(s.backup)
        fs.linkSync(s.target, s.backup)
      }
    }
    const done: typeof staged = []
    try {
      for (const s of staged) {
        current = s.file
        fs.renameSync(s.tmp, s.target)
        releaseTemporary(s.tmp)
        done.push(s)
      }
    } catch (error) {
      for (const s of done) {
        try {
          if (s.backup) fs.renameSync(s.backup, s.target)
          else fs.rmSync(s.target, {force: true})
        } catch {
          // as much as can be undone
        }
      }
      throw error
    }
  } catch (error) {
    cleanup()
    if (error instanceof AxqError) throw error
    const dir = path.dirname(path.resolve(current ?? '.'))
    throw new AxqError(`cannot write ${current}: ${fileProblem(error, dir)}`, {subject: current, cause: error})
  }
  cleanup()
}
