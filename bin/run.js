#!/usr/bin/env node
// axq command-line entry point. Errors are printed by src/cli/errors.ts: one line, no stack
// trace unless DEBUG is set.
import {execute} from '@oclif/core'
import {handleFatal} from '../dist/src/cli/errors.js'

process.on('unhandledRejection', handleFatal)
try {
  await execute({dir: import.meta.url})
} catch (error) {
  handleFatal(error)
}
