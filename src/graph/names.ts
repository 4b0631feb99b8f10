/**
 * Node input strings: `name`, `name:k` and `^name` (control input), as TensorFlow's
 * transform_utils treats them.
 */
export interface InputRef {
  /** Node name without `^` and `:k`. */
  node: string
  /** Output index (0 when absent). -1 for a control input. */
  port: number
  control: boolean
}

export function parseInput(input: string): InputRef {
  const control = input.startsWith('^')
  const body = control ? input.slice(1) : input
  const colon = body.lastIndexOf(':')
  if (colon > 0 && /^\d+$/.test(body.slice(colon + 1))) {
    return {node: body.slice(0, colon), port: control ? -1 : Number(body.slice(colon + 1)), control}
  }
  return {node: body, port: control ? -1 : 0, control}
}

/** The bare node name of an input string. */
export function nodeNameFromInput(input: string): string {
  return parseInput(input).node
}

export function isControlInput(input: string): boolean {
  return input.startsWith('^')
}

/** `name` → `name:0`; `name:k` unchanged; `^name` → `^name:0` (TensorFlow's CanonicalInputName). */
export function canonicalInputName(input: string): string {
  const parts = input.split(':')
  return parts.length > 1 ? input : `${input}:0`
}

/** The tensor name an input string refers to, `name:k` (control inputs have none). */
export function tensorName(ref: InputRef): string {
  return `${ref.node}:${ref.port}`
}
