/**
 * The multipliers a search or sensitivity study may use: names, paths or globs (`mul8u_*`) from
 * `--mults`, or by default every unsigned multiplier on the search path with a known power
 * (globs also match unsigned ones only). Every one must have a known power (the power model needs it).
 */
import {AxqError} from '../errors.js'
import {listMultipliers} from '../mults/catalog.js'
import {globToRegExp} from '../mults/catalogQuery.js'
import {PowerTable} from '../mults/power.js'
import {resolveMultiplier} from '../mults/resolve.js'

export interface Candidate {
  name: string
  powerMw: number
}

export function chooseCandidates(specs: readonly string[] | undefined, multDirs: readonly string[], powers: PowerTable, subject = '--mults'): Candidate[] {
  const names: string[] = []
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n)
  }
  // AxConv2D multiplies unsigned 8-bit codes: defaults and globs take the unsigned tables only
  const catalog = () => listMultipliers({multDirs, onProblem: () => {}}).filter((e) => !e.signed)
  if (!specs || specs.length === 0) {
    for (const e of catalog()) if (powers.of(e.name) !== null) add(e.name)
    if (names.length === 0) throw new AxqError(`${subject}: no multiplier on the search path has a known power (give --mult-dir a folder with a power CSV or sidecars)`, {subject})
  } else {
    for (const spec of specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
      if (/[*?[]/.test(spec)) {
        const re = globToRegExp(spec)
        const hits = catalog().filter((e) => re.test(e.name))
        if (hits.length === 0) throw new AxqError(`${subject}: no multiplier matches '${spec}'`, {subject})
        for (const e of hits) add(e.name)
      } else {
        resolveMultiplier(spec, {multDirs})
        add(spec)
      }
    }
  }
  return names.map((name) => ({name, powerMw: powers.require(name)}))
}
