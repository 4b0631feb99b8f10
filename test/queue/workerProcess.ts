/** `axq worker` processes for queue tests, with their stderr lines collected. */
import {spawn, type ChildProcess} from 'node:child_process'
import {cliPath} from '../helpers/paths.js'

export interface Worker {
  child: ChildProcess
  log: string[]
  exited: Promise<number | null>
}

export function startWorker(url: string, name: string): Worker {
  const child = spawn(process.execPath, [cliPath, 'worker', '--queue', url, '--name', name, '--lock-seconds', '2'], {stdio: ['ignore', 'ignore', 'pipe']})
  const log: string[] = []
  let partial = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop()!
    log.push(...lines)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {child, log, exited}
}

export async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
