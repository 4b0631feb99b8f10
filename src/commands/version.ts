import {Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {native} from '../native/binding.js'

export default class Version extends AxqCommand {
  static override description = 'Print the axq and native kernel library versions'

  static override flags = {
    json: Flags.boolean({description: 'print {axq, native, node} as one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Version)
    const axq = this.config.version
    const lib = native().version()
    if (flags.json) this.printJson({axq, native: lib, node: process.versions.node})
    else this.log(`axq ${axq} (${lib})`)
  }
}
