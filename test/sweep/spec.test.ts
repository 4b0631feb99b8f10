import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import {AxqError} from '../../src/errors.js'
import {expandMultipliers} from '../../src/sweep/grid.js'
import {parseSweepSpec} from '../../src/sweep/spec.js'
import {encodeTable, exactTable} from '../../src/mults/table.js'

const file = '/experiments/sweep.yaml'

t.test("the issue's example form", async (t) => {
  const spec = parseSweepSpec(
    ['graph: resnet_8_quant_ax.pb', 'data: test_first1000.bin', 'batchSize: 1000', 'iterations: 1', 'multDirs: [axmult]', 'mults: ["mul8u_*"]', 'tune: [true, false]'].join('\n'),
    file,
  )
  t.same(spec.graphs, ['/experiments/resnet_8_quant_ax.pb'], 'relative to the SPEC folder')
  t.same(spec.data, ['/experiments/test_first1000.bin'])
  t.same(spec.multDirs, ['/experiments/axmult'])
  t.same(spec.mults, ['mul8u_*'])
  t.same(spec.tune, [true, false])
  t.equal(spec.batchSize, 1000)
  t.equal(spec.iterations, 1)
  t.same(spec.layerMults, [[]], 'one uniform configuration')
})

t.test('JSON, lists, single values, defaults, layer maps as lists or mappings', async (t) => {
  const spec = parseSweepSpec(
    JSON.stringify({graphs: ['/m/a.pb', '/m/b.pb'], data: '/d/x.bin', mults: 'mul8u_L40', tune: true, layerMults: [[], ['0=mul8u_NGR'], {conv2: 'mul8u_L40'}]}),
    file,
  )
  t.same(spec.graphs, ['/m/a.pb', '/m/b.pb'])
  t.same(spec.mults, ['mul8u_L40'])
  t.same(spec.tune, [true])
  t.equal(spec.batchSize, 1000)
  t.equal(spec.iterations, 1)
  t.same(spec.layerMults, [[], ['0=mul8u_NGR'], ['conv2=mul8u_L40']])
  t.same(parseSweepSpec('graph: g.pb\ndata: d.bin\nlayerMults: [["1=mul8u_L40"]]\n', file).mults, [], 'mults may be left out with layer maps')
})

t.test('bad SPECs: one message naming the file and the field', async (t) => {
  const bad: [string, RegExp][] = [
    ['graph: [a.pb\n', /sweep\.yaml.*not valid YAML or JSON/],
    ['- a\n- b\n', /a mapping of fields/],
    ['data: d.bin\nmults: [m]\n', /field 'graph' is missing/],
    ['graph: g.pb\nmults: [m]\n', /field 'data' is missing/],
    ['graph: g.pb\ndata: d.bin\n', /field 'mults' is missing/],
    ['graph: g.pb\ndata: d.bin\nmults: []\n', /field 'mults' is an empty list/],
    ['graph: g.pb\ndata: d.bin\nmults: [3]\n', /field 'mults' must be a string or a list of strings \(item 1 is 3\)/],
    ['graph: g.pb\ndata: d.bin\nmults: m\nbatchSize: 0\n', /field 'batchSize' must be a positive integer \(got 0\)/],
    ['graph: g.pb\ndata: d.bin\nmults: m\niterations: 1.5\n', /field 'iterations' must be a positive integer/],
    ['graph: g.pb\ndata: d.bin\nmults: m\ntune: yes please\n', /field 'tune' must be true, false/],
    ['graph: g.pb\ndata: d.bin\nmults: m\nmult: x\n', /field 'mult' is unknown \(fields: graph, graphs/],
    ['graph: g.pb\ngraphs: [h.pb]\ndata: d.bin\nmults: m\n', /field 'graphs' and 'graph' are both given/],
    ['graph: g.pb\ndata: d.bin\nlayerMults: [["conv1"]]\n', /field 'layerMults' map 1: 'conv1' is not NODE=MULT/],
    ['graph: g.pb\ndata: d.bin\nmults: m\nmults: n\n', /not valid YAML or JSON/],
  ]
  for (const [text, message] of bad) {
    let error: unknown
    try {
      parseSweepSpec(text, file)
    } catch (e) {
      error = e
    }
    t.ok(error instanceof AxqError && error.exitCode === 1, `${JSON.stringify(text)}: an AxqError`)
    t.match((error as Error).message, message)
    t.notMatch((error as Error).message, /\n/, 'one line')
  }
})

t.test('multiplier patterns: names as given, globs and families over every multiplier axq resolves', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-sweep-mults-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  for (const name of ['mine8u_a', 'mine8u_b', 'other_c']) fs.writeFileSync(path.join(dir, `${name}.bin`), encodeTable(exactTable()))
  t.same(expandMultipliers(['mine8u_*'], [dir], file), ['mine8u_a', 'mine8u_b'])
  t.same(expandMultipliers(['other_c', 'mine8u_?', 'other_c'], [dir], file), ['other_c', 'mine8u_a', 'mine8u_b'], 'SPEC order, each once')
  t.same(expandMultipliers(['family:mine8u'], [dir], file), ['mine8u_a', 'mine8u_b'])
  t.ok(expandMultipliers(['trunc8u_*'], [dir], file).length > 1, 'built-in families too')
  t.same(expandMultipliers(['not_there'], [dir], file), ['not_there'], 'plain names are resolved (and rejected) later')
  t.throws(() => expandMultipliers(['nothing_*'], [dir], file), /sweep\.yaml: field 'mults': 'nothing_\*' matches no multiplier/)
})
