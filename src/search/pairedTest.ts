/** McNemar's exact test of a configuration against a reference scored on the same images. */
import {discordant} from '../evaluation/hits.js'
import {mcnemarExact} from '../evaluation/statistics.js'
import {AxqError} from '../errors.js'

export interface Comparison {
  /** Images only the configuration gets right / only the reference gets right. */
  b: number
  c: number
  pValue: number
}

export function compareWithReference(x: {hits: string; images: number}, reference: {hits: string; images: number}): Comparison {
  if (x.images !== reference.images) throw new AxqError(`internal: paired test on ${x.images} and ${reference.images} images`, {exitCode: 70})
  const {b, c} = discordant(x.hits, reference.hits, x.images)
  return {b, c, pValue: mcnemarExact(b, c)}
}
