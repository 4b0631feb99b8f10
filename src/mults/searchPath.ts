/**
 * Where multiplier tables are looked for, in order: each `--mult-dir` folder (as given), the
 * folders of AXQ_MULT_PATH (colon-separated), the user folder `$AXQ_HOME/mults` (AXQ_HOME defaults
 * to ~/.axq), then the built-ins (EvoApproxLib tables in axmult/evoapprox/, then the families).
 *
 * A `--mult-dir` that is not a folder is an error (a mistyped folder would otherwise fall through
 * silently to a built-in of the same name); missing AXQ_MULT_PATH entries and a missing user folder
 * are skipped, as PATH entries are.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {AxqError} from '../errors.js'

export type Env = Record<string, string | undefined>

export interface SearchOptions {
  /** `--mult-dir` folders, highest priority first. */
  multDirs?: readonly string[]
  /** Environment to read AXQ_MULT_PATH and AXQ_HOME from (default: process.env). */
  env?: Env
}

export type FolderKind = 'mult-dir' | 'AXQ_MULT_PATH' | 'user'

export interface SearchFolder {
  dir: string
  kind: FolderKind
}

export function axqHome(env: Env = process.env): string {
  const home = env.AXQ_HOME
  return path.resolve(home && home.length > 0 ? home : path.join(os.homedir(), '.axq'))
}

/** The user folder that `axq mults import` writes to by default. */
export function userMultDir(env: Env = process.env): string {
  return path.join(axqHome(env), 'mults')
}

export function searchFolders(options: SearchOptions = {}): SearchFolder[] {
  const env = options.env ?? process.env
  const folders: SearchFolder[] = []
  const seen = new Set<string>()
  const add = (dir: string, kind: FolderKind) => {
    const abs = path.resolve(dir)
    if (seen.has(abs)) return
    seen.add(abs)
    folders.push({dir: abs, kind})
  }
  for (const dir of options.multDirs ?? []) {
    let isDir = false
    try {
      isDir = fs.statSync(dir).isDirectory()
    } catch {
      throw new AxqError(`--mult-dir ${dir}: no such folder`, {subject: '--mult-dir'})
    }
    if (!isDir) throw new AxqError(`--mult-dir ${dir}: not a folder (a .bin table is given to --mult as a path)`, {subject: '--mult-dir'})
    add(dir, 'mult-dir')
  }
  for (const dir of (env.AXQ_MULT_PATH ?? '').split(':')) if (dir.trim() !== '') add(dir.trim(), 'AXQ_MULT_PATH')
  add(userMultDir(env), 'user')
  return folders
}
