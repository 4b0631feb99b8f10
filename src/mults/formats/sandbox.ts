/**
 * Running the C compiler and a compiled C model under resource limits. Importing a C model
 * executes it as the user; this does not make that safe, but it bounds what a broken or hostile
 * model can take: each process runs in its own process group, in a private temporary folder
 * (mode 0700, removed afterwards and on SIGINT/SIGTERM), with stdin closed, and with rlimits on
 * address space (memory), CPU time, the size of any file it writes and core dumps (none), set by
 * util-linux's `prlimit` (on every Debian system), or by `sh -c ulimit` where prlimit is missing.
 * Its stdout and stderr are capped, and a wall-clock timeout kills the whole group.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {trackTemporary, untrackTemporary} from '../../temporaryFiles.js'

export interface SandboxLimits {
  /** Address space of each process (RLIMIT_AS). */
  memoryBytes: number
  /** CPU time (RLIMIT_CPU; SIGXCPU, then SIGKILL). */
  cpuSeconds: number
  /** Largest file the process may write (RLIMIT_FSIZE; SIGXFSZ). */
  fileBytes: number
  /** stdout and stderr kept, each; more kills the process. */
  outputBytes: number
  /** Wall-clock time before the process group is killed. */
  wallMs: number
}

const MIB = 1 << 20

/** Compiling one C file: gcc's cc1 needs a few hundred MB of address space at most. */
export const COMPILE_LIMITS: SandboxLimits = {memoryBytes: 1024 * MIB, cpuSeconds: 60, fileBytes: 64 * MIB, outputBytes: 1 * MIB, wallMs: 120_000}

/** Evaluating 65,536 products: a table of 128 KiB, next to no memory. */
export const EVALUATE_LIMITS: SandboxLimits = {memoryBytes: 256 * MIB, cpuSeconds: 30, fileBytes: 1 * MIB, outputBytes: 1 * MIB, wallMs: 30_000}

/** How a sandboxed process ended when it did not exit with status 0. */
export interface SandboxFailure {
  kind: 'exit' | 'signal' | 'timeout' | 'output' | 'spawn'
  code?: number | null
  signal?: NodeJS.Signals | null
  stderr: string
  /** spawn failures: the errno code (ENOENT: no such program). */
  errno?: string
}

export class SandboxError extends Error {
  constructor(readonly failure: SandboxFailure, readonly limits: SandboxLimits) {
    super(describeFailure(failure, limits))
    this.name = 'SandboxError'
  }
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGSEGV: 'segmentation fault',
  SIGBUS: 'bus error',
  SIGFPE: 'arithmetic error, e.g. a division by zero',
  SIGILL: 'illegal instruction',
  SIGABRT: 'aborted',
  SIGTRAP: 'trap',
}

/** The failure in words, without command lines or temporary paths. */
export function describeFailure(f: SandboxFailure, limits: SandboxLimits): string {
  switch (f.kind) {
    case 'timeout':
      return `did not finish in ${limits.wallMs / 1000} s`
    case 'output':
      return `wrote more than ${limits.outputBytes / MIB} MiB to its output`
    case 'spawn':
      return `could not be started (${f.errno ?? 'unknown error'})`
    case 'signal':
      if (f.signal === 'SIGXCPU') return `used more than its ${limits.cpuSeconds} s of CPU time`
      if (f.signal === 'SIGXFSZ') return `wrote a file larger than ${limits.fileBytes / MIB} MiB`
      return `crashed (${f.signal}${f.signal && SIGNAL_WORDS[f.signal] ? `, ${SIGNAL_WORDS[f.signal]}` : ''})`
    case 'exit':
      return `failed (exit status ${f.code})`
  }
}

/** A private temporary folder (0700), removed by removePrivateDir or when axq is stopped. */
export function makePrivateDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  trackTemporary(dir)
  return dir
}

export function removePrivateDir(dir: string): void {
  fs.rmSync(dir, {recursive: true, force: true})
  untrackTemporary(dir)
}

let prlimitPath: string | null | undefined

function findPrlimit(): string | null {
  if (prlimitPath === undefined) {
    prlimitPath = ['/usr/bin/prlimit', '/bin/prlimit', '/usr/sbin/prlimit'].find((p) => fs.existsSync(p)) ?? null
  }
  return prlimitPath
}

/** The command line that runs `command args` under `limits`. */
export function limitedCommand(command: string, args: string[], limits: SandboxLimits): [string, string[]] {
  const prlimit = findPrlimit()
  if (prlimit) {
    return [prlimit, [`--as=${limits.memoryBytes}`, `--cpu=${limits.cpuSeconds}`, `--fsize=${limits.fileBytes}`, '--core=0', '--', command, ...args]]
  }
  // POSIX sh: -v in KiB, -f in 512-byte blocks, -t in seconds.
  const script = `ulimit -v ${Math.floor(limits.memoryBytes / 1024)} && ulimit -t ${limits.cpuSeconds} && ulimit -f ${Math.floor(limits.fileBytes / 512)} && ulimit -c 0 && exec "$@"`
  return ['/bin/sh', ['-c', script, 'sh', command, ...args]]
}

/** Run `command args` in `cwd` under `limits`; stdout and stderr on success, else a SandboxError. */
export function runLimited(command: string, args: string[], cwd: string, limits: SandboxLimits): Promise<{stdout: string; stderr: string}> {
  const [cmd, argv] = limitedCommand(command, args, limits)
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outBytes = 0
    let errBytes = 0
    let ended: SandboxFailure['kind'] | undefined
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      ended ??= 'timeout'
      killGroup()
    }, limits.wallMs)
    const collect = (chunks: Buffer[], which: 'out' | 'err') => (chunk: Buffer) => {
      const total = (which === 'out' ? (outBytes += chunk.length) : (errBytes += chunk.length))
      if (total > limits.outputBytes) {
        ended ??= 'output'
        killGroup()
        return
      }
      chunks.push(chunk)
    }
    child.stdout.on('data', collect(out, 'out'))
    child.stderr.on('data', collect(err, 'err'))
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(new SandboxError({kind: 'spawn', errno: error.code, stderr: ''}, limits))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // A model that forked leaves nothing behind.
      killGroup()
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (ended) reject(new SandboxError({kind: ended, stderr}, limits))
      else if (signal) reject(new SandboxError({kind: 'signal', signal, stderr}, limits))
      // sh and prlimit report a program they cannot run with 127 (not found) or 126.
      else if (code === 127 || code === 126) reject(new SandboxError({kind: 'spawn', errno: code === 127 ? 'ENOENT' : 'EACCES', stderr}, limits))
      else if (code !== 0) reject(new SandboxError({kind: 'exit', code, stderr}, limits))
      else resolve({stdout, stderr})
    })
  })
}
