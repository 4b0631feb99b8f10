import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'
import {cliPath, hasShared, shared} from '../helpers/paths.js'

const needShared = hasShared ? false : 'needs ../shared'
const graph = shared('models', 'resnet_8_quant_ax.pb')
const data = shared('cifar10', 'test_first1000.bin')
const multDir = shared('axmult')

function axq(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

t.test('axq sensitivity: every (layer, multiplier) cell is that one layer approximate, as infer --layer-mult gives it', {skip: needShared}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-sens-'))
  t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}))
  const plot = path.join(dir, 'heat.svg')
  const r = axq('sensitivity', graph, '--data', data, '--mult-dir', multDir, '--mults', 'mul8u_L40,mul8u_17KS', '--images', '16', '--threads', '2', '--json', '--plot', plot)
  t.equal(r.code, 0, r.stderr)
  const result = JSON.parse(r.stdout)
  t.equal(result.layers.length, 7)
  t.same(result.mults.map((m: {name: string; powerMw: number}) => [m.name, m.powerMw]), [['mul8u_L40', 0.189], ['mul8u_17KS', 0.104]])
  t.equal(result.evaluations, 1 + 7 * 2)
  t.match(fs.readFileSync(plot, 'utf8'), /^<svg/)
  const cell = result.cells[3][0]
  t.equal(cell.layerMult, '3=mul8u_L40')
  // layer 3: 5,326,848 of 21,178,368 MACs/image on L40 (0.189 mW), the rest exact (0.391 mW)
  t.ok(Math.abs(cell.relativePower - (5326848 * 0.189 + (21178368 - 5326848) * 0.391) / (21178368 * 0.391)) < 1e-12)
  const inf = axq('infer', graph, '--data', data, '--batch-size', '16', '--iterations', '1', '--layer-mult', '3=mul8u_L40', '--tune', '--mult-dir', multDir, '--json')
  t.equal(inf.code, 0, inf.stderr)
  const inferred = JSON.parse(inf.stdout)
  t.equal(inferred.accuracy, cell.accuracy)
  t.same(inferred.ci95, cell.ci95)
  const table = axq('sensitivity', graph, '--data', data, '--mult-dir', multDir, '--mults', 'mul8u_L40', '--images', '8', '--threads', '1')
  t.equal(table.code, 0, table.stderr)
  t.match(table.stdout, /layer\s+MACs\/image\s+L40/)
  t.equal(table.stdout.trim().split('\n').length, 1 + 2 + 7 + 1)
})
