import t from 'tap'
import {evaluateCModel} from '../../src/mults/formats/cModel.js'

t.test('a C model that never returns is stopped with a clear message', async (t) => {
  const source = '#include <stdint.h>\nuint16_t mul8u_LOOP(uint8_t A, uint8_t B) { volatile int x = 1; while (x) {} return A * B; }\n'
  const started = Date.now()
  await t.rejects(evaluateCModel('loop.c', source, 'mul8u_LOOP', process.env, 300), {
    message: 'loop.c: evaluating mul8u_LOOP for all 65,536 pairs did not finish in 0.3 s (an endless loop?)',
    subject: 'loop.c',
  })
  t.ok(Date.now() - started < 20_000, 'stopped, not waited for')
  const ok = await evaluateCModel('exact.c', '#include <stdint.h>\nuint16_t m(uint8_t A, uint8_t B) { return A * B; }\n', 'm', process.env, 20_000)
  t.equal(ok.table[255 * 256 + 255], 65025)
})
