/**
 * How the CLI reports errors (src/cli/errors.ts, exit codes in src/cli/exitCodes.ts): one line on
 * stderr starting with "axq: ", no stack trace or help text, exit 1 for user errors, 2 for usage
 * errors (oclif's own: unknown command or flag, missing argument, bad flag value), 70 for bugs.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {Errors} from '@oclif/core'
import {axq} from '../commands/cliRunner.js'
import {reportError} from '../../src/cli/errors.js'
import {EXIT} from '../../src/cli/exitCodes.js'
import {AxqError} from '../../src/errors.js'
import {encodeGraph} from '../../src/graph/graphIO.js'
import {f, graph, n, placeholder} from '../transforms/graphFixtures.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-cli-errors-'))
t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))

/** Runs axq without DEBUG and returns the stderr lines (node's own warnings dropped). */
async function fails(...args: string[]): Promise<{code: number; lines: string[]; stdout: string}> {
  const env = process.env.DEBUG
  delete process.env.DEBUG
  try {
    const r = await axq(...args)
    const lines = r.stderr.split('\n').filter((l) => l.length > 0 && !l.startsWith('(node:'))
    return {code: r.code, lines, stdout: r.stdout}
  } finally {
    if (env !== undefined) process.env.DEBUG = env
  }
}

t.test('oclif usage errors: one line, exit 2', async (t) => {
  const cases: [string[], string][] = [
    [['nosuch'], 'axq: command nosuch not found (axq --help lists the commands)'],
    [['inspect', 'x.pb', '--bogus'], 'axq: unknown flag: --bogus'],
    [['inspect'], 'axq: missing argument: GRAPH (GraphDef (.pb) or ONNX model (.onnx)); see --help'],
    [['diff', 'a.pb'], 'axq: missing argument: B (second GraphDef); see --help'],
    [['diff', 'a.pb', 'b.pb', 'c.pb'], 'axq: Unexpected argument: c.pb'],
    [['infer', 'g.pb', '--batch-size', 'abc'], 'axq: --batch-size: Expected an integer but received: abc'],
    [['infer', 'g.pb', '--threads', '0'], 'axq: --threads: Expected an integer greater than or equal to 1 but received: 0'],
    [['infer', 'g.pb', '--data', 'a', '--data-dir', 'b'], 'axq: --data=a cannot also be provided when using --data-dir'],
    [['infer', 'g.pb', '--rsqrt', 'x'], 'axq: Expected --rsqrt=x to be one of: eigen, exact'],
    [['tune'], 'axq: missing required flag --mult'],
    [['mults', 'plot', 'drum8u_k4'], 'axq: missing required flag --out'],
  ]
  const results = await Promise.all(cases.map(([args]) => fails(...args)))
  for (const [i, [args, line]] of cases.entries()) {
    const r = results[i]
    t.same(r.lines, [line], args.join(' '))
    t.equal(r.code, EXIT.usage, `${args.join(' ')}: exit 2`)
    t.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`)
  }
})

t.test('user errors: one line naming the file or flag, exit 1, nothing written', async (t) => {
  const notAFolder = path.join(dir, 'file')
  fs.writeFileSync(notAFolder, 'x')
  const good = path.join(dir, 'g.pb')
  fs.writeFileSync(good, encodeGraph(graph(placeholder('x', [-1, 2]), f('y', 'Relu', ['x']))))
  const out = path.join(notAFolder, 'out.pb')
  let r = await fails('transform', good, out, '--transforms', 'strip_unused_nodes')
  t.same(r.lines, [`axq: cannot write ${out}: ${notAFolder} is not a folder`])
  t.equal(r.code, EXIT.userError)
  t.same(fs.readdirSync(dir).sort(), ['file', 'g.pb'], 'no temporary file left behind')

  r = await fails('inspect', path.join(dir, 'missing.pb'))
  t.same(r.lines, [`axq: cannot read graph ${path.join(dir, 'missing.pb')}: no such file`])
  t.equal(r.code, EXIT.userError)

  r = await fails('tune', good, '--mult', 'drum8u_k4', '--out', path.join(dir, 't.pb'), '--calibrate', 'nosuch', '--input', 'nope')
  t.same(r.lines, [`axq: --input: ${good} has no placeholder 'nope' (placeholders: x)`])
  t.equal(r.code, EXIT.userError)
  t.notOk(fs.existsSync(path.join(dir, 't.pb')))

  r = await fails('inspect', good, '--input-shape', '1,-5')
  t.same(r.lines, ["axq: --input-shape: '1,-5' is not a shape (comma-separated sizes, -1 for unknown, e.g. 1,32,32,3)"])
  t.equal(r.code, EXIT.userError)
  r = await fails('inspect', '--input-shape', '3,2', good, '--json')
  t.equal(r.code, 0, '--input-shape takes one value: the graph after it is an argument')
  t.same(JSON.parse(r.stdout).inputDetails, [{name: 'x', dtype: 'float32', shape: [3, 2]}])

  r = await fails('tune', good, '--mult', 'drum8u_k4', '--out', path.join(dir, 't.pb'), '--calibrate', 'nosuch', '--calibrate-images', '0')
  t.same(r.lines, ['axq: --calibrate-images: Expected an integer greater than or equal to 1 but received: 0'])
  t.equal(r.code, EXIT.usage)
})

t.test('inspect on a Const without a value: no crash, unknown shapes', async (t) => {
  const file = path.join(dir, 'novalue.pb')
  fs.writeFileSync(file, encodeGraph(graph(placeholder('x', [-1, 4]), n('c', 'Const', [], {dtype: {type: 1}}), n('e', 'Const', [], {dtype: {type: 1}, value: {tensor: {}}}), f('z', 'MatMul', ['x', 'e']))))
  const r = await axq('inspect', file, '--json')
  t.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  t.same(s.layers, [{name: 'z', op: 'MatMul', inputShape: [-1, 4], filterShape: null, outputShape: null, strides: null, padding: null, macsPerImage: null, outputMacsPerImage: null}])
})

t.test('DEBUG adds the stack trace', async (t) => {
  const r = await axq('inspect', path.join(dir, 'missing.pb'))
  t.notMatch(r.stderr, /\n\s+at /, 'no stack without DEBUG')
  process.env.DEBUG = '1'
  try {
    const d = await axq('inspect', path.join(dir, 'missing.pb'))
    t.match(d.stderr, /AxqError: cannot read graph .*\n\s+at /)
    t.match(d.stderr, /\naxq: cannot read graph .*missing\.pb: no such file\n$/, 'the one-line message still ends the output')
    t.equal(d.code, EXIT.userError)
  } finally {
    delete process.env.DEBUG
  }
})

t.test('reportError', async (t) => {
  t.same(reportError(new AxqError('bad file x.pb')), {code: 1, line: 'bad file x.pb'})
  t.same(reportError(new AxqError('graphs differ\n  in node y', {exitCode: 2})), {code: 2, line: 'graphs differ in node y'}, 'multi-line messages are joined')
  t.same(reportError(new TypeError('x is undefined')), {code: EXIT.internal, line: 'internal error: x is undefined (run with DEBUG=1 for the stack trace)'})
  t.same(reportError('thrown string'), {code: EXIT.internal, line: 'internal error: thrown string'})
  t.same(reportError(new Errors.ExitError(3)), {code: 3}, 'this.exit(n): silent, exit n')
  t.same(reportError(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'})), {code: 0}, 'closed stdout pipe: silent')
  t.same(reportError(new Errors.CLIError('Nonexistent flags: --a, --b\nSee more help with --help')), {code: 2, line: 'unknown flags: --a, --b'})
  t.same(reportError(new Errors.CLIError('\u001b[2mThe following error occurred:\n  --x cannot be used with --y\u001b[22m')), {code: 2, line: '--x cannot be used with --y'})
  t.same(reportError(new Errors.CLIError('failed', {exit: 5})), {code: 5, line: 'failed'})
})
