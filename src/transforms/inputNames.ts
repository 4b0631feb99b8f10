/**
 * Input strings exactly as graph_transforms/transform_utils.cc splits them
 * (`NodeNamePartsFromInput`: split on ':', first piece minus a leading '^' is the node name,
 * the second piece, if any, is the suffix). Kept separate from src/graph/names.ts because the
 * transforms must reproduce TensorFlow's string handling, quirks included.
 */

export interface InputParts {
  /** '^' for a control input, else ''. */
  prefix: string
  node: string
  /** ':k' or ''. */
  suffix: string
}

export function inputParts(input: string): InputParts {
  const pieces = input.split(':')
  const suffix = pieces.length < 2 ? '' : `:${pieces[1]}`
  const first = pieces[0]
  return first.startsWith('^') ? {prefix: '^', node: first.slice(1), suffix} : {prefix: '', node: first, suffix}
}

/** NodeNameFromInput. */
export function nodeName(input: string): string {
  return inputParts(input).node
}

/** CanonicalInputName: adds ':0' when there is no suffix, for control inputs too. */
export function canonicalInput(input: string): string {
  const p = inputParts(input)
  return p.prefix + p.node + (p.suffix === '' ? ':0' : p.suffix)
}

/** quantize_nodes' UniqueNodeNameFromInput: '^a' → '__hat__a', 'a:1' → 'a__port__1'. */
export function uniqueNodeNameFromInput(input: string): string {
  const p = inputParts(input)
  return (p.prefix === '^' ? '__hat__' : '') + p.node + (p.suffix === '' ? '' : `__port__${p.suffix.slice(1)}`)
}

/** TensorFlow's ParseTensorName: `^a` → (a, -1), `a:3` → (a, 3), `a` → (a, 0). */
export function parseTensorName(input: string): {node: string; index: number} {
  if (input.startsWith('^')) return {node: input.slice(1), index: -1}
  const colon = input.lastIndexOf(':')
  if (colon > 0 && /^\d+$/.test(input.slice(colon + 1))) return {node: input.slice(0, colon), index: Number(input.slice(colon + 1))}
  return {node: input, index: 0}
}
