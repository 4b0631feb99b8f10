// Every quantized op against TensorFlow's own kernels: each integer code and each float output
// (ranges included) must be bit-identical to the vectors in test/fixtures/quantized (made by
// scripts/fixtures/quantized_ops.py with TF 2.x set up to reproduce 1.14; see that script).
import t from 'tap'
import '../../../src/runtime/ops/index.js'
import {runOp} from '../../helpers/runOp.js'
import {AxqError} from '../../../src/errors.js'
import {decode, firstDifference, loadCases, toAttrs} from './referenceVectors.js'
import {setQuantizedKernelMode, type QuantizedKernelMode} from '../../../src/native/quantizedKernels.js'
import {haveNativeQuantizedKernels as haveNative} from './nativeAvailable.js'

// Both implementations: the TypeScript reference ('ts') and the native kernels forced for every
// size ('native'; skipped when the native library is not built).
setQuantizedKernelMode('auto')
const MODES: QuantizedKernelMode[] = ['ts', 'native']

const OPS = [
  'QuantizeV2',
  'Dequantize',
  'Requantize',
  'RequantizationRange',
  'QuantizedRelu',
  'QuantizedRelu6',
  'QuantizedAdd',
  'QuantizedBiasAdd',
  'QuantizedAvgPool',
  'QuantizedMaxPool',
  'QuantizedMatMul',
  'QuantizedReshape',
  'QuantizedConcat',
]

for (const mode of MODES) for (const op of OPS) {
  t.test(`${op} matches TensorFlow bit for bit (${mode} kernels)`, {skip: mode === 'native' && !haveNative ? 'native library not built' : false}, async (t) => {
    setQuantizedKernelMode(mode)
    t.teardown(() => setQuantizedKernelMode('auto'))
    const cases = loadCases(op)
    t.ok(cases.length > 0, 'has reference cases')
    const failures: string[] = []
    let compared = 0
    for (const c of cases) {
      const inputs = c.inputs.map(decode)
      const attrs = toAttrs(c.attrs)
      if (c.error !== undefined) {
        try {
          await runOp(op, inputs, attrs)
          failures.push(`${c.name}: TF fails (${c.error}) but axq did not`)
        } catch (error) {
          if (!(error instanceof AxqError)) failures.push(`${c.name}: not an AxqError: ${(error as Error).message}`)
        }
        continue
      }
      let outs
      try {
        outs = await runOp(op, inputs, attrs)
      } catch (error) {
        failures.push(`${c.name}: threw ${(error as Error).message}`)
        continue
      }
      const expected = c.outputs!.map(decode)
      if (outs.length !== expected.length) {
        failures.push(`${c.name}: ${outs.length} outputs, TF has ${expected.length}`)
        continue
      }
      expected.forEach((e, k) => {
        const diff = firstDifference(outs[k], e)
        if (diff) failures.push(`${c.name}: output ${k}: ${diff}`)
        compared += e.data.length
      })
    }
    t.same(failures.slice(0, 20), [], `${cases.length} cases, ${compared} output values compared`)
  })
}
