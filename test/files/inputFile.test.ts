/** Reading inputs: regular files only, sizes checked before reading (src/inputFile.ts). */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execFileSync} from 'node:child_process'
import {readInputFile} from '../../src/inputFile.js'
import {readTableFile} from '../../src/mults/table.js'
import {readGraph} from '../../src/graph/graphIO.js'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-input-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

t.test('a FIFO, a device and a folder are refused at once, without reading', async (t) => {
  const fifo = path.join(tmp, 'graph.pb')
  execFileSync('mkfifo', [fifo])
  const started = Date.now()
  t.throws(() => readGraph(fifo), {name: 'AxqError', message: `cannot read graph ${fifo}: it is a FIFO (named pipe), not a regular file`})
  t.throws(() => readGraph('/dev/zero'), {message: 'cannot read graph /dev/zero: it is a device, not a regular file'})
  t.throws(() => readGraph(tmp), {message: `cannot read graph ${tmp}: it is a folder, not a regular file`})
  t.throws(() => readTableFile('/dev/urandom'), /it is a device/)
  t.ok(Date.now() - started < 10_000, 'no wait for a writer')
})

t.test('sizes are checked against the format before reading', async (t) => {
  const big = path.join(tmp, 'big.bin')
  // A sparse file: 3 × the table size, and a 1 GiB one that is never read.
  fs.writeFileSync(big, Buffer.alloc(3 * 131072))
  t.throws(() => readTableFile(big), {message: `${big}: a multiplier table must be 131072 bytes (65536 little-endian uint16), this file has 393216`})
  const huge = path.join(tmp, 'huge.pb')
  const fd = fs.openSync(huge, 'w')
  fs.ftruncateSync(fd, 2 ** 30)
  fs.closeSync(fd)
  const started = Date.now()
  t.throws(() => readGraph(huge), {message: `${huge}: 1.0 GiB is more than a graph may hold (at most 512 MiB)`})
  t.ok(Date.now() - started < 10_000, 'refused without reading 1 GiB')
  t.throws(() => readInputFile(path.join(tmp, 'absent'), {what: 'thing', maxBytes: 10}), {name: 'AxqError', message: /cannot read thing .*absent: no such file/})
  const ok = path.join(tmp, 'ok')
  fs.writeFileSync(ok, 'hello')
  t.equal(readInputFile(ok, {what: 'thing', maxBytes: 5}).toString(), 'hello', 'at the limit is fine')
})
