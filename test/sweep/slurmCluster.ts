/**
 * A private single-node Slurm for tests: munged, slurmctld and slurmd from the Debian packages
 * (slurm-wlm, munge), each with its own folder, socket and free ports under a temporary folder, so
 * nothing of the machine's own configuration is used or changed. Needs root (the daemons run as
 * root here). `slurmAvailable()` says whether the programs are installed.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {freePort} from '../queue/redisServer.js'

const PROGRAMS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'sinfo', 'squeue']

export function slurmAvailable(): boolean {
  return process.getuid?.() === 0 && PROGRAMS.every((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status === 0)
}

export interface SlurmCluster {
  /** Environment for sbatch/squeue (SLURM_CONF). */
  env: NodeJS.ProcessEnv
  dir: string
  stop(): void
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export async function startSlurm(): Promise<SlurmCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-slurm-'))
  for (const sub of ['state', 'spool', 'log']) fs.mkdirSync(path.join(dir, sub))
  const p = (name: string) => path.join(dir, name)
  fs.writeFileSync(p('munge.key'), crypto.randomBytes(128), {mode: 0o600})
  const node = os.hostname().split('.')[0]
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()]
  fs.writeFileSync(p('slurm.conf'), [
    'ClusterName=axqtest',
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    `AuthInfo=socket=${p('munge.sock')}`,
    'CredType=cred/munge',
    `StateSaveLocation=${p('state')}`,
    `SlurmdSpoolDir=${p('spool')}`,
    `SlurmctldPidFile=${p('slurmctld.pid')}`,
    `SlurmdPidFile=${p('slurmd.pid')}`,
    `SlurmctldLogFile=${p('log/slurmctld.log')}`,
    `SlurmdLogFile=${p('log/slurmd.log')}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'SchedulerType=sched/builtin',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    'MpiDefault=none',
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} State=UNKNOWN`,
    `PartitionName=axq Nodes=${node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4`,
    '',
  ].join('\n'))
  const env = {...process.env, SLURM_CONF: p('slurm.conf')}
  const pids = () => ['slurmd.pid', 'slurmctld.pid', 'munged.pid'].map((f) => Number(fs.existsSync(p(f)) ? fs.readFileSync(p(f), 'utf8').trim() : NaN)).filter((n) => n > 0)
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  const stop = () => {
    const running = pids()
    for (const pid of running) if (alive(pid)) process.kill(pid, 'SIGTERM')
    // the daemons save their state as they stop: wait for them before removing their folder
    const deadline = Date.now() + 10_000
    while (running.some(alive) && Date.now() < deadline) spawnSync('sleep', ['0.1'])
    fs.rmSync(dir, {recursive: true, force: true, maxRetries: 5})
  }
  try {
    execFileSync('munged', ['--force', `--socket=${p('munge.sock')}`, `--key-file=${p('munge.key')}`, `--log-file=${p('log/munged.log')}`, `--pid-file=${p('munged.pid')}`, `--seed-file=${p('munged.seed')}`], {stdio: 'pipe'})
    execFileSync('slurmctld', ['-i'], {env, stdio: 'pipe'})
    execFileSync('slurmd', [], {env, stdio: 'pipe'})
    for (let i = 0; ; i++) {
      const state = spawnSync('sinfo', ['-h', '-o', '%T'], {env, encoding: 'utf8'}).stdout.trim()
      if (state === 'idle') break
      if (i > 150) throw new Error(`the test Slurm did not come up (sinfo: '${state}'; logs in ${dir}/log)`)
      await sleep(200)
    }
  } catch (error) {
    stop()
    throw error
  }
  return {env, dir, stop}
}

/** Submit a script and wait until none of its jobs is queued or running. */
export async function runBatch(cluster: SlurmCluster, script: string, timeoutMs: number): Promise<string> {
  const out = execFileSync('sbatch', ['--parsable', script], {env: cluster.env, encoding: 'utf8'}).trim()
  const jobId = out.split(';')[0]
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const queued = spawnSync('squeue', ['-h', '-j', jobId, '-o', '%i %T'], {env: cluster.env, encoding: 'utf8'}).stdout.trim()
    if (queued === '') return jobId
    if (Date.now() > deadline) throw new Error(`Slurm job ${jobId} still queued or running after ${timeoutMs / 1000} s: ${queued}`)
    await sleep(500)
  }
}
