import {Flags} from '@oclif/core'
import path from 'node:path'
import {AxqCommand} from '../../cli/baseCommand.js'
import {SYNTH_CLASSES} from '../../data/synth/shapes.js'
import {
  SYNTH_DEFAULT_COUNT,
  SYNTH_DEFAULT_SEED,
  SYNTH_SPLITS,
  writeSynth,
  type SynthSplit,
} from '../../data/synth/synthDataset.js'

export default class DataSynth extends AxqCommand {
  static override description = `Generate axq's synthetic shapes data set (10 classes, 32×32×3), deterministically from a seed

Writes the split as TFRecords of tf.train.Example (image: 3072 raw CHW bytes, label: int64) and as a CIFAR-10 binary batch (3073-byte records), plus batches.meta.txt and a manifest with SHA-256 sums. The test split is eval.tfrecords + test_batch.bin (what \`axq infer --data-dir\` looks for), the train split train.tfrecords + train_batch.bin; they never share an image. The same seed gives the same bytes on every machine, and a smaller --count is a prefix of a larger one.

Classes: ${SYNTH_CLASSES.join(', ')}.`

  static override examples = [
    '<%= config.bin %> data synth --out synth',
    '<%= config.bin %> data synth --out synth --split train --count 20000 --seed 1',
  ]

  static override flags = {
    out: Flags.string({description: 'folder to write into (created if needed)', required: true}),
    count: Flags.integer({description: `number of images (default ${SYNTH_DEFAULT_COUNT.test} for test, ${SYNTH_DEFAULT_COUNT.train} for train)`}),
    seed: Flags.integer({description: 'generator seed', default: SYNTH_DEFAULT_SEED}),
    split: Flags.string({description: 'which split', options: [...SYNTH_SPLITS], default: 'test'}),
    json: Flags.boolean({description: 'print the manifest as one JSON object'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(DataSynth)
    const split = flags.split as SynthSplit
    const count = flags.count ?? SYNTH_DEFAULT_COUNT[split]
    const manifest = writeSynth(flags.out, {count, seed: flags.seed, split})
    if (flags.json) {
      this.printJson({dir: path.resolve(flags.out), ...manifest})
      return
    }
    this.log(`${split} split, ${count} images, seed ${flags.seed}, in ${path.resolve(flags.out)}:`)
    for (const [name, info] of Object.entries(manifest.files)) this.log(`  ${name}  ${info.bytes} bytes  sha256 ${info.sha256}`)
  }
}
