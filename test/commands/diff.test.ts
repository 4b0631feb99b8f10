import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {axq, axqLines} from './cliRunner.js'
import {encodeGraph} from '../../src/graph/graphIO.js'
import {f, floatConst, graph, placeholder} from '../transforms/graphFixtures.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-diff-cmd-'))
t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
const write = (name: string, g: ReturnType<typeof graph>) => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, encodeGraph(g))
  return file
}
const a = write('a.pb', graph(placeholder('x'), floatConst('c', [2], [1, 2]), f('y', 'Add', ['x', 'c'])))
const reordered = write('r.pb', graph(floatConst('c', [2], [1, 2]), placeholder('x'), f('y', 'Add', ['x', 'c'])))
const changed = write('c.pb', graph(placeholder('x'), floatConst('c', [2], [1, 3]), f('y', 'Sub', ['x', 'c']), f('z', 'Relu', ['y'])))

t.test('exit status 0 identical, 1 different, 2 error', async (t) => {
  let r = await axq('diff', a, reordered)
  t.equal(r.code, 0, 'order is not compared by default')
  t.match(r.stdout, /identical: 3 nodes/)
  r = await axq('diff', a, reordered, '--order')
  t.equal(r.code, 1)
  t.match(r.stdout, /order: 2 common nodes at different positions; first at #0: x vs c/)
  r = await axq('diff', a, changed)
  t.equal(r.code, 1)
  t.match(r.stdout, /only in B: z/)
  t.match(r.stdout, /y: op Add vs Sub/)
  t.match(r.stdout, /c: attr value: tensor values: 1 of 2 differ \(max \|a-b\| = 1\)/)
  r = await axq('diff', a, path.join(dir, 'missing.pb'))
  t.equal(r.code, 2)
  t.match(axqLines(r.stderr), /cannot read graph .*missing\.pb: no such file/)
})

t.test('--json', async (t) => {
  const r = await axq('diff', a, changed, '--json')
  const d = JSON.parse(r.stdout)
  t.equal(d.identical, false)
  t.same(d.onlyInB, ['z'])
  t.same(d.changed.map((c: {name: string}) => c.name), ['c', 'y'])
})
