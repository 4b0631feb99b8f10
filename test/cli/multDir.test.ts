/** --mult-dir takes one folder per occurrence: an argument after it stays an argument. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {axq} from '../commands/cliRunner.js'

t.test('list-mults --mult-dir DIR GLOB, and --mult-dir repeated', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-mult-dir-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const a = path.join(dir, 'a')
  const b = path.join(dir, 'b')
  fs.mkdirSync(a)
  fs.mkdirSync(b)
  const exact = new Uint16Array(65536)
  for (let x = 0; x < 256; x++) for (let w = 0; w < 256; w++) exact[x * 256 + w] = x * w
  fs.writeFileSync(path.join(a, 'my_exact.bin'), new Uint8Array(exact.buffer))
  fs.writeFileSync(path.join(b, 'my_other.bin'), new Uint8Array(exact.buffer))
  const home = process.env.AXQ_HOME
  process.env.AXQ_HOME = dir // no user folder, no metrics cache in the real home
  t.teardown(() => {
    if (home === undefined) delete process.env.AXQ_HOME
    else process.env.AXQ_HOME = home
  })
  const [one, two] = await Promise.all([
    axq('list-mults', '--mult-dir', a, 'my_*', '--json'),
    axq('list-mults', '--mult-dir', a, '--mult-dir', b, 'my_*', '--json'),
  ])
  t.equal(one.code, 0, one.stderr)
  t.same(JSON.parse(one.stdout).map((m: {name: string; source: string}) => [m.name, m.source]), [['my_exact', path.join(a, 'my_exact.bin')]])
  t.equal(two.code, 0, two.stderr)
  t.same(JSON.parse(two.stdout).map((m: {name: string}) => m.name), ['my_exact', 'my_other'])
})
