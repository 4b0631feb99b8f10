/**
 * ResNet-8's 8-bit batch-norm chain as graph nodes, for the code-form tests: codes (Placeholder)
 * → Dequantize [lo, hi] → FusedBatchNorm (training, gamma/beta) → Reshape → Min/Max → QuantizeV2
 * ('q'). Also defines the constants readers reuse: 'none', 'flatShape' ([-1]) and 'axis0' ([0]).
 */
import {makeAttr} from '../../../src/graph/attrs.js'
import type {NodeDef} from '../../../src/graph/types.js'
import {constF32, constI32, node} from '../tensors.js'

export const MIN_FIRST = {mode: makeAttr.string('MIN_FIRST'), T: makeAttr.type('quint8')}

export function batchNormChain(lo: number, hi: number, gamma: number[], beta: number[]): NodeDef[] {
  const depth = gamma.length
  return [
    node('codes', 'Placeholder'),
    constF32('lo', [], [lo]),
    constF32('hi', [], [hi]),
    constF32('gamma', [depth], gamma),
    constF32('beta', [depth], beta),
    constF32('none', [0], []),
    constI32('flatShape', [1], [-1]),
    constI32('axis0', [1], [0]),
    node('deq', 'Dequantize', ['codes', 'lo', 'hi'], MIN_FIRST),
    node('bn', 'FusedBatchNorm', ['deq', 'gamma', 'beta', 'none', 'none'], {epsilon: makeAttr.float(0.001)}),
    node('flat', 'Reshape', ['bn', 'flatShape']),
    node('mn', 'Min', ['flat', 'axis0']),
    node('mx', 'Max', ['flat', 'axis0']),
    node('q', 'QuantizeV2', ['bn', 'mn', 'mx'], MIN_FIRST),
  ]
}
