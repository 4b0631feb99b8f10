/**
 * `axq data cifar10`: the official CIFAR-10 python archive (cifar-10-python.tar.gz) or its
 * extracted folder (cifar-10-batches-py) → train.tfrecords (data_batch_1..4),
 * validation.tfrecords (data_batch_5) and eval.tfrecords (test_batch), as the reference's
 * generate_cifar10_tfrecords.py writes them: one tf.train.Example per image with `image` (the
 * 3072 raw CHW bytes) and `label` (int64), in batch order.
 *
 * The archive is read with node:zlib and the `tar` package (no shell, no extraction outside the
 * data folder); --download fetches it with Node's fetch, atomically, and checks its MD5.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {pipeline} from 'node:stream/promises'
import {Readable, Transform, Writable} from 'node:stream'
import {Parser as TarParser} from 'tar'
import zlib from 'node:zlib'
import {AxqError} from '../errors.js'
import {releaseTemporary, temporaryBeside, writeDestination} from '../atomicWrite.js'
import {INPUT_LIMITS, openInputFile, readInputFile, sizeWords} from '../inputFile.js'
import {trackTemporary, untrackTemporary} from '../temporaryFiles.js'
import {bytesFeature, encodeExample, int64Feature} from './example.js'
import {CIFAR_IMAGE_BYTES} from './cifar.js'
import {parseCifarPickle} from './pickle.js'
import {TFRecordWriter} from './tfrecord.js'

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
export const CIFAR10_MD5 = 'c58f30108f718f92721af3b95e74349a'
export const CIFAR10_ARCHIVE = 'cifar-10-python.tar.gz'
export const CIFAR10_PY_DIR = 'cifar-10-batches-py'

/** Output file → the python batches it is made of (generate_cifar10_tfrecords.py's split). */
export const CIFAR10_SPLITS: Record<string, string[]> = {
  'train.tfrecords': ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4'],
  'validation.tfrecords': ['data_batch_5'],
  'eval.tfrecords': ['test_batch'],
}

const BATCHES = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']
const ARCHIVE_MEMBERS = new Set([...BATCHES, 'batches.meta', 'readme.html'])

export interface Cifar10Options {
  /** Fetch the archive first (unless a copy with the right MD5 is already there). */
  download?: boolean
  /** Where to fetch from (default: AXQ_CIFAR10_URL, else the official URL). */
  url?: string
  /** Expected MD5 of the archive, or 'skip'; only with a non-default URL. */
  md5?: string
  /** Progress lines (stderr when it is a terminal). */
  progress?: (message: string, final?: boolean) => void
}

export interface Cifar10Result {
  dataDir: string
  /** Where the python batches were read from. */
  source: string
  downloaded: boolean
  files: {file: string; records: number; batches: string[]}[]
}

/** Build the three TFRecord files in `dataDir`. */
export async function prepareCifar10(dataDir: string, options: Cifar10Options = {}): Promise<Cifar10Result> {
  if (!options.download && options.url !== undefined) throw new AxqError('--url is only used with --download', {subject: '--url'})
  if (!options.download && options.md5 !== undefined) throw new AxqError('--md5 is only used with --download', {subject: '--md5'})
  const customUrl = options.url ?? (process.env.AXQ_CIFAR10_URL || undefined)
  if (options.md5 !== undefined && !customUrl) {
    throw new AxqError('--md5 is only accepted together with --url (the official archive is always checked)', {subject: '--md5'})
  }
  if (options.md5 !== undefined && options.md5 !== 'skip' && !/^[0-9a-f]{32}$/i.test(options.md5)) {
    throw new AxqError(`--md5 must be 32 hex digits or 'skip', got '${options.md5}'`, {subject: '--md5'})
  }
  if (!fs.existsSync(dataDir)) {
    if (!options.download) throw new AxqError(`data folder ${dataDir} does not exist (add --download to fetch CIFAR-10 into it)`, {subject: dataDir})
    fs.mkdirSync(dataDir, {recursive: true})
  } else if (!fs.statSync(dataDir).isDirectory()) {
    throw new AxqError(`${dataDir} is not a folder`, {subject: dataDir})
  }
  const archive = path.join(dataDir, CIFAR10_ARCHIVE)
  let downloaded = false
  if (options.download) {
    const url = customUrl ?? CIFAR10_URL
    const md5 = options.md5 === 'skip' ? undefined : (options.md5 ?? CIFAR10_MD5).toLowerCase()
    if (fs.existsSync(archive) && (md5 === undefined || (await fileMd5(archive)) === md5)) {
      options.progress?.(`${archive} is already there`, true)
    } else {
      await downloadFile(url, archive, {md5, progress: options.progress})
      downloaded = true
    }
  }
  const {dir, extracted} = await locateBatches(dataDir, archive, options.progress)
  const files: Cifar10Result['files'] = []
  for (const [name, batches] of Object.entries(CIFAR10_SPLITS)) {
    const out = path.join(dataDir, name)
    options.progress?.(`writing ${out}`)
    const writer = new TFRecordWriter(out)
    try {
      for (const batch of batches) {
        const file = path.join(dir, batch)
        const records = parseCifarPickle(readInputFile(file, {what: 'CIFAR-10 python batch', maxBytes: MAX_MEMBER_BYTES}), file)
        for (let i = 0; i < records.labels.length; i++) {
          const image = records.images.subarray(i * CIFAR_IMAGE_BYTES, (i + 1) * CIFAR_IMAGE_BYTES)
          // TensorFlow's Python writer orders the two entries by hash, differently from run to run;
          // axq always writes label, then image.
          writer.write(encodeExample({label: int64Feature(records.labels[i]), image: bytesFeature(image)}))
        }
      }
    } catch (error) {
      writer.abort()
      throw error
    }
    writer.close()
    files.push({file: out, records: writer.count, batches})
  }
  options.progress?.('', true)
  return {dataDir, source: extracted ? archive : dir, downloaded, files}
}

/**
 * The folder holding the six python batches: DIR/cifar-10-batches-py, or DIR itself, or else
 * DIR/cifar-10-python.tar.gz extracted into DIR/cifar-10-batches-py.
 */
async function locateBatches(dataDir: string, archive: string, progress?: Cifar10Options['progress']): Promise<{dir: string; extracted: boolean}> {
  const pyDir = path.join(dataDir, CIFAR10_PY_DIR)
  const missingIn = (dir: string): string[] => BATCHES.filter((b) => !fs.existsSync(path.join(dir, b)))
  if (fs.existsSync(pyDir) && missingIn(pyDir).length === 0) return {dir: pyDir, extracted: false}
  if (missingIn(dataDir).length === 0) return {dir: dataDir, extracted: false}
  if (fs.existsSync(archive)) {
    progress?.(`extracting ${archive}`)
    await extractCifarArchive(archive, dataDir)
    const missing = missingIn(pyDir)
    if (missing.length > 0) throw new AxqError(`${archive}: not the CIFAR-10 python archive (missing ${missing.map((m) => `${CIFAR10_PY_DIR}/${m}`).join(', ')})`, {subject: archive})
    return {dir: pyDir, extracted: true}
  }
  if (fs.existsSync(pyDir)) {
    throw new AxqError(`${pyDir}: missing ${missingIn(pyDir).join(', ')} (and no ${CIFAR10_ARCHIVE} in ${dataDir})`, {subject: pyDir})
  }
  throw new AxqError(
    `no CIFAR-10 python data in ${dataDir} (looked for ${CIFAR10_ARCHIVE} and ${CIFAR10_PY_DIR}/); add --download to fetch it`,
    {subject: dataDir},
  )
}

/** Largest archive member axq keeps (the real batches are 30 MiB each). */
const MAX_MEMBER_BYTES = 64 << 20

/**
 * Extract the CIFAR-10 members of a .tar.gz into `dataDir` (only cifar-10-batches-py/<batch
 * files>; anything else in the archive is skipped). The tar format is read by the `tar` package;
 * the gzip stream is inflated by node:zlib with a cap on its output (INPUT_LIMITS.archiveBytes),
 * so a small file that inflates to gigabytes stops early. Members go to a temporary folder beside
 * the output folder and are moved into place only when the whole archive was read; a failure
 * (or SIGINT/SIGTERM) removes the temporary folder.
 */
export async function extractCifarArchive(archive: string, dataDir: string): Promise<string[]> {
  const outDir = path.join(dataDir, CIFAR10_PY_DIR)
  const spec = {what: 'CIFAR-10 archive', maxBytes: INPUT_LIMITS.archiveBytes}
  const {fd} = openInputFile(archive, spec)
  const magic = Buffer.alloc(2)
  try {
    fs.readSync(fd, magic, 0, 2, 0)
  } finally {
    fs.closeSync(fd)
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) throw new AxqError(`${archive}: cannot read the archive: corrupt gzip data (not a .tar.gz file)`, {subject: archive})
  const tmpDir = path.join(dataDir, `.${CIFAR10_PY_DIR}.${process.pid}.${Date.now()}.tmp`)
  trackTemporary(tmpDir)
  const members: string[] = []
  try {
    fs.mkdirSync(tmpDir)
    await readTarGz(archive, INPUT_LIMITS.archiveBytes, (name, data) => {
      const parts = name.split('/').filter((p) => p !== '' && p !== '.')
      if (parts.length !== 2 || parts[0] !== CIFAR10_PY_DIR || !ARCHIVE_MEMBERS.has(parts[1])) return
      fs.writeFileSync(path.join(tmpDir, parts[1]), data)
      if (!members.includes(parts[1])) members.push(parts[1])
    })
    if (members.length > 0) fs.mkdirSync(outDir, {recursive: true})
    for (const m of members) fs.renameSync(path.join(tmpDir, m), path.join(outDir, m))
  } catch (error) {
    if (error instanceof AxqError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' ? `corrupt gzip data (${(error as Error).message})` : code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new AxqError(`${archive}: cannot read the archive: ${why}`, {subject: archive, cause: error})
  } finally {
    fs.rmSync(tmpDir, {recursive: true, force: true})
    untrackTemporary(tmpDir)
  }
  return members.map((m) => path.join(outDir, m))
}

/**
 * Every regular file of a .tar.gz, handed to `onFile` with its contents (members larger than
 * MAX_MEMBER_BYTES are an error). At most `cap` bytes are inflated.
 */
export async function readTarGz(archive: string, cap: number, onFile: (name: string, data: Buffer) => void): Promise<void> {
  const bad = (what: string): AxqError => new AxqError(`${archive}: corrupt tar archive (${what})`, {subject: archive})
  let failure: unknown
  const parser = new TarParser({
    strict: true,
    onReadEntry: (entry) => {
      if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
        entry.resume()
        return
      }
      if ((entry.size ?? 0) > MAX_MEMBER_BYTES) {
        failure ??= new AxqError(`${archive}: member ${entry.path} is ${sizeWords(entry.size ?? 0)}, larger than a CIFAR-10 batch can be (at most ${sizeWords(MAX_MEMBER_BYTES)})`, {subject: archive})
        parser.abort(failure as Error)
        return
      }
      const chunks: Buffer[] = []
      entry.on('data', (chunk: Buffer) => chunks.push(chunk))
      entry.on('end', () => {
        try {
          onFile(entry.path, Buffer.concat(chunks))
        } catch (error) {
          failure ??= error
          parser.abort(error as Error)
        }
      })
    },
  })
  let inflated = 0
  const limit = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      inflated += chunk.length
      if (inflated > cap) callback(new AxqError(`${archive}: inflates to more than ${sizeWords(cap)}, more than the CIFAR-10 archive holds`, {subject: archive}))
      else callback(null, chunk)
    },
  })
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (failure) return callback(failure as Error)
      if (parser.write(chunk)) callback()
      else parser.once('drain', () => callback())
    },
    final(callback) {
      parser.on('end', () => callback(failure as Error | undefined))
      parser.end()
    },
  })
  parser.on('error', (error: Error & {code?: string}) => {
    failure ??= error instanceof AxqError ? error : bad(error.message.replace(/^TAR_\w+: /, ''))
  })
  parser.on('abort', (error: Error) => {
    failure ??= error
  })
  await pipeline(fs.createReadStream(archive), zlib.createGunzip(), limit, sink)
  if (failure) throw failure
}

export async function fileMd5(file: string): Promise<string> {
  const hash = crypto.createHash('md5')
  const {fd} = openInputFile(file, {what: 'CIFAR-10 archive', maxBytes: INPUT_LIMITS.archiveBytes})
  await pipeline(fs.createReadStream('', {fd}), hash)
  return hash.digest('hex')
}

/**
 * Download `url` to `file` atomically (temporary file beside it, renamed when complete and, if
 * `md5` is given, verified) with Node's fetch. Follows up to 5 redirects; gives up when no byte
 * arrives for 60 s, and on more than INPUT_LIMITS.archiveBytes.
 */
export async function downloadFile(url: string, file: string, options: {md5?: string; progress?: Cifar10Options['progress']} = {}): Promise<void> {
  const target = writeDestination(file)
  const tmp = temporaryBeside(target)
  const cap = INPUT_LIMITS.archiveBytes
  let received = 0
  let total = 0
  const controller = new AbortController()
  let idle: NodeJS.Timeout | undefined
  const stillAlive = (): void => {
    clearTimeout(idle)
    idle = setTimeout(() => controller.abort(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})), 60_000)
  }
  try {
    stillAlive()
    const response = await fetchFollowing(url, 5, controller.signal)
    total = Number(response.headers.get('content-length') ?? 0)
    if (total > cap) throw new AxqError(`cannot download ${url}: it is ${sizeWords(total)}, more than the CIFAR-10 archive (at most ${sizeWords(cap)})`, {subject: url})
    const hash = crypto.createHash('md5')
    let lastShown = 0
    const count = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        stillAlive()
        received += chunk.length
        if (received > cap) return callback(new AxqError(`cannot download ${url}: more than ${sizeWords(cap)}, more than the CIFAR-10 archive`, {subject: url}))
        hash.update(chunk)
        const now = Date.now()
        if (options.progress && now - lastShown > 200) {
          lastShown = now
          options.progress(`downloading ${url}: ${mb(received)}${total ? ` of ${mb(total)} (${Math.floor((100 * received) / total)}%)` : ''}`)
        }
        callback(null, chunk)
      },
    })
    if (!response.body) throw new AxqError(`cannot download ${url}: empty response`, {subject: url})
    // Open synchronously: an asynchronous open could create the file after the cleanup below
    // has already run (a connection cut short rejects the pipeline before the open completes).
    const out = fs.createWriteStream(tmp, {fd: fs.openSync(tmp, 'wx')})
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), count, out)
    if (total && received !== total) throw cutShort(url, received, total)
    const digest = hash.digest('hex')
    if (options.md5 && digest !== options.md5) {
      throw new AxqError(`download of ${url} has MD5 ${digest}, expected ${options.md5} (corrupt or different file)`, {subject: url})
    }
    fs.renameSync(tmp, target)
    options.progress?.(`downloaded ${url} (${mb(received)})`, true)
  } catch (error) {
    if (error instanceof AxqError) throw error
    if (total && received < total) throw cutShort(url, received, total)
    const e = error as Error & {code?: string; cause?: {code?: string; message?: string}}
    throw new AxqError(`cannot download ${url}: ${e.cause?.code ?? e.code ?? e.cause?.message ?? e.message}`, {subject: url, cause: error})
  } finally {
    clearTimeout(idle)
    fs.rmSync(tmp, {force: true})
    releaseTemporary(tmp)
  }
}

function cutShort(url: string, received: number, total: number): AxqError {
  return new AxqError(`download of ${url} was cut short (${received} of ${total} bytes)`, {subject: url})
}

/** GET `url`, following at most `redirects` redirects; a response other than 200 is an AxqError. */
async function fetchFollowing(url: string, redirects: number, signal: AbortSignal): Promise<Response> {
  let current = url
  for (let hop = 0; ; hop++) {
    let parsed: URL
    try {
      parsed = new URL(current)
    } catch {
      throw new AxqError(`--url ${current} is not a valid URL`, {subject: '--url'})
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AxqError(`--url ${current}: only http and https URLs are supported`, {subject: '--url'})
    const response = await fetch(parsed, {redirect: 'manual', signal})
    const status = response.status
    const location = response.headers.get('location')
    if (status >= 300 && status < 400 && location) {
      await response.body?.cancel()
      if (hop >= redirects) throw new AxqError(`cannot download ${url}: too many redirects`, {subject: url})
      current = new URL(location, parsed).toString()
      continue
    }
    if (status !== 200) {
      await response.body?.cancel()
      throw new AxqError(`cannot download ${url}: HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`, {subject: url})
    }
    return response
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}
