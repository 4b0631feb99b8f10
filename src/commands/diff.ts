import {Args, Flags} from '@oclif/core'
import {AxqCommand} from '../cli/baseCommand.js'
import {AxqError} from '../errors.js'
import {readGraph} from '../graph/graphIO.js'
import {diffGraphs, formatGraphDifference} from '../graph/graphDiff.js'

export default class Diff extends AxqCommand {
  static override description = `Compare two GraphDefs node by node

Reports nodes only in A or only in B and, for nodes in both, differences of op, inputs, device, attrs and tensor values; with --order also nodes at different positions. The order of attrs inside a node is not compared (TensorFlow writes it in an unspecified order).

Exit status: 0 identical, 1 different, 2 error (e.g. a file that cannot be read).`

  static override examples = ['<%= config.bin %> diff mine.pb resnet_8_quant_ax.pb --order', '<%= config.bin %> diff a.pb b.pb --json']

  static override args = {
    a: Args.string({description: 'first GraphDef', required: true}),
    b: Args.string({description: 'second GraphDef', required: true}),
  }

  static override flags = {
    order: Flags.boolean({description: 'also compare the order of the nodes', default: false}),
    json: Flags.boolean({description: 'print one JSON object', default: false}),
    limit: Flags.integer({description: 'at most this many lines of differences in text output', default: 200, min: 1}),
  }

  async run(): Promise<void> {
    // Command-line errors from oclif already exit with 2 (src/cli/exitCodes.ts).
    const {args, flags} = await this.parse(Diff)
    let d
    try {
      d = diffGraphs(readGraph(args.a), readGraph(args.b), {order: flags.order})
    } catch (error) {
      if (error instanceof AxqError) throw new AxqError(error.message, {exitCode: 2, subject: error.subject, cause: error})
      throw error
    }
    if (flags.json) this.printJson({a: args.a, b: args.b, ...d})
    else if (d.identical) this.log(`identical: ${d.nodesA} nodes${flags.order ? ', same order' : ''}`)
    else {
      for (const line of formatGraphDifference(d, 'A', 'B', flags.limit)) this.log(line)
      this.log(`A: ${args.a} (${d.nodesA} nodes), B: ${args.b} (${d.nodesB} nodes)`)
    }
    process.exitCode = d.identical ? 0 : 1
  }
}
