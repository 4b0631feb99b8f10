/**
 * The one error type meant for users. Thrown anywhere (graph loading, runtime, data readers,
 * multiplier resolution) and printed once, as one line, by the CLI. `subject` names the file,
 * node or flag the error concerns; the message should already mention it.
 */
export class AxqError extends Error {
  readonly exitCode: number
  readonly subject?: string

  constructor(message: string, options: {exitCode?: number; subject?: string; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'AxqError'
    this.exitCode = options.exitCode ?? 1
    this.subject = options.subject
  }
}

/** Error raised while executing a node: the message starts with the node name and op. */
export function nodeError(node: {name: string; op: string}, message: string): AxqError {
  return new AxqError(`node '${node.name}' (${node.op}): ${message}`, {subject: node.name})
}
