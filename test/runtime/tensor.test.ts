import t from 'tap'
import {makeTensor, numElements, dtypeFromEnum} from '../../src/core/tensor.js'

t.test('numElements of a scalar is 1', async (t) => {
  t.equal(numElements([]), 1)
  t.equal(numElements([2, 3, 0]), 0)
})

t.test('makeTensor checks the value count', async (t) => {
  t.throws(() => makeTensor('float32', [2, 2], new Float32Array(3)), /needs 4 values/)
  t.equal(makeTensor('quint8', [3]).data.constructor, Uint8Array)
})

t.test('ref dtypes map to their base type', async (t) => {
  t.equal(dtypeFromEnum(101), 'float32')
  t.equal(dtypeFromEnum(12), 'quint8')
  t.throws(() => dtypeFromEnum(99), /^tensor: unsupported data type 99$/)
  t.throws(() => dtypeFromEnum(199, 'node x'), /^node x: unsupported data type 199$/, 'a ref of an unsupported type')
})
