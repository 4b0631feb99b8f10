/** Runs the axq CLI for command tests. */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {cliPath} from '../helpers/paths.js'

const run = promisify(execFile)

export async function axq(...args: string[]): Promise<{stdout: string; stderr: string; code: number}> {
  try {
    const r = await run(process.execPath, [cliPath, ...args], {env: {...process.env, NO_COLOR: '1'}, maxBuffer: 64 << 20})
    return {...r, code: 0}
  } catch (error) {
    const e = error as {stdout: string; stderr: string; code: number}
    return {stdout: e.stdout, stderr: e.stderr, code: e.code}
  }
}

/** The CLI's own error lines (node warnings about other commands are ignored). */
export function axqLines(stderr: string): string {
  return stderr.split('\n').filter((l) => l.startsWith('axq:')).join('\n')
}
