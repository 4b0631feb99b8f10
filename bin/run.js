#!/usr/bin/env node
// axq command-line entry point. Every error ends here or in AxqCommand.catch and is printed by
// src/cli/errors.ts as one line on stderr (stack trace only when DEBUG is set); exit codes are in
// src/cli/exitCodes.ts. oclif's `execute` is not used: its handler prints multi-line errors.
import {flush, run} from '@oclif/core'
import {handleFatal} from '../dist/src/cli/errors.js'

process.on('unhandledRejection', handleFatal)
process.stdout.on('error', handleFatal)
try {
  await run(process.argv.slice(2), import.meta.url)
  await flush()
} catch (error) {
  handleFatal(error)
}
