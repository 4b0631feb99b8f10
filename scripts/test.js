#!/usr/bin/env node
// The test command (README, CI): type-check and compile, write the oclif manifest, run the tap suite on the compiled tests,
// then print one closing line `N passed, N failed` (assertions, as tap counts them).
// Extra arguments are passed to tap, e.g. `npm test -- dist/test/graph`.
import {spawnSync, spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import path from 'node:path'
import fs from 'node:fs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)

// Compiled tests of deleted sources must not linger.
fs.rmSync(path.join(root, 'dist', 'test'), {recursive: true, force: true})
const tsc = spawnSync(bin('tsc'), ['-p', 'tsconfig.json'], {cwd: root, stdio: 'inherit'})
if (tsc.status !== 0) {
  console.log('0 passed, 1 failed')
  process.exit(tsc.status ?? 1)
}
// The command manifest (oclif.manifest.json) lets the CLI start without importing every command.
const manifest = spawnSync(bin('oclif'), ['manifest'], {cwd: root, stdio: ['ignore', 'ignore', 'inherit']})
if (manifest.status !== 0) {
  console.log('0 passed, 1 failed')
  process.exit(manifest.status ?? 1)
}

const args = process.argv.slice(2)
const targets = args.length > 0 ? args : testFiles(path.join(root, 'dist', 'test'))
const child = spawn(bin('tap'), ['--disable-coverage', ...targets], {cwd: root, stdio: ['ignore', 'pipe', 'inherit']})
let tail = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  tail = (tail + chunk.toString()).slice(-4000)
})
child.on('close', (code) => {
  // tap's summary: "# { total: 12, pass: 11, fail: 1, skip: 2 }"
  const match = [...tail.matchAll(/#\s*\{([^}]*)\}/g)].pop()
  const counts = {}
  if (match) for (const part of match[1].split(',')) {
    const [k, v] = part.split(':').map((s) => s.trim())
    if (k && v) counts[k] = Number(v)
  }
  const passed = counts.pass ?? 0
  const failed = (counts.fail ?? 0) + (code !== 0 && !counts.fail ? 1 : 0)
  const skipped = (counts.skip ?? 0) + (counts.todo ?? 0)
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''))
  process.exit(code ?? 1)
})

function testFiles(dir) {
  return fs.readdirSync(dir, {recursive: true}).map(String).filter((f) => f.endsWith('.test.js'))
    .sort().map((f) => path.relative(root, path.join(dir, f)))
}
