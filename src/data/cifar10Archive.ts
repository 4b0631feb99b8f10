/**
 * `axq data cifar10`: the official CIFAR-10 python archive (cifar-10-python.tar.gz) or its
 * extracted folder (cifar-10-batches-py) → train.tfrecords (data_batch_1..4),
 * validation.tfrecords (data_batch_5) and eval.tfrecords (test_batch), as the reference's
 * generate_cifar10_tfrecords.py writes them: one tf.train.Example per image with `image` (the
 * 3072 raw CHW bytes) and `label` (int64), in batch order.
 *
 * The archive is read with node:zlib and a small tar reader (no shell, no extraction outside the
 * data folder); --download fetches it over HTTP(S), atomically, and checks its MD5.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import path from 'node:path'
import {pipeline} from 'node:stream/promises'
import {Writable} from 'node:stream'
import zlib from 'node:zlib'
import {AxqError} from '../errors.js'
import {writeFileAtomic} from '../atomicWrite.js'
import {bytesFeature, encodeExample, int64Feature} from './example.js'
import {CIFAR_IMAGE_BYTES} from './cifar.js'
import {parseCifarPickle} from './pickle.js'
import {TFRecordWriter} from './tfrecord.js'
import {fileProblem} from '../fileProblem.js'

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
        const records = parseCifarPickle(readFile(file), file)
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

/**
 * Extract the CIFAR-10 members of a .tar.gz into `dataDir` (only cifar-10-batches-py/<batch
 * files>, each written atomically; anything else in the archive is skipped).
 */
export async function extractCifarArchive(archive: string, dataDir: string): Promise<string[]> {
  const written: string[] = []
  const outDir = path.join(dataDir, CIFAR10_PY_DIR)
  try {
    await pipeline(
      fs.createReadStream(archive),
      zlib.createGunzip(),
      tarReader(archive, (name, data) => {
        const parts = name.split('/').filter((p) => p !== '' && p !== '.')
        if (parts.length !== 2 || parts[0] !== CIFAR10_PY_DIR || !ARCHIVE_MEMBERS.has(parts[1])) return
        fs.mkdirSync(outDir, {recursive: true})
        const file = path.join(outDir, parts[1])
        writeFileAtomic(file, data)
        written.push(file)
      }),
    )
  } catch (error) {
    if (error instanceof AxqError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' ? `corrupt gzip data (${(error as Error).message})` : code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new AxqError(`${archive}: cannot read the archive: ${why}`, {subject: archive, cause: error})
  }
  return written
}

/**
 * A Writable that parses a tar stream (ustar, GNU long names, pax headers) and hands every
 * regular file to `onFile` with its full contents.
 */
export function tarReader(source: string, onFile: (name: string, data: Buffer) => void): Writable {
  const chunks: Buffer[] = []
  let buffered = 0
  let offset = 0 // bytes of the tar consumed
  let state: {kind: 'header'} | {kind: 'body'; name: string; type: string; size: number; padded: number} = {kind: 'header'}
  let longName: string | undefined
  let paxPath: string | undefined
  let ended = false
  let zeroBlocks = 0

  const bad = (what: string): AxqError => new AxqError(`${source}: corrupt tar archive (${what} at byte ${offset})`, {subject: source})
  const take = (n: number): Buffer => {
    const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
    chunks.length = 0
    const out = all.subarray(0, n)
    if (all.length > n) chunks.push(all.subarray(n))
    buffered -= n
    offset += n
    return out
  }
  const step = (): boolean => {
    if (ended) {
      chunks.length = 0
      buffered = 0
      return false
    }
    if (state.kind === 'header') {
      if (buffered < 512) return false
      const h = take(512)
      if (h.every((b) => b === 0)) {
        zeroBlocks++
        if (zeroBlocks >= 2) ended = true
        return true
      }
      zeroBlocks = 0
      const stored = parseOctal(h.subarray(148, 156))
      let sum = 0
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]
      if (stored !== sum) throw bad('bad header checksum')
      const size = parseSize(h.subarray(124, 136))
      if (size < 0) throw bad('bad member size')
      const type = String.fromCharCode(h[156] || 0x30)
      const prefix = cString(h.subarray(345, 500))
      let name = cString(h.subarray(0, 100))
      if (h.subarray(257, 262).toString('latin1') === 'ustar' && prefix) name = `${prefix}/${name}`
      if (longName !== undefined) name = longName
      if (paxPath !== undefined) name = paxPath
      if (type !== 'L' && type !== 'x' && type !== 'g') {
        longName = undefined
        paxPath = undefined
      }
      state = {kind: 'body', name, type, size, padded: Math.ceil(size / 512) * 512}
      return true
    }
    if (buffered < state.padded) return false
    const body = take(state.padded).subarray(0, state.size)
    const {name, type} = state
    state = {kind: 'header'}
    if (type === 'L') longName = cString(body)
    else if (type === 'x') paxPath = paxValue(body, 'path') ?? paxPath
    else if (type === '0' || type === '\0' || type === '7') onFile(name, Buffer.from(body))
    return true
  }

  return new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(chunk)
      buffered += chunk.length
      try {
        while (step());
        callback()
      } catch (error) {
        callback(error as Error)
      }
    },
    final(callback) {
      try {
        while (step());
        if (!ended && (state.kind === 'body' || buffered > 0)) throw new AxqError(`${source}: truncated tar archive (it ends inside a member)`, {subject: source})
        if (!ended && offset === 0) throw new AxqError(`${source}: empty tar archive`, {subject: source})
        callback()
      } catch (error) {
        callback(error as Error)
      }
    },
  })
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0)
  return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString('utf8')
}

function parseOctal(b: Uint8Array): number {
  const text = cString(b).trim()
  if (!/^[0-7]*$/.test(text)) return -1
  return text === '' ? 0 : parseInt(text, 8)
}

function parseSize(b: Uint8Array): number {
  if (b[0] & 0x80) {
    // GNU base-256: big-endian, high bit of the first byte set
    let v = b[0] & 0x7f
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i]
    return v
  }
  return parseOctal(b)
}

function paxValue(body: Uint8Array, key: string): string | undefined {
  const text = Buffer.from(body).toString('utf8')
  for (const line of text.split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/.exec(line)
    if (m && m[1] === key) return m[2]
  }
  return undefined
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file)
  } catch (error) {
    throw new AxqError(`cannot read ${file}: ${fileProblem(error)}`, {subject: file, cause: error})
  }
}

export async function fileMd5(file: string): Promise<string> {
  const hash = crypto.createHash('md5')
  await pipeline(fs.createReadStream(file), hash)
  return hash.digest('hex')
}

/**
 * Download `url` to `file` atomically (temporary file beside it, renamed when complete and, if
 * `md5` is given, verified). Follows up to 5 redirects.
 */
export async function downloadFile(url: string, file: string, options: {md5?: string; progress?: Cifar10Options['progress']} = {}): Promise<void> {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${Date.now()}.download`)
  try {
    const response = await request(url, 5)
    const total = Number(response.headers['content-length'] ?? 0)
    const hash = crypto.createHash('md5')
    let received = 0
    let lastShown = 0
    response.on('data', (chunk: Buffer) => {
      hash.update(chunk)
      received += chunk.length
      const now = Date.now()
      if (options.progress && now - lastShown > 200) {
        lastShown = now
        options.progress(`downloading ${url}: ${mb(received)}${total ? ` of ${mb(total)} (${Math.floor((100 * received) / total)}%)` : ''}`)
      }
    })
    // Open synchronously: an asynchronous open could create the file after the cleanup below
    // has already run (a connection cut short rejects the pipeline before the open completes).
    const out = fs.createWriteStream(tmp, {fd: fs.openSync(tmp, 'w')})
    await pipeline(response, out)
    if (total && received !== total) throw new AxqError(`download of ${url} was cut short (${received} of ${total} bytes)`, {subject: url})
    const digest = hash.digest('hex')
    if (options.md5 && digest !== options.md5) {
      throw new AxqError(`download of ${url} has MD5 ${digest}, expected ${options.md5} (corrupt or different file)`, {subject: url})
    }
    fs.renameSync(tmp, file)
    options.progress?.(`downloaded ${url} (${mb(received)})`, true)
  } catch (error) {
    fs.rmSync(tmp, {force: true})
    if (error instanceof AxqError) throw error
    throw new AxqError(`cannot download ${url}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {subject: url, cause: error})
  }
}

function request(url: string, redirects: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      reject(new AxqError(`--url ${url} is not a valid URL`, {subject: '--url'}))
      return
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined
    if (!client) {
      reject(new AxqError(`--url ${url}: only http and https URLs are supported`, {subject: '--url'}))
      return
    }
    const req = client.get(parsed, {timeout: 60_000}, (res) => {
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume()
        if (redirects <= 0) {
          reject(new AxqError(`cannot download ${url}: too many redirects`, {subject: url}))
          return
        }
        resolve(request(new URL(res.headers.location, parsed).toString(), redirects - 1))
        return
      }
      if (status !== 200) {
        res.resume()
        reject(new AxqError(`cannot download ${url}: HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`, {subject: url}))
        return
      }
      resolve(res)
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})))
    req.on('error', reject)
  })
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}
