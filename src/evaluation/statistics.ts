/**
 * Uncertainty of accuracies: the Wilson score interval of a binomial proportion, and McNemar's
 * exact (binomial) test for two classifiers scored on the same images.
 */

/** z for a two-sided 95 % interval (the 0.975 quantile of the standard normal). */
export const Z95 = 1.959963984540054

/** Wilson score interval of `correct` successes out of `n`; [0, 1] when n = 0. */
export function wilsonInterval(correct: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1]
  const p = correct / n
  const z2 = z * z
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = ((z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n)))
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

/**
 * Two-sided exact McNemar test: `b` images only the first classifier gets right, `c` only the
 * second. Under the null hypothesis the b+c discordant images split as Binomial(b+c, 1/2);
 * p = min(1, 2·P(X ≤ min(b, c))). Computed in log space, so b+c may be large.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c
  if (n === 0) return 1
  const k = Math.min(b, c)
  const logHalfN = -n * Math.LN2
  let logC = 0 // log C(n, 0)
  let sum = Math.exp(logC + logHalfN)
  for (let i = 1; i <= k; i++) {
    logC += Math.log(n - i + 1) - Math.log(i)
    sum += Math.exp(logC + logHalfN)
  }
  return Math.min(1, 2 * sum)
}
