/**
 * The hostile-input examples of issue 10, through the CLI: each gives one `axq:` line and exit 1
 * or 2, within seconds (the memory bound is shown by the limits these hit first; see README
 * "Limits").
 */
import t, {type Test} from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execFileSync} from 'node:child_process'
import {axq} from '../commands/cliRunner.js'
import {fixturesDir, hasShared, shared} from '../helpers/paths.js'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-hostile-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))
const small = path.join(fixturesDir, 'graph', 'small.pb')

async function expectOneLine(t: Test, args: string[], code: number, pattern: RegExp): Promise<void> {
  const started = Date.now()
  const r = await axq(...args)
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  t.equal(r.code, code, `${args.join(' ')}: exit ${code}`)
  t.equal(lines.length, 1, 'one line on stderr')
  t.match(lines[0] ?? '', /^axq: /)
  t.match(lines[0] ?? '', pattern)
  // A hang (a FIFO read, a decompression without end) would never return; a loaded CI machine is slow.
  t.ok(Date.now() - started < 90_000, 'returns (no hang)')
}

t.test('graphs of the wrong kind or shape', async (t) => {
  const fifo = path.join(tmp, 'fifo.pb')
  execFileSync('mkfifo', [fifo])
  await expectOneLine(t, ['inspect', fifo], 1, /it is a FIFO \(named pipe\), not a regular file/)
  await expectOneLine(t, ['inspect', '/dev/zero'], 1, /it is a device, not a regular file/)
  const deep = path.join(tmp, 'deep.pbtxt')
  fs.writeFileSync(deep, 'node { name: "a" op: "Const" attr { key: "value" value {' + ' func { attr { key: "k" value {'.repeat(20_000) + '}}}'.repeat(20_000) + '}}}\n')
  await expectOneLine(t, ['inspect', deep], 1, /deep\.pbtxt:1: messages nested more than 100 deep/)
})

t.test('a huge --batch-size is a usage error before any work', async (t) => {
  await expectOneLine(t, ['infer', small, '--batch-size', '100000000'], 2, /--batch-size: Expected an integer less than or equal to 10000/)
})

t.test('transform: no unreadable graph and no non-regular destination is ever written', async (t) => {
  const out = path.join(tmp, 'renamed.pb')
  await expectOneLine(t, ['transform', small, out, '--transforms', 'rename_node(old_node_name=conv, new_node_name=-bad)'], 1, /renamed\.pb not written: the transformed graph would not load/)
  t.notOk(fs.existsSync(out))
  const fifo = path.join(tmp, 'out.fifo')
  execFileSync('mkfifo', [fifo])
  await expectOneLine(t, ['transform', small, fifo, '--transforms', 'strip_unused_nodes'], 1, /refusing to write .*out\.fifo: it is a FIFO/)
  t.ok(fs.lstatSync(fifo).isFIFO())
})

t.test('silent wrong results are errors', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const model = shared('models', 'resnet_8_quant_ax.pb')
  const labels = path.join(tmp, 'labels200.bin')
  const records = fs.readFileSync(shared('cifar10', 'test_first1000.bin')).subarray(0, 2 * 3073)
  const bad = Buffer.from(records)
  bad[3073] = 200
  fs.writeFileSync(labels, bad)
  await expectOneLine(t, ['infer', model, '--data', labels, '--batch-size', '2', '--iterations', '1'], 1, /labels200\.bin: label 200 is outside the model's \d+ classes/)
  const good = path.join(tmp, 'good.bin')
  fs.writeFileSync(good, records)
  await expectOneLine(t, ['infer', model, '--data', good, '--batch-size', '2', '--iterations', '1', '--output', 'resnet/tower_0/conv2d/Conv2D/eightbit'], 1,
    /output 'resnet\/tower_0\/conv2d\/Conv2D\/eightbit' is a qint32 tensor of shape \[2,32,32,16\], not \[2, classes\] float32 logits/)
  const table = path.join(tmp, 'big.bin')
  fs.writeFileSync(table, Buffer.alloc(3 * 131072))
  await expectOneLine(t, ['infer', model, '--data', good, '--mult', table, '--batch-size', '2', '--iterations', '1'], 1, /big\.bin: a multiplier table must be 131072 bytes/)
})
