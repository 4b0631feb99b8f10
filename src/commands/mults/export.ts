import {Args, Flags} from '@oclif/core'
import {writeFileAtomic} from '../../atomicWrite.js'
import {AxqCommand} from '../../cli/baseCommand.js'
import {AxqError} from '../../errors.js'
import {EXPORT_FORMATS, exportFormat, exportMultiplier} from '../../mults/exportMultiplier.js'
import {resolveMultiplier} from '../../mults/resolve.js'
import {multDirFlag} from '../../cli/multDirFlag.js'

export default class MultsExport extends AxqCommand {
  static override description = `Write a multiplier's product table as bin, json, csv or npy

bin: 65536 little-endian uint16, index a*256 + w (TFApprox's format); csv: 256 rows (activation code) of 256 values (weight code); npy: uint16 array of shape (256, 256); json: the same rows with the name, source, signedness and metrics. Signed tables (mul8s_*, trunc8s/drum8s/mitchell8s) are int16 (npy '<i2'), index (a & 255)*256 + (w & 255) for a, w in −128..127: rows and columns in code order (0..127, then −128..−1), as EvoApproxLib's signed tables.`

  static override examples = [
    '<%= config.bin %> mults export mul8u_1JFF --format bin --out exact.bin',
    '<%= config.bin %> mults export drum8u_k4 --format npy --out drum4.npy',
    '<%= config.bin %> mults export mul8s_1KV9 --format bin --out 1KV9.bin',
  ]

  static override args = {
    name: Args.string({description: 'multiplier name or path to a .bin table', required: true}),
  }

  static override flags = {
    format: Flags.string({description: EXPORT_FORMATS.join('|'), default: 'bin'}),
    out: Flags.string({description: 'output file (default: stdout)'}),
    'mult-dir': multDirFlag(),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MultsExport)
    const format = exportFormat(flags.format)
    const data = exportMultiplier(resolveMultiplier(args.name, {multDirs: flags['mult-dir']}), format)
    if (flags.out) {
      writeFileAtomic(flags.out, data)
      return
    }
    if (typeof data !== 'string' && process.stdout.isTTY) throw new AxqError(`--out: ${format} is binary; give --out FILE or redirect stdout`, {subject: '--out'})
    await new Promise<void>((resolve, reject) => process.stdout.write(data, (error) => (error ? reject(error) : resolve())))
  }
}
