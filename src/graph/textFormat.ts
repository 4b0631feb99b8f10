/**
 * Text-format GraphDefs (`.pbtxt`, what `tf.io.write_graph(..., as_text=True)` writes and
 * TensorFlow's transform_graph also reads): protobuf text format, parsed against axq's schemas.
 * The result is normalised through the wire format, so it is exactly what decoding the binary
 * form of the same graph gives.
 */
import protobuf from 'protobufjs'
import {AxqError} from '../errors.js'
import {MAX_NESTING} from '../limits.js'
import type {GraphDef} from './types.js'
import {decodeMessage, encodeMessage, protoType} from './protos.js'

/** True when the bytes start (after blanks and # comments) with a GraphDef field name. */
export function looksLikeTextFormat(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1')
  const body = head.replace(/^(\s*#[^\n]*\n)*\s*/, '')
  return /^(node|versions|version|library|debug_info)\s*[:{<]/.test(body)
}

/** Parse a text-format GraphDef. Errors name `source` and the line. */
export function parseTextGraph(text: string, source: string): GraphDef {
  const value = parseTextMessage('GraphDef', text, source)
  return decodeMessage<GraphDef>('GraphDef', encodeMessage('GraphDef', value, `${source} (text format)`), source)
}

type Token = {kind: 'ident' | 'number' | 'string' | 'punct'; text: string; bytes?: Uint8Array; line: number}

/** Parse protobuf text format for message `type` into a plain object encodeMessage accepts. */
export function parseTextMessage(type: string, text: string, source: string): Record<string, unknown> {
  const tokens = tokenize(text, source)
  let i = 0
  const fail = (what: string, tok: Token | undefined = tokens[i]): never => {
    throw new AxqError(`${source}:${tok ? tok.line : 'end'}: ${what}`, {subject: source})
  }
  const peek = (): Token | undefined => tokens[i]
  const next = (): Token => tokens[i++] ?? fail('unexpected end of file')
  const accept = (p: string): boolean => {
    const t = tokens[i]
    if (t && t.kind === 'punct' && t.text === p) {
      i++
      return true
    }
    return false
  }
  const expect = (p: string): void => {
    if (!accept(p)) fail(`expected '${p}', found '${peek()?.text ?? 'end of file'}'`)
  }

  const parseMessage = (t: protobuf.Type, close: string | undefined): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (;;) {
      const tok = peek()
      if (!tok) {
        if (close) fail(`missing '${close}'`)
        return out
      }
      if (close && tok.kind === 'punct' && tok.text === close) {
        i++
        return out
      }
      if (tok.kind !== 'ident') fail(`expected a field name, found '${tok.text}'`)
      i++
      const field = t.fields[protobuf.util.camelCase(tok.text)] ?? t.fields[tok.text]
      if (!field) fail(`unknown field '${tok.text}' in ${t.fullName.slice(1)}`, tok)
      parseField(out, field)
      if (!accept(';')) accept(',')
    }
  }

  const parseField = (out: Record<string, unknown>, field: protobuf.Field): void => {
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined
    const name = field.name
    if (field.map) {
      accept(':')
      const entries = accept('[') ? listOf(() => mapEntry(field)) : [mapEntry(field)]
      const m = (out[name] ?? {}) as Record<string, unknown>
      for (const [k, v] of entries) m[k] = v
      out[name] = m
      return
    }
    const one = (): unknown => (sub ? openMessage(sub) : scalar(field))
    if (sub) accept(':')
    else expect(':')
    const values = peek()?.kind === 'punct' && peek()?.text === '[' ? (i++, listOf(one)) : [one()]
    if (field.repeated) out[name] = [...((out[name] as unknown[]) ?? []), ...values]
    else {
      if (values.length !== 1) fail(`field '${name}' is not repeated`)
      if (field.partOf) for (const other of field.partOf.fieldsArray) delete out[other.name]
      out[name] = values[0]
    }
  }

  const listOf = <T>(item: () => T): T[] => {
    const items: T[] = []
    if (accept(']')) return items
    for (;;) {
      items.push(item())
      if (accept(']')) return items
      expect(',')
    }
  }

  // Nesting depth of open messages: the parser recurses, so a deeply nested file must stop with
  // an error long before the stack does (protobuf's own parser stops at 100 too).
  let depth = 0
  const openMessage = (t: protobuf.Type): Record<string, unknown> => {
    const close = accept('{') ? '}' : accept('<') ? '>' : fail(`expected '{' for ${t.name}`)
    if (++depth > MAX_NESTING) fail(`messages nested more than ${MAX_NESTING} deep`)
    const message = parseMessage(t, close)
    depth--
    return message
  }

  const mapEntry = (field: protobuf.Field): [string, unknown] => {
    const map = field as unknown as protobuf.MapField
    const close = accept('{') ? '}' : accept('<') ? '>' : fail("expected '{' for a map entry")
    if (++depth > MAX_NESTING) fail(`messages nested more than ${MAX_NESTING} deep`)
    let key: unknown = ''
    let value: unknown
    for (;;) {
      const tok = next()
      if (tok.kind === 'punct' && tok.text === close) break
      if (tok.text === 'key') {
        expect(':')
        key = scalarOf(map.keyType, undefined)
      } else if (tok.text === 'value') {
        const sub = map.resolvedType instanceof protobuf.Type ? map.resolvedType : undefined
        if (sub) {
          accept(':')
          value = openMessage(sub)
        } else {
          expect(':')
          value = scalarOf(map.type, map.resolvedType as protobuf.Enum | null)
        }
      } else fail(`unexpected '${tok.text}' in a map entry`, tok)
      if (!accept(';')) accept(',')
    }
    if (value === undefined) value = map.resolvedType instanceof protobuf.Type ? {} : undefined
    depth--
    return [String(key), value]
  }

  const scalar = (field: protobuf.Field): unknown => scalarOf(field.type, field.resolvedType as protobuf.Enum | null)

  const scalarOf = (type: string, enumType: protobuf.Enum | protobuf.Type | null | undefined): unknown => {
    const tok = next()
    if (enumType instanceof protobuf.Enum) {
      if (tok.kind === 'ident') {
        const v = enumType.values[tok.text]
        if (v === undefined) fail(`unknown ${enumType.name} value '${tok.text}'`, tok)
        return v
      }
      return integer(tok, false)
    }
    switch (type) {
      case 'string':
      case 'bytes': {
        if (tok.kind !== 'string') fail(`expected a string, found '${tok.text}'`, tok)
        const parts = [tok.bytes!]
        while (peek()?.kind === 'string') parts.push(next().bytes!)
        const all = Buffer.concat(parts)
        return type === 'string' ? all.toString('utf8') : new Uint8Array(all)
      }
      case 'bool':
        if (['true', 't', 'True', '1'].includes(tok.text)) return true
        if (['false', 'f', 'False', '0'].includes(tok.text)) return false
        return fail(`expected true or false, found '${tok.text}'`, tok)
      case 'float':
      case 'double': {
        const t = tok.text.toLowerCase()
        if (tok.kind === 'ident' || tok.kind === 'number') {
          if (/^-?(inf|infinity)f?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity
          if (/^-?nanf?$/.test(t)) return NaN
          const v = Number(t.replace(/f$/, ''))
          if (!Number.isNaN(v)) return v
        }
        return fail(`expected a number, found '${tok.text}'`, tok)
      }
      default:
        return integer(tok, /64$/.test(type))
    }
  }

  const integer = (tok: Token, wide: boolean): unknown => {
    if (tok.kind !== 'number' || !/^-?(0x[0-9a-f]+|\d+)$/i.test(tok.text)) fail(`expected an integer, found '${tok.text}'`, tok)
    const neg = tok.text.startsWith('-')
    const body = neg ? tok.text.slice(1) : tok.text
    const big = (neg ? -1n : 1n) * BigInt(body.startsWith('0') && body.length > 1 && !/^0x/i.test(body) ? '0o' + body.slice(1) : body)
    const n = Number(big)
    if (Number.isSafeInteger(n)) return n
    if (!wide) fail(`integer ${tok.text} is out of range`, tok)
    const Long = protobuf.util.Long as unknown as {fromString(s: string, unsigned?: boolean): unknown}
    return Long.fromString(big.toString(), big > 0n && big >= 1n << 63n)
  }

  return parseMessage(protoType(type), undefined)
}

function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i]
    if (c === '\n') {
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') i++
    else if (c === '#') {
      while (i < n && text[i] !== '\n') i++
    } else if ('{}<>:[],;'.includes(c)) {
      tokens.push({kind: 'punct', text: c, line})
      i++
    } else if (c === '"' || c === "'") {
      const {bytes, end} = readString(text, i, line, source)
      tokens.push({kind: 'string', text: text.slice(i, end), bytes, line})
      i = end
    } else {
      const m = /^(-?[0-9.][0-9A-Za-z_.+-]*|-?[A-Za-z_][A-Za-z0-9_.]*)/.exec(text.slice(i, i + 512))
      if (!m) throw new AxqError(`${source}:${line}: unexpected character '${c}'`, {subject: source})
      const word = m[0]
      tokens.push({kind: /^-?[0-9.]/.test(word) ? 'number' : word.startsWith('-') ? 'number' : 'ident', text: word, line})
      i += word.length
    }
  }
  return tokens
}

function readString(text: string, start: number, line: number, source: string): {bytes: Uint8Array; end: number} {
  const quote = text[start]
  const out: number[] = []
  let i = start + 1
  const fail = (): never => {
    throw new AxqError(`${source}:${line}: unterminated or malformed string`, {subject: source})
  }
  for (;;) {
    if (i >= text.length || text[i] === '\n') fail()
    const c = text[i]
    if (c === quote) return {bytes: Uint8Array.from(out), end: i + 1}
    if (c !== '\\') {
      const code = text.codePointAt(i)!
      for (const b of Buffer.from(String.fromCodePoint(code), 'utf8')) out.push(b)
      i += code > 0xffff ? 2 : 1
      continue
    }
    const e = text[i + 1]
    i += 2
    const simple: Record<string, number> = {n: 10, r: 13, t: 9, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, '?': 63}
    if (e in simple) out.push(simple[e])
    else if (e === 'x' || e === 'X') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i))
      if (!m) fail()
      out.push(parseInt(m![0], 16))
      i += m![0].length
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{0,2}/.exec(text.slice(i))![0]
      out.push(parseInt(e + m, 8) & 0xff)
      i += m.length
    } else fail()
  }
}
