import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../../cli/baseCommand.js'
import {AxqError} from '../../errors.js'
import {errorMapFigure, type ErrorPanel} from '../../mults/errorMap.js'
import {resolveMultiplier} from '../../mults/resolve.js'
import {applyMapping, tuneMapping} from '../../mults/tune.js'
import {figureFormat, saveFigure} from '../../plot/saveFigure.js'
import {multDirFlag} from '../../cli/multDirFlag.js'

export default class MultsPlot extends AxqCommand {
  static override description = `Draw a multiplier's 256×256 error map T[a][w] − a·w as PNG or SVG

Blue: the product is too small, white: exact, red: too large; weight code along x, activation code along y (operand values −128..127 for signed tables). With --tune the tuned table (AxTune weight remapping) is drawn beside it on the same colour scale.`

  static override examples = [
    '<%= config.bin %> mults plot mul8u_L40 --mult-dir ../shared/axmult --tune --out L40.png',
    '<%= config.bin %> mults plot drum8u_k4 --scale sqrt --out drum4.svg',
  ]

  static override args = {
    name: Args.string({description: 'multiplier name or path to a .bin table', required: true}),
  }

  static override flags = {
    out: Flags.string({description: 'output file, .png or .svg', required: true}),
    tune: Flags.boolean({description: 'also draw the tuned table', default: false}),
    scale: Flags.string({description: 'colour scale: linear|sqrt (sqrt makes small errors visible)', default: 'linear'}),
    'mult-dir': multDirFlag(),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MultsPlot)
    figureFormat(flags.out)
    if (flags.scale !== 'linear' && flags.scale !== 'sqrt') throw new AxqError(`--scale: unknown scale '${flags.scale}' (linear or sqrt)`, {subject: '--scale'})
    const m = resolveMultiplier(args.name, {multDirs: flags['mult-dir']})
    const panels: ErrorPanel[] = [{title: m.name, table: m.table}]
    if (flags.tune) {
      const map = tuneMapping(m.table)
      const moved = map.reduce((n, v, w) => n + (v !== w ? 1 : 0), 0)
      panels.push({title: `${m.name} tuned (${moved} codes remapped)`, table: applyMapping(m.table, map)})
    }
    await saveFigure(errorMapFigure(panels, {title: `Error T[a][w] − a·w of ${m.name}`, scale: flags.scale}), flags.out)
    this.log(flags.out)
  }
}
