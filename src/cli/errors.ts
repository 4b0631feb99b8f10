import {AxqError} from '../errors.js'

/** Last-resort handler: one line on stderr, exit code from the error, stack only under DEBUG. */
export function handleFatal(error: unknown): never {
  const debug = Boolean(process.env.DEBUG)
  const oclif = error as {oclif?: {exit?: number}; code?: string; message?: string}
  let code = 1
  let message: string
  if (error instanceof AxqError) {
    code = error.exitCode
    message = error.message
  } else if (oclif && typeof oclif === 'object' && oclif.oclif && typeof oclif.oclif.exit === 'number') {
    // oclif's own exits (flag parsing errors, this.exit()).
    code = oclif.oclif.exit
    if (code === 0) process.exit(0)
    message = firstLine(oclif.message ?? String(error))
  } else if (error instanceof Error) {
    message = `internal error: ${firstLine(error.message)}`
  } else {
    message = `internal error: ${String(error)}`
  }
  if (debug && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n')
  process.stderr.write(`axq: ${message}\n`)
  process.exit(code === 0 ? 1 : code)
}

function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)
  // oclif flag errors are multi-line: keep the informative first line plus "See more help".
  return lines.length === 0 ? 'unknown error' : lines[0]
}
