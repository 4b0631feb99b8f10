import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import t from 'tap'
import {cliPath, hasShared, shared} from '../helpers/paths.js'

const needShared = {skip: hasShared ? false : 'needs ../shared (the ResNet-8 graph and CIFAR data)'}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-builtin-infer-'))
t.teardown(() => fs.rmSync(home, {recursive: true, force: true}))

function axq(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {encoding: 'utf8', env: {...process.env, DEBUG: '', AXQ_HOME: home, AXQ_MULT_PATH: ''}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const graph = shared('models', 'resnet_8_quant_ax.pb')
const data = shared('cifar10', 'test_first1000.bin')

t.test('infer --mult mul8u_2P7 --tune with no folder: the built-in table, named with its source, same result as the file', needShared, async (t) => {
  const builtin = axq('infer', graph, '--data', data, '--batch-size', '200', '--iterations', '1', '--mult', 'mul8u_2P7', '--tune')
  t.equal(builtin.code, 0, builtin.stderr)
  const lines = builtin.stdout.trim().split('\n')
  t.equal(lines.filter((l) => / = mul8u_2P7 \(tune = True\) \[built-in\]$/.test(l)).length, 7, 'each layer names its multiplier and source')
  const fromFile = axq('infer', graph, '--data', data, '--batch-size', '200', '--iterations', '1', '--mult', 'mul8u_2P7', '--tune', '--mult-dir', shared('axmult'))
  t.equal(fromFile.code, 0, fromFile.stderr)
  t.match(fromFile.stdout, new RegExp(` = mul8u_2P7 \\(tune = True\\) \\[mult-dir ${shared('axmult', 'mul8u_2P7.bin').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\]`))
  const result = (out: string) => out.trim().split('\n').pop()
  t.equal(result(builtin.stdout), result(fromFile.stdout), 'same accuracy line')
  const json = JSON.parse(axq('infer', graph, '--data', data, '--batch-size', '200', '--iterations', '1', '--mult', 'mul8u_2P7', '--json').stdout)
  t.same(json.multipliers.map((m: {name: string; source: string; origin: string; signed: boolean}) => [m.name, m.source, m.origin, m.signed]), [['mul8u_2P7', 'built-in', 'built-in', false]])
  t.ok(json.layers.every((l: {source: string}) => l.source === 'built-in'))
  const sha = (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(shared('axmult', 'mul8u_2P7.bin'))).digest('hex')
  t.equal(json.multipliers[0].sha256, sha, 'the table checksum is the published file\'s')
})

t.test('a signed table on the quint8 AxConv2D: one clear line saying what would fit, exit 1', needShared, async (t) => {
  for (const mult of ['mul8s_1KV9', 'drum8s_k4']) {
    const r = axq('infer', graph, '--data', data, '--batch-size', '10', '--iterations', '1', '--mult', mult)
    t.equal(r.code, 1, `${mult}: exit code`)
    t.equal(r.stdout.trim().split('\n').filter((l) => !/ = /.test(l)).join(''), '', `${mult}: no result`)
    t.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    t.match(r.stderr, new RegExp(`^axq: .*multiplier '${mult}' is a signed table \\(operands −128\\.\\.127\\), but this AxConv2D \\(quint8 inputs and filter\\) multiplies unsigned 8-bit operands; use an unsigned multiplier: mul8u_\\*`))
  }
  const bench = axq('tune', graph, '--mult', 'mul8s_1KV9', '--out', path.join(home, 'x.pb'))
  t.equal(bench.code, 1)
  t.match(bench.stderr, /^axq: multiplier 'mul8s_1KV9' is a signed table .* use an unsigned multiplier/)
  t.notOk(fs.existsSync(path.join(home, 'x.pb')))
})
