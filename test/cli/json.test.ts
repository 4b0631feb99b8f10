/**
 * --json output: exactly one JSON value on stdout (one line), nothing on stderr when stderr is not
 * a TTY (progress is only for terminals).
 */
import t from 'tap'
import {axq} from '../commands/cliRunner.js'

const commands: string[][] = [
  ['version', '--json'],
  ['list-mults', 'drum8u_k*', '--source', 'built-in', '--json'],
  ['tune', '--mult', 'drum8u_k4', '--json'],
  ['transform', '--list-transforms', '--json'],
]

t.test('one JSON value on stdout, a quiet stderr', async (t) => {
  const results = await Promise.all(commands.map((args) => axq(...args)))
  for (const [i, args] of commands.entries()) {
    const r = results[i]
    const what = args.join(' ')
    t.equal(r.code, 0, `${what}: ${r.stderr}`)
    t.equal(r.stderr.split('\n').filter((l) => l.length > 0 && !l.startsWith('(node:')).length, 0, `${what}: nothing on stderr`)
    t.match(r.stdout, /^[[{].*\n$/, `${what}: one line`)
    t.doesNotThrow(() => JSON.parse(r.stdout), `${what}: parses`)
  }
  const [version, mults, tune, transforms] = results.map((r) => JSON.parse(r.stdout))
  t.same(Object.keys(version), ['axq', 'native', 'node'])
  t.match(version.axq, /^\d+\.\d+\.\d+/)
  t.same(mults.map((m: {name: string}) => m.name), ['drum8u_k3', 'drum8u_k4', 'drum8u_k5', 'drum8u_k6'])
  t.equal(tune.mult, 'drum8u_k4')
  t.equal(tune.mapping.length, 256)
  t.ok(transforms.transforms.some((x: {name: string}) => x.name === 'fold_constants'))
})
