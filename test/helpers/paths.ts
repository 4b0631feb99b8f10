/**
 * Paths tests use: the repository root and the read-only ground truth in ../shared.
 *
 * Tests that need ../shared skip with `{skip: hasShared ? false : 'needs ../shared'}`. When `CI`
 * is set, a missing ../shared is a failure, not a skip: hasShared is then true (so those tests run
 * and fail on the missing files), and every test file that imports this module reports one
 * failing test that names the missing folder.
 */
import path from 'node:path'
import fs from 'node:fs'
import {fileURLToPath} from 'node:url'
import t from 'tap'

// dist/test/helpers/paths.js → repository root
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const sharedDir = process.env.AXQ_SHARED ?? path.resolve(repoRoot, '..', 'shared')
/** ../shared is really there. */
export const sharedPresent = fs.existsSync(path.join(sharedDir, 'models'))
/** CI runs must not pass by skipping: CI set and ../shared missing is an error. */
export const sharedRequired = isCi(process.env.CI)
/** Whether tests that need ../shared run (always under CI, where a missing folder then fails them). */
export const hasShared = sharedPresent || sharedRequired
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures')
export const cliPath = path.join(repoRoot, 'bin', 'run.js')

if (sharedRequired && !sharedPresent) {
  t.fail(`CI is set but the ground truth ${sharedDir} (models/) is missing: tests that need it cannot pass (set AXQ_SHARED)`)
}

export function shared(...parts: string[]): string {
  return path.join(sharedDir, ...parts)
}

function isCi(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}
