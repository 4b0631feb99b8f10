/** Paths tests use: the repository root and the read-only ground truth in ../shared. */
import path from 'node:path'
import fs from 'node:fs'
import {fileURLToPath} from 'node:url'

// dist/test/helpers/paths.js → repository root
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const sharedDir = process.env.AXQ_SHARED ?? path.resolve(repoRoot, '..', 'shared')
export const hasShared = fs.existsSync(path.join(sharedDir, 'models'))
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures')
export const cliPath = path.join(repoRoot, 'bin', 'run.js')

export function shared(...parts: string[]): string {
  return path.join(sharedDir, ...parts)
}
