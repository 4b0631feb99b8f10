/**
 * The multipliers a search or sensitivity study may use: names, paths or globs (`mul8u_*`) from
 * `--mults`, or by default every multiplier on the search path with a known power whose signedness
 * fits the model's approximable layers (unsigned for AxConv2D and uint8×uint8 ONNX layers, signed
 * for int8×int8 ONNX layers; globs match that signedness only). Every one must have a known power
 * (the power model needs it). Models mixing operand kinds, or with uint8×int8 layers (exact only),
 * cannot be searched.
 */
import {AxqError} from '../errors.js'
import {listMultipliers} from '../mults/catalog.js'
import {globToRegExp} from '../mults/catalogQuery.js'
import {PowerTable} from '../mults/power.js'
import {resolveMultiplier} from '../mults/resolve.js'
import {signednessMismatch} from '../mults/table.js'
import type {LayerMacs} from '../evaluation/job.js'

export interface Candidate {
  name: string
  powerMw: number
}

/** Whether the approximable layers of `model` multiply signed operands; an AxqError for mixed or uint8×int8 models. */
export function searchSignedness(model: string, layers: readonly LayerMacs[]): boolean {
  const mixed = layers.find((l) => l.operands === 'mixed')
  if (mixed) {
    throw new AxqError(
      `${model}: layer '${mixed.name}' multiplies uint8 activations by int8 weights, which runs exact only; quantize with activation_type=QuantType.QUInt8, weight_type=QuantType.QUInt8 (unsigned multipliers) or QInt8/QInt8 (signed ones) to search it`,
      {subject: model},
    )
  }
  const signed = layers.filter((l) => l.operands === 'signed')
  if (signed.length > 0 && signed.length < layers.length) {
    const unsigned = layers.find((l) => l.operands !== 'signed')!
    throw new AxqError(`${model}: layer '${signed[0].name}' multiplies int8 operands but '${unsigned.name}' uint8 ones; a search needs one kind of multiplier for every layer`, {subject: model})
  }
  return signed.length > 0
}

export function chooseCandidates(specs: readonly string[] | undefined, multDirs: readonly string[], powers: PowerTable, subject = '--mults', signed = false): Candidate[] {
  const names: string[] = []
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n)
  }
  // Defaults and globs take the tables of the layers' signedness only
  const catalog = () => listMultipliers({multDirs, onProblem: () => {}}).filter((e) => e.signed === signed)
  if (!specs || specs.length === 0) {
    for (const e of catalog()) if (powers.of(e.name) !== null) add(e.name)
    if (names.length === 0) throw new AxqError(`${subject}: no multiplier on the search path has a known power (give --mult-dir a folder with a power CSV or sidecars)`, {subject})
  } else {
    for (const spec of specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
      if (/[*?[]/.test(spec)) {
        const re = globToRegExp(spec)
        const hits = catalog().filter((e) => re.test(e.name))
        if (hits.length === 0) throw new AxqError(`${subject}: no ${signed ? 'signed' : 'unsigned'} multiplier (as the model's layers need) matches '${spec}'`, {subject})
        for (const e of hits) add(e.name)
      } else {
        const resolved = resolveMultiplier(spec, {multDirs})
        if (resolved.signed !== signed) throw new AxqError(`${subject}: ${signednessMismatch(spec, resolved.signed ? 'signed' : 'unsigned', 'every approximable layer of this model')}`, {subject})
        add(spec)
      }
    }
  }
  return names.map((name) => ({name, powerMw: powers.require(name)}))
}
