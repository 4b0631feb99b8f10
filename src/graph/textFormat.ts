/**
 * Text-format GraphDefs (`.pbtxt`, what `tf.io.write_graph(..., as_text=True)` writes).
 */
import {AxqError} from '../errors.js'
import type {GraphDef} from './types.js'

/** True when the bytes start (after blanks and # comments) with a GraphDef field name. */
export function looksLikeTextFormat(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1')
  const body = head.replace(/^(\s*#[^\n]*\n)*\s*/, '')
  return /^(node|versions|version|library|debug_info)\s*[:{<]/.test(body)
}

export function parseTextGraph(_text: string, source: string): GraphDef {
  throw new AxqError(`${source}: text-format GraphDefs are not supported yet; convert it to a binary .pb`, {subject: source})
}
