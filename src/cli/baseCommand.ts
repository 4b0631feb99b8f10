import {Command} from '@oclif/core'
import {AxqError} from '../errors.js'
import {handleFatal} from './errors.js'

/**
 * Base for every axq command: errors become one line on stderr (no stack unless DEBUG), with
 * the exit code the error carries (src/cli/errors.ts, src/cli/exitCodes.ts).
 */
export abstract class AxqCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number}): Promise<never> {
    if (error instanceof AxqError) handleFatal(error)
    throw error
  }

  /** Print a JSON result on stdout, one object, one line. */
  protected printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n')
  }
}
