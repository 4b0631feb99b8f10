/**
 * Comparing a computed number with one printed to a given precision (EvoApproxLib's headers and
 * CSV print "0.00095", "6.0", "15608.397e3"): they agree when the computed value is within half a
 * unit of the last printed digit (ties, like 0.625 printed 0.62, agree).
 */
export function printedUnit(text: string): number {
  const [mantissa, exponent] = text.trim().toLowerCase().split('e')
  const decimals = (mantissa.split('.')[1] ?? '').length
  return Number(`1e${Number(exponent ?? 0) - decimals}`)
}

export function agreesAtPrintedPrecision(value: number, printed: string): boolean {
  const unit = printedUnit(printed)
  return Math.abs(value - Number(printed)) <= unit / 2 + unit * 1e-9
}

/**
 * `value` printed one digit finer than `printed` (a header's "1.0" against a computed 1.3431754 →
 * "1.34"), for messages that put the two side by side.
 */
export function formatBeside(value: number, printed: string): string {
  const decimals = Math.max(0, -Math.round(Math.log10(printedUnit(printed)))) + 1
  return value.toFixed(Math.min(decimals, 20))
}
