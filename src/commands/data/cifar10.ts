import {Flags} from '@oclif/core'
import {AxqCommand} from '../../cli/baseCommand.js'
import {CIFAR10_ARCHIVE, CIFAR10_PY_DIR, CIFAR10_URL, prepareCifar10} from '../../data/cifar10Archive.js'

export default class DataCifar10 extends AxqCommand {
  static override description = `Turn the CIFAR-10 python archive into TFRecords, as the reference's generate_cifar10_tfrecords.py does

Reads ${CIFAR10_ARCHIVE} or the extracted ${CIFAR10_PY_DIR}/ folder in --data-dir and writes train.tfrecords (data_batch_1..4), validation.tfrecords (data_batch_5) and eval.tfrecords (test_batch): one tf.train.Example per image with image (3072 raw CHW bytes) and label (int64). --download first fetches the official archive (${CIFAR10_URL}, or --url / AXQ_CIFAR10_URL) and checks its MD5.`

  static override examples = [
    '<%= config.bin %> data cifar10 --data-dir cifar10 --download',
    '<%= config.bin %> data cifar10 --data-dir cifar10',
    '<%= config.bin %> data cifar10 --data-dir cifar10 --download --url http://mirror.example/cifar-10-python.tar.gz',
  ]

  static override flags = {
    'data-dir': Flags.string({description: 'folder holding (or receiving) the archive, and the TFRecords', required: true}),
    download: Flags.boolean({description: 'fetch the official archive first (skipped when a good copy is there)'}),
    url: Flags.string({description: 'download from this URL instead (default: AXQ_CIFAR10_URL, else the official URL)'}),
    md5: Flags.string({description: "with --url: the archive's expected MD5, or 'skip' (default: the official archive's)"}),
    json: Flags.boolean({description: 'print the result as one JSON object'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(DataCifar10)
    const tty = process.stderr.isTTY
    const progress = tty
      ? (message: string, final?: boolean): void => {
          process.stderr.write(`\r\x1b[K${message}${final && message ? '\n' : ''}`)
        }
      : undefined
    const result = await prepareCifar10(flags['data-dir'], {download: flags.download, url: flags.url, md5: flags.md5, progress})
    if (flags.json) {
      this.printJson(result)
      return
    }
    for (const f of result.files) this.log(`${f.file}: ${f.records} records (${f.batches.join(', ')})`)
  }
}
