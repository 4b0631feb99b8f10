/** The exact 8×8 unsigned multiplier, under its EvoApproxLib name mul8u_1JFF. */
import type {MultiplierFamily} from './family.js'

export const exactFamily: MultiplierFamily = {
  family: 'mul8u_1JFF',
  pattern: 'mul8u_1JFF',
  summary: 'exact product a·w (EvoApproxLib\'s name for the accurate 8-bit array multiplier)',
  reference: 'V. Mrazek et al., "EvoApprox8b: Library of approximate adders and multipliers for circuit design and benchmarking of approximation methods", DATE 2017',
  listed: ['mul8u_1JFF'],
  member(name) {
    return name === 'mul8u_1JFF' ? (a, w) => a * w : undefined
  },
}
