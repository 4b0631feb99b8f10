import {AxqError} from '../errors.js'
import {EXIT} from './exitCodes.js'

/** What the CLI prints for an error: one line (without the `axq: ` prefix), or none, and the exit code. */
export interface ErrorReport {
  code: number
  line?: string
}

/**
 * How an error that reached the top of the CLI is reported (exit codes: src/cli/exitCodes.ts).
 * - AxqError: its message and exit code.
 * - oclif's own errors (unknown command or flag, missing argument, a flag value it rejects): one
 *   line made of oclif's multi-line message, without its "See more help" and "Note:" parts; exit
 *   2, or the code oclif gives. `this.exit(n)` exits with n and prints nothing.
 * - A write to a closed pipe (`axq ... | head`): nothing, exit 0.
 * - Anything else is a bug: "internal error: <first line>", exit 70.
 */
export function reportError(error: unknown): ErrorReport {
  if (error instanceof AxqError) return {code: error.exitCode, line: oneLine(error.message)}
  const e = (error ?? {}) as {oclif?: {exit?: unknown}; code?: unknown; message?: unknown; args?: unknown; constructor?: {name?: string}}
  if (e.code === 'EPIPE') return {code: EXIT.ok}
  if (e.message === 'SIGINT') return {code: EXIT.interrupted, line: 'interrupted'}
  if (typeof e.oclif === 'object' && e.oclif !== null && typeof e.oclif.exit === 'number') {
    const code = e.oclif.exit
    if (e.code === 'EEXIT' || e.constructor?.name === 'ExitError') return {code}
    return {code: code === 0 ? EXIT.usage : code, line: oclifMessage(error as Error & {args?: unknown})}
  }
  if (error instanceof Error) return {code: EXIT.internal, line: `internal error: ${oneLine(error.message)} (run with DEBUG=1 for the stack trace)`}
  return {code: EXIT.internal, line: `internal error: ${oneLine(String(error))}`}
}

/** Last-resort handler: the report of `error` on stderr (stack only under DEBUG), then exit. */
export function handleFatal(error: unknown): never {
  const report = reportError(error)
  if (process.env.DEBUG && error instanceof Error && error.stack && report.line !== undefined) process.stderr.write(error.stack + '\n')
  if (report.line !== undefined) process.stderr.write(`axq: ${report.line}\n`)
  process.exit(report.code)
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

/** One line from oclif's message: the informative lines joined, hints dropped, argument names in capitals. */
function oclifMessage(error: Error & {args?: unknown}): string {
  const text = String(error.message ?? error).replace(ANSI, '')
  const missing = /^Missing \d+ required args?/.test(text) && Array.isArray(error.args) ? (error.args as {name?: string; description?: string}[]) : undefined
  if (missing && missing.length > 0) {
    const names = missing.map((a) => (a.description ? `${(a.name ?? '?').toUpperCase()} (${a.description})` : (a.name ?? '?').toUpperCase()))
    return `missing argument${missing.length === 1 ? '' : 's'}: ${names.join(', ')}; see --help`
  }
  const kept: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('Note:')) break
    if (line === '' || line === 'See more help with --help') continue
    kept.push(line)
  }
  let line = kept.join(' ')
  line = line.replace(/^Parsing (--[\w-]+)\s+/, '$1: ')
  line = line.replace(/^Nonexistent flags?:/, (m) => (m.includes('flags') ? 'unknown flags:' : 'unknown flag:'))
  line = line.replace(/^The following errors? occurred:\s*/, '')
  line = line.replace(/^Missing required flag ([\w-]+)/, 'missing required flag --$1')
  if (/^command .+ not found$/.test(line)) line += ' (axq --help lists the commands)'
  return line === '' ? 'usage error; see --help' : line
}

function oneLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)
  return lines.length === 0 ? 'unknown error' : lines.join(' ')
}
