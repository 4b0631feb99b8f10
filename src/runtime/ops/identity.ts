/**
 * Identity, StopGradient (forward pass: identity) and NoOp. Identity passes the same tensor
 * object through: ops never modify their inputs, so no copy is needed.
 */
import {registerOp} from '../opRegistry.js'
import {expectInputCount, input} from '../opArgs.js'

for (const name of ['Identity', 'StopGradient', 'Snapshot']) {
  registerOp({
    name,
    // Passes the tensor through: a pending tensor (codeForms.ts) stays pending.
    readsCodeForms: true,
    compute(ctx) {
      expectInputCount(ctx, 1)
      return [input(ctx, 0)]
    },
  })
}

registerOp({
  name: 'NoOp',
  compute() {
    return []
  },
})
