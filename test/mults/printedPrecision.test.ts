import t from 'tap'
import {agreesAtPrintedPrecision, formatBeside, printedUnit} from '../../src/mults/printedPrecision.js'

t.test('a computed value is shown one digit finer than the header value it disagrees with', async (t) => {
  t.equal(formatBeside(1.3431754024567026, '1.0'), '1.34')
  t.equal(formatBeside(12.25, '13'), '12.3')
  t.equal(formatBeside(0.00123451, '0.00095'), '0.001235')
  t.equal(formatBeside(15608397.4, '15608.397e3'), '15608397.4')
  t.equal(printedUnit('15608.397e3'), 1)
  t.notOk(agreesAtPrintedPrecision(1.3431754024567026, '1.0'))
})
