/**
 * axq's exit codes, the one place they are defined (README lists them):
 * - 0 `ok`: success (`axq diff`: the graphs are identical).
 * - 1 `userError`: an input the user can fix — a missing or corrupt file, a bad flag value, a node
 *   the runtime cannot execute (`axq diff`: the graphs differ). The message names the file, node or
 *   flag.
 * - 2 `usage`: the command line itself is wrong — unknown command or flag, missing argument, a
 *   flag value oclif rejects (not an integer, not one of the options), conflicting flags
 *   (`axq diff`: also any error, so that 1 keeps meaning "different").
 * - 70 `internal`: a bug in axq (an unexpected exception; sysexits' EX_SOFTWARE). Run with DEBUG=1
 *   for the stack trace and report it.
 * - 130 `interrupted`: stopped by Ctrl-C (SIGINT).
 * Every error is one line on stderr starting with `axq: `; the stack trace only when DEBUG is set.
 */
export const EXIT = {
  ok: 0,
  userError: 1,
  usage: 2,
  internal: 70,
  interrupted: 130,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]
