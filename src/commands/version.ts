import {AxqCommand} from '../cli/baseCommand.js'
import {native} from '../native/binding.js'

export default class Version extends AxqCommand {
  static override description = 'Print the axq and native kernel library versions'

  async run(): Promise<void> {
    this.log(`axq 0.1.0 (${native().version()})`)
  }
}
