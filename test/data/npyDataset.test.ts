/** .npy inputs with labels from a second .npy, or none; and what is wrong with bad ones. */
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {openDataSource} from '../../src/data/dataSource.js'
import {encodeNpyFloat32} from '../../src/data/npz.js'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'axq-npy-'))
t.teardown(() => fs.rmSync(tmp, {recursive: true, force: true}))

/** A .npy of another dtype: the float32 encoder's header with the descr swapped (same item size). */
function npy(descr: '<f4' | '<i4', shape: number[], values: number[]): string {
  const data = descr === '<f4' ? new Float32Array(values) : new Float32Array(new Int32Array(values).buffer)
  const bytes = encodeNpyFloat32(shape, data)
  bytes.set(Buffer.from(descr), Buffer.from(bytes).indexOf("'<f4'") + 1)
  const file = path.join(tmp, `${descr.slice(1)}-${shape.join('x')}-${values.length}-${Math.random().toString(36).slice(2)}.npy`)
  fs.writeFileSync(file, bytes)
  return file
}

t.test('inputs and labels in step, batches wrap around', async (t) => {
  const x = npy('<f4', [3, 2], [1, 2, 3, 4, 5, 6])
  const y = npy('<i4', [3], [7, 8, 9])
  const source = openDataSource(x, {labels: y})
  t.equal(source.count, 3)
  t.equal(source.preprocessed, true)
  t.equal(source.labelled, true)
  const b = await source.batch(2, 2)
  t.same(b.images.shape, [2, 2])
  t.same(Array.from(b.images.data as Float32Array), [5, 6, 1, 2])
  t.same(Array.from(b.labels), [9, 7])
  const bare = openDataSource(x)
  t.equal(bare.labelled, false)
})

t.test('bad .npy data: one clear error naming the file', async (t) => {
  const x = npy('<f4', [3, 2], [1, 2, 3, 4, 5, 6])
  const short = npy('<i4', [2], [1, 2])
  t.throws(() => openDataSource(x, {labels: short}), {message: /must hold the same, non-zero number of records/})
  const twoD = npy('<i4', [3, 1], [1, 2, 3])
  t.throws(() => openDataSource(x, {labels: twoD}), {message: `${twoD}: labels must be a 1-D integer array, got int32 [3,1]`})
  const ints = npy('<i4', [3], [1, 2, 3])
  t.throws(() => openDataSource(ints), {message: `${ints}: the inputs must be float32 (the model's preprocessed input), got int32`})
  const floatLabels = npy('<f4', [3], [1, 2, 3])
  t.throws(() => openDataSource(x, {labels: floatLabels}), {message: /labels must be a 1-D integer array, got float32/})
  const junk = path.join(tmp, 'junk.npy')
  fs.writeFileSync(junk, 'not numpy')
  t.throws(() => openDataSource(junk), {message: `${junk}: not a NumPy .npy array (bad magic)`})
  t.throws(() => openDataSource(path.join(tmp, 'missing.npy')), {message: /missing\.npy does not exist/})
})
