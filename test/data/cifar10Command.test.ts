import t from 'tap'
import zlib from 'node:zlib'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import http from 'node:http'
import crypto from 'node:crypto'
import {spawn} from 'node:child_process'
import type {AddressInfo} from 'node:net'
import {prepareCifar10, CIFAR10_MD5} from '../../src/data/cifar10Archive.js'
import {openDataset, readCifarRecords} from '../../src/data/dataset.js'
import {AxqError} from '../../src/errors.js'
import {cliPath} from '../helpers/paths.js'
import {py2Pickle, synthetic, tarGz} from './cifarFixtures.js'

const tap = t
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-cifar10-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

const names = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']
const batches = names.map((_, k) => synthetic(k + 2, k + 1)) // 2, 3, 4, 5, 6, 7 records
const pickles = batches.map((b) => py2Pickle(b))
const archive = tarGz([
  ['cifar-10-batches-py/readme.html', Buffer.from('<html></html>')],
  ...names.map((n, k): [string, Uint8Array] => [`cifar-10-batches-py/${n}`, pickles[k]]),
  ['cifar-10-batches-py/batches.meta', Buffer.from('meta')],
  ['cifar-10-batches-py/../escape', Buffer.from('must not be written')],
  ['/etc/axq-test', Buffer.from('must not be written')],
])
const archiveMd5 = crypto.createHash('md5').update(archive).digest('hex')
const labelsOf = (...ks: number[]): number[] => ks.flatMap((k) => Array.from(batches[k].labels))
const hex = (b: Uint8Array): string => crypto.createHash('sha1').update(b).digest('hex')

function checkOutputs(t: {equal: typeof tap.equal; same: typeof tap.same}, dir: string): void {
  const train = readCifarRecords(path.join(dir, 'train.tfrecords')).records
  const validation = readCifarRecords(path.join(dir, 'validation.tfrecords')).records
  const evalSet = openDataset(dir)
  t.equal(evalSet.source, path.join(dir, 'eval.tfrecords'))
  t.same(Array.from(train.labels), labelsOf(0, 1, 2, 3), 'train = data_batch_1..4 in order')
  t.equal(hex(train.images), hex(Buffer.concat(batches.slice(0, 4).map((b) => b.images))))
  t.same(Array.from(validation.labels), labelsOf(4), 'validation = data_batch_5')
  t.equal(hex(validation.images), hex(batches[4].images))
  t.same(Array.from(evalSet.records.labels), labelsOf(5), 'eval = test_batch')
  t.equal(hex(evalSet.records.images), hex(batches[5].images))
}

let server: http.Server
let base = ''
let hits = 0
t.before(async () => {
  server = http.createServer((req, res) => {
    hits++
    if (req.url === '/cifar.tgz') {
      res.writeHead(200, {'content-length': archive.length})
      res.end(archive)
    } else if (req.url === '/moved') {
      res.writeHead(302, {location: '/cifar.tgz'})
      res.end()
    } else if (req.url === '/short') {
      res.writeHead(200, {'content-length': archive.length})
      res.write(archive.subarray(0, 100), () => req.socket.destroy())
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))

t.test('from the archive in the data folder', async (t) => {
  const dir = path.join(tmp, 'archive')
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'cifar-10-python.tar.gz'), archive)
  const result = await prepareCifar10(dir)
  t.same(result.files.map((f) => [path.basename(f.file), f.records]), [['train.tfrecords', 14], ['validation.tfrecords', 6], ['eval.tfrecords', 7]])
  t.equal(result.downloaded, false)
  checkOutputs(t, dir)
  t.same(fs.readdirSync(path.join(dir, 'cifar-10-batches-py')).sort(), [...names, 'batches.meta', 'readme.html'].sort(), 'only the CIFAR members are extracted')
  t.notOk(fs.existsSync(path.join(dir, 'escape')), 'no path escapes the folder')
  t.notOk(fs.existsSync('/etc/axq-test'))
  t.same(fs.readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temporary files left')
})

t.test('from the extracted folder', async (t) => {
  const dir = path.join(tmp, 'extracted')
  fs.mkdirSync(path.join(dir, 'cifar-10-batches-py'), {recursive: true})
  names.forEach((n, k) => fs.writeFileSync(path.join(dir, 'cifar-10-batches-py', n), pickles[k]))
  await prepareCifar10(dir)
  checkOutputs(t, dir)
})

t.test('--download from a local server (redirect, MD5, already there)', async (t) => {
  const dir = path.join(tmp, 'download')
  const result = await prepareCifar10(dir, {download: true, url: `${base}/moved`, md5: archiveMd5})
  t.equal(result.downloaded, true)
  t.equal(hex(fs.readFileSync(path.join(dir, 'cifar-10-python.tar.gz'))), hex(archive))
  checkOutputs(t, dir)
  const before = hits
  const again = await prepareCifar10(dir, {download: true, url: `${base}/cifar.tgz`, md5: archiveMd5})
  t.equal(again.downloaded, false, 'a good copy is not fetched again')
  t.equal(hits, before)
})

t.test('AXQ_CIFAR10_URL, --md5 skip', async (t) => {
  const dir = path.join(tmp, 'env')
  process.env.AXQ_CIFAR10_URL = `${base}/cifar.tgz`
  try {
    await prepareCifar10(dir, {download: true, md5: 'skip'})
  } finally {
    delete process.env.AXQ_CIFAR10_URL
  }
  checkOutputs(t, dir)
})

t.test('download failures leave nothing behind', async (t) => {
  // A port nothing listens on: one a server just gave back.
  const closed = http.createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const freePort = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const cases: [string, {url?: string; md5?: string}, RegExp][] = [
    ['md5', {url: `${base}/cifar.tgz`}, new RegExp(`has MD5 ${archiveMd5}, expected ${CIFAR10_MD5}`)],
    ['404', {url: `${base}/nothing`}, /HTTP 404/],
    ['short', {url: `${base}/short`, md5: 'skip'}, /cut short|ECONNRESET|aborted/],
    ['scheme', {url: 'ftp://127.0.0.1/x'}, /only http and https/],
    ['refused', {url: `http://127.0.0.1:${freePort}/x`, md5: 'skip'}, /cannot download .*ECONNREFUSED/],
  ]
  for (const [name, options, pattern] of cases) {
    const dir = path.join(tmp, `fail-${name}`)
    await t.rejects(prepareCifar10(dir, {download: true, ...options}), pattern, name)
    t.same(fs.readdirSync(dir), [], `${name}: nothing left in the folder`)
  }
  await t.rejects(prepareCifar10(path.join(tmp, 'x'), {download: true, md5: archiveMd5}), /--md5 is only accepted together with --url/)
  await t.rejects(prepareCifar10(path.join(tmp, 'x'), {url: `${base}/cifar.tgz`}), /--url is only used with --download/)
  await t.rejects(prepareCifar10(path.join(tmp, 'x'), {download: true, url: `${base}/cifar.tgz`, md5: 'abc'}), /32 hex digits/)
})

t.test('clear errors: missing folder, missing batches, corrupt archive', async (t) => {
  const expectError = async (dir: string, pattern: RegExp): Promise<void> => {
    try {
      await prepareCifar10(dir)
      t.fail('should fail')
    } catch (error) {
      t.ok(error instanceof AxqError, 'AxqError')
      t.notOk((error as Error).message.includes('\n'), 'one line')
      t.match((error as Error).message, pattern, (error as Error).message)
    }
  }
  await expectError(path.join(tmp, 'absent'), /data folder .*absent does not exist \(add --download/)
  const empty = path.join(tmp, 'empty')
  fs.mkdirSync(empty)
  await expectError(empty, /no CIFAR-10 python data in .*empty \(looked for cifar-10-python.tar.gz and cifar-10-batches-py\/\); add --download/)
  const partial = path.join(tmp, 'partial')
  fs.mkdirSync(path.join(partial, 'cifar-10-batches-py'), {recursive: true})
  fs.writeFileSync(path.join(partial, 'cifar-10-batches-py', 'data_batch_1'), pickles[0])
  await expectError(partial, /cifar-10-batches-py: missing data_batch_2, data_batch_3, data_batch_4, data_batch_5, test_batch/)
  const corrupt = (name: string, bytes: Uint8Array): string => {
    const dir = path.join(tmp, name)
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'cifar-10-python.tar.gz'), bytes)
    return dir
  }
  await expectError(corrupt('random', crypto.randomBytes(5000)), /cifar-10-python.tar.gz: cannot read the archive: corrupt gzip data/)
  await expectError(corrupt('truncated', archive.subarray(0, archive.length >> 1)), /cifar-10-python.tar.gz: (cannot read the archive|truncated)/)
  const badTar = Buffer.from(zlib.gunzipSync(archive))
  badTar[150] ^= 1 // first header's checksum
  await expectError(corrupt('badtar', zlib.gzipSync(badTar)), /corrupt tar archive \(checksum failure\)/)
  await expectError(corrupt('othertar', tarGz([['something/else', Buffer.from('x')]])), /not the CIFAR-10 python archive \(missing cifar-10-batches-py\/data_batch_1/)
  const badPickle = path.join(tmp, 'badpickle')
  fs.mkdirSync(path.join(badPickle, 'cifar-10-batches-py'), {recursive: true})
  names.forEach((n, k) => fs.writeFileSync(path.join(badPickle, 'cifar-10-batches-py', n), k === 2 ? Buffer.from('garbage') : pickles[k]))
  await expectError(badPickle, /data_batch_3: not a CIFAR-10 python batch \(not a pickle file\)/)
  t.notOk(fs.existsSync(path.join(badPickle, 'train.tfrecords')), 'no half-written output')
})

t.test('the CLI: success and a failure', async (t) => {
  const run = (args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [cliPath, ...args], {env: {...process.env, AXQ_CIFAR10_URL: ''}})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      child.on('close', (code) => resolve({code, stdout, stderr}))
    })
  const dir = path.join(tmp, 'cli')
  const ok = await run(['data', 'cifar10', '--data-dir', dir, '--download', '--url', `${base}/cifar.tgz`, '--md5', archiveMd5])
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, /train\.tfrecords: 14 records \(data_batch_1, data_batch_2, data_batch_3, data_batch_4\)/)
  t.match(ok.stdout, /eval\.tfrecords: 7 records \(test_batch\)/)
  t.equal(ok.stderr, '', 'no progress when stderr is not a terminal')
  const bad = await run(['data', 'cifar10', '--data-dir', path.join(tmp, 'nowhere')])
  t.equal(bad.code, 1)
  t.equal(bad.stderr.trim().split('\n').length, 1, 'one line on stderr')
  t.match(bad.stderr, /^axq: data folder .*nowhere does not exist/)
})
