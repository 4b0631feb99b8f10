import {Flags} from '@oclif/core'

/**
 * `--mult-dir DIR`, shared by every command that resolves multipliers (src/mults/searchPath.ts):
 * repeatable, one folder per occurrence, so that an argument after it is not taken for a folder.
 */
export const multDirFlag = () =>
  Flags.string({description: 'folder of <name>.bin tables, searched first (repeat for several)', multiple: true, multipleNonGreedy: true})
