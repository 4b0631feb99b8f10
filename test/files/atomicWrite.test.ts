/** Output files: atomic, never replacing what is not a regular file, cleaned up on signals (src/atomicWrite.ts). */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {execFileSync, spawn} from 'node:child_process'
import {writeFileAtomic, writeFilesAtomic} from '../../src/atomicWrite.js'
import {repoRoot} from '../helpers/paths.js'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-write-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

t.test('a symlink is followed: its target is replaced, the link stays', async (t) => {
  const target = path.join(tmp, 'target.txt')
  const link = path.join(tmp, 'link.txt')
  fs.writeFileSync(target, 'old')
  fs.symlinkSync('target.txt', link)
  writeFileAtomic(link, 'new')
  t.ok(fs.lstatSync(link).isSymbolicLink(), 'still a link')
  t.equal(fs.readFileSync(target, 'utf8'), 'new')
  const dangling = path.join(tmp, 'dangling.txt')
  fs.symlinkSync('created.txt', dangling)
  writeFileAtomic(dangling, 'made')
  t.equal(fs.readFileSync(path.join(tmp, 'created.txt'), 'utf8'), 'made', 'a dangling link creates its target')
  t.same(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no temporaries')
})

t.test('a FIFO, a device or a folder at the destination is refused, untouched', async (t) => {
  const fifo = path.join(tmp, 'out.fifo')
  execFileSync('mkfifo', [fifo])
  t.throws(() => writeFileAtomic(fifo, 'x'), {message: `refusing to write ${fifo}: it is a FIFO (named pipe), not a regular file`})
  t.ok(fs.lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO')
  t.throws(() => writeFileAtomic('/dev/null', 'x'), {message: 'refusing to write /dev/null: it is a device, not a regular file'})
  t.ok(fs.statSync('/dev/null').isCharacterDevice())
  const viaLink = path.join(tmp, 'null-link')
  fs.symlinkSync('/dev/null', viaLink)
  t.throws(() => writeFileAtomic(viaLink, 'x'), {message: `refusing to write ${viaLink}: its target /dev/null is a device, not a regular file`})
  t.throws(() => writeFileAtomic(tmp, 'x'), /refusing to write .*: it is a folder/)
})

t.test('several files: all or nothing', async (t) => {
  const a = path.join(tmp, 'a.bin')
  const b = path.join(tmp, 'b.json')
  fs.writeFileSync(a, 'old a')
  // b is a folder: the whole write fails and a keeps its old content.
  fs.mkdirSync(b)
  t.throws(() => writeFilesAtomic([{file: a, data: 'new a'}, {file: b, data: 'new b'}]), /refusing to write .*b\.json: it is a folder/)
  t.equal(fs.readFileSync(a, 'utf8'), 'old a')
  fs.rmdirSync(b)
  writeFilesAtomic([{file: a, data: 'new a'}, {file: b, data: 'new b'}])
  t.equal(fs.readFileSync(a, 'utf8') + fs.readFileSync(b, 'utf8'), 'new anew b')
  t.same(fs.readdirSync(tmp).filter((f) => f.includes('.tmp')), [], 'no temporaries or backups')
})

t.test('a check refuses the data before anything is committed', async (t) => {
  const f = path.join(tmp, 'checked.txt')
  fs.writeFileSync(f, 'keep')
  t.throws(() => writeFileAtomic(f, 'bad', {check: () => { throw new Error('no') }}), /no/)
  t.equal(fs.readFileSync(f, 'utf8'), 'keep')
})

t.test("temporaries of a killed writer are removed by the next write; SIGTERM removes the writer's own", async (t) => {
  const out = path.join(tmp, 'graph.pb')
  const stale = path.join(tmp, `.graph.pb.999999999.1.tmp`)
  fs.writeFileSync(stale, 'left by SIGKILL')
  writeFileAtomic(out, 'x')
  t.notOk(fs.existsSync(stale), 'stale temporary of a dead pid removed')

  // A writer stopped by SIGTERM while its temporary exists.
  const script = `
    import {temporaryBeside} from ${JSON.stringify(path.join(repoRoot, 'dist/src/atomicWrite.js'))}
    import fs from 'node:fs'
    const tmp = temporaryBeside(${JSON.stringify(out)})
    fs.writeFileSync(tmp, Buffer.alloc(1 << 20))
    console.log(tmp)
    setInterval(() => {}, 1000)
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit']})
  const tmpFile = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())))
  t.ok(fs.existsSync(tmpFile), 'temporary written')
  child.kill('SIGTERM')
  const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)))
  t.equal(signal, 'SIGTERM', 'the process still dies of SIGTERM')
  t.notOk(fs.existsSync(tmpFile), 'and its temporary is gone')
})
