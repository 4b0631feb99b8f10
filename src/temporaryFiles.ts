/**
 * Temporary files and folders axq creates while it writes: they are removed when the process is
 * stopped by SIGINT or SIGTERM, or exits, before they were committed or cleaned up. (SIGKILL
 * cannot be caught: temporaries beside an output carry the writer's pid, and the next write to
 * that output removes those of processes that are gone; see src/atomicWrite.ts.)
 */
import fs from 'node:fs'

const live = new Set<string>()
let installed = false

/** Remove `file` (or folder) if the process stops before untrackTemporary(file). */
export function trackTemporary(file: string): void {
  live.add(file)
  if (!installed) install()
}

export function untrackTemporary(file: string): void {
  live.delete(file)
}

/** Remove every tracked temporary now (the signal and exit handlers call this). */
export function removeTemporaries(): void {
  for (const file of live) {
    try {
      fs.rmSync(file, {recursive: true, force: true})
    } catch {
      // best effort: the process is ending
    }
  }
  live.clear()
}

function install(): void {
  installed = true
  process.on('exit', removeTemporaries)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      removeTemporaries()
      // Step aside and raise the signal again: with no other listener the process dies of it,
      // as by default (exit status 128 + n); other listeners (e.g. signal-exit) now see a
      // signal no one else handles and end the process their way.
      process.removeListener(signal, handler)
      process.kill(process.pid, signal)
    }
    process.on(signal, handler)
  }
}
