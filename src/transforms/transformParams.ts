/**
 * The `--transforms` string and per-transform parameters, with TensorFlow's grammar
 * (transform_graph.cc `ParseTransformParameters`) and getters (transform_utils.cc
 * `TransformFuncContext::GetOne*Parameter`).
 *
 *   list      := WS* ( NAME [ "(" params ")" ] WS* )*
 *   params    := ( [","] WS* PNAME "=" VALUE )*
 *   VALUE     := '"' chars up to an unescaped '"' '"'  |  [A-Za-z0-9_./-]+
 *
 * A parameter may repeat; its values accumulate in order (`remove_nodes(op=A, op=B)`).
 */
import {AxqError} from '../errors.js'

export type TransformParams = Map<string, string[]>

export interface TransformSpec {
  name: string
  params: TransformParams
}

const NAME = /^[A-Za-z0-9_]+/
const VALUE = /^[A-Za-z0-9_.\/-]+/
const SPACE = /^[ \t\n\v\f\r]*/

function fail(message: string, rest: string): never {
  const shown = rest.length > 40 ? `${rest.slice(0, 40)}...` : rest
  throw new AxqError(`--transforms: ${message}${rest === '' ? ' but the text ended' : `, but found '${shown}'`}`, {subject: '--transforms'})
}

export function parseTransforms(text: string): TransformSpec[] {
  const result: TransformSpec[] = []
  let rest = text
  let state: 'name' | 'param' | 'value' = 'name'
  let name = ''
  let param = ''
  let params: TransformParams = new Map()
  while (rest.length > 0) {
    if (state === 'name') {
      params = new Map()
      rest = rest.replace(SPACE, '')
      if (rest.length === 0) break
      const m = NAME.exec(rest)
      if (!m) fail('expected a transform name', rest)
      name = m[0]
      rest = rest.slice(name.length)
      if (rest.startsWith('(')) {
        rest = rest.slice(1)
        state = 'param'
      } else {
        result.push({name, params})
      }
    } else if (state === 'param') {
      if (rest.startsWith(')')) {
        rest = rest.slice(1)
        result.push({name, params})
        state = 'name'
        continue
      }
      if (rest.startsWith(',')) rest = rest.slice(1)
      rest = rest.replace(SPACE, '')
      const m = NAME.exec(rest)
      if (!m) {
        const hint = state === 'param' && /^[^\s,)=]/.test(rest) ? ' (values with characters other than letters, digits, - . / _ need double quotes, e.g. device="/cpu:0")' : ''
        fail(`expected a parameter name in ${name}(...)${hint}`, rest)
      }
      param = m[0]
      rest = rest.slice(param.length)
      if (!rest.startsWith('=')) fail(`expected '=' after ${name}(${param}`, rest)
      rest = rest.slice(1)
      state = 'value'
    } else {
      let value: string
      if (rest.startsWith('"')) {
        // ScanEscapedUntil('"'): a backslash skips the next character; escapes are kept verbatim.
        let i = 1
        for (;;) {
          if (i >= rest.length) fail(`unterminated quoted value for ${name}(${param}=`, rest)
          const c = rest[i]
          if (c === '"') break
          if (c === '\\') {
            i++
            if (i >= rest.length) fail(`unterminated quoted value for ${name}(${param}=`, rest)
          }
          i++
        }
        value = rest.slice(1, i)
        rest = rest.slice(i + 1)
      } else {
        const m = VALUE.exec(rest)
        if (!m) fail(`expected a value for ${name}(${param}= (quote values containing other characters)`, rest)
        value = m[0]
        rest = rest.slice(value.length)
      }
      const list = params.get(param) ?? []
      list.push(value)
      params.set(param, list)
      if (rest.startsWith('"')) rest = rest.slice(1)
      if (rest.startsWith("'")) rest = rest.slice(1)
      state = 'param'
    }
  }
  if (state !== 'name') fail(`missing ')' after the parameters of ${name}`, '')
  return result
}

/** What a transform receives besides the graph (TensorFlow's TransformFuncContext). */
export class TransformContext {
  constructor(
    readonly transform: string,
    readonly inputNames: string[],
    readonly outputNames: string[],
    readonly params: TransformParams = new Map(),
  ) {}

  count(name: string): number {
    return this.params.get(name)?.length ?? 0
  }

  has(name: string): boolean {
    return this.params.has(name)
  }

  all(name: string): string[] {
    return this.params.get(name) ?? []
  }

  private error(message: string): AxqError {
    return new AxqError(`${this.transform}: ${message}`, {subject: this.transform})
  }

  string(name: string, fallback: string): string {
    const n = this.count(name)
    if (n === 0) return fallback
    if (n > 1) throw this.error(`expected a single '${name}' parameter, but found ${n} occurrences`)
    return this.params.get(name)![0]
  }

  int32(name: string, fallback: number): number {
    if (this.count(name) === 0) return fallback
    const s = this.string(name, '')
    const v = parseStrictInt(s)
    if (v === undefined || v < -2147483648 || v > 2147483647) throw this.error(`couldn't interpret the ${name} argument as a number: '${s}'`)
    return v
  }

  int64(name: string, fallback: number): number {
    if (this.count(name) === 0) return fallback
    const s = this.string(name, '')
    const v = parseStrictInt(s)
    if (v === undefined) throw this.error(`couldn't interpret the ${name} argument as a number: '${s}'`)
    return v
  }

  float(name: string, fallback: number): number {
    if (this.count(name) === 0) return fallback
    const s = this.string(name, '')
    const v = parseStrictFloat(s)
    if (v === undefined) throw this.error(`couldn't interpret the ${name} argument as a float number: '${s}'`)
    return Math.fround(v)
  }

  bool(name: string, fallback: boolean): boolean {
    if (this.count(name) === 0) return fallback
    const s = this.string(name, '')
    if (s === 'true' || s === '1') return true
    if (s === 'false' || s === '0') return false
    throw this.error(`couldn't interpret the ${name} argument as a boolean: '${s}' (expected true, false, 0 or 1)`)
  }

  /** Reject parameters the transform does not know (TensorFlow silently ignores them). */
  checkKnown(known: readonly string[]): void {
    const accepted = new Set([...known, 'ignore_errors'])
    for (const key of this.params.keys()) {
      if (!accepted.has(key)) {
        const list = [...accepted].sort().join(', ')
        throw this.error(`unknown parameter '${key}' (accepted: ${list})`)
      }
    }
  }
}

/** safe_strto32/64: optional surrounding whitespace, optional sign, decimal digits only. */
function parseStrictInt(s: string): number | undefined {
  const t = s.trim()
  if (!/^[+-]?\d+$/.test(t)) return undefined
  const v = Number(t)
  return Number.isSafeInteger(v) ? v : undefined
}

/** safe_strtof: a complete decimal/scientific number, inf or nan. */
function parseStrictFloat(s: string): number | undefined {
  const t = s.trim()
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity
  if (/^[+-]?nan$/i.test(t)) return NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined
  return Number(t)
}
