/**
 * EvoApproxLib-style C models: a C file with a two-argument function (A, B) → product, e.g.
 *   uint16_t mul8u_XYZ(uint8_t A, uint8_t B)   or   uint64_t mul8u_XYZ(const uint64_t A, const uint64_t B)
 * and a header comment with lines like `// MAE% = 0.00095 %` or `// PDK45_PWR = 0.384 mW`. The
 * model is compiled with the system C compiler (`cc`, or $CC) in a temporary folder together with
 * a generated harness that evaluates all 65,536 pairs (A = activation code, B = weight code).
 *
 * Signed models (operands −128..127) are evaluated over signed operands: a parameter declared
 * with an unsigned type (EvoApproxLib declares some signed multipliers `uint16_t f(uint8_t,
 * uint8_t)`) gets the operand's two's-complement code, a signed one its value; a result of an
 * unsigned return type is read as the two's-complement bits of the product (its low 16 bits as
 * int16), a signed one as the value. `checkSignedModel` rejects a table that does not behave like
 * a signed multiplier.
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../../errors.js'
import {readInputFile} from '../../inputFile.js'
import {decodeTable, operandOf, TABLE_FILE, tableIndex, type AnyProductTable} from '../table.js'
import {COMPILE_LIMITS, EVALUATE_LIMITS, makePrivateDir, removePrivateDir, runLimited, type SandboxError} from './sandbox.js'

export interface CFunction {
  name: string
  returnType: string
  params: string[]
  /** Declared static (a helper, not the model's entry point). */
  isStatic: boolean
}

/** Comments and string literals blanked out (same length), so that a scan finds only code. */
function codeOnly(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, (m) => m.replace(/[^\n]/g, ' '))
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'main'])

/** Function definitions with exactly two parameters, in file order. */
export function twoArgumentFunctions(source: string): CFunction[] {
  const code = codeOnly(source)
  const re = /([A-Za-z_][\w\s*]*?)\b([A-Za-z_]\w*)\s*\(([^()]*)\)\s*\{/g
  const found: CFunction[] = []
  for (const m of code.matchAll(re)) {
    const name = m[2]
    if (KEYWORDS.has(name)) continue
    const isStatic = /\bstatic\b/.test(m[1])
    const returnType = m[1].replace(/\s+/g, ' ').trim().replace(/^(?:static |inline |extern )+/, '')
    if (returnType === '' || /\b(?:else|return|do)\b/.test(returnType) || /\bvoid\b/.test(returnType)) continue
    const params = m[3].split(',').map((p) => p.replace(/\s+/g, ' ').trim())
    if (params.length !== 2 || params.some((p) => p === '' || p === 'void')) continue
    found.push({name, returnType, params, isStatic})
  }
  return found
}

/** Numbers in the header comment: `MAE% = 0.00095 %` → {'MAE%': '0.00095'}; printed text kept for precision. */
export function headerMetrics(source: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of source.matchAll(/^\s*(?:\/\/|\*)?\s*([A-Z][A-Z0-9_]*%?)\s*=\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?:%|mW|um2|ns)?\s*$/gm)) {
    if (!(m[1] in out)) out[m[1]] = m[2]
  }
  return out
}

/** Header keys → metric and cost fields. */
export const HEADER_METRICS = {
  'MAE%': 'maePct', MAE: 'mae', 'WCE%': 'wcePct', WCE: 'wce', 'WCRE%': 'wcrePct', 'EP%': 'epPct', 'MRE%': 'mrePct', MSE: 'mse',
} as const
export const HEADER_COST = {PDK45_PWR: 'powerMw', PDK45_AREA: 'areaUm2', PDK45_DELAY: 'delayNs'} as const

/** Pick the function to evaluate: --function, else the one named like the file, else the only one. */
export function chooseFunction(functions: CFunction[], file: string, wanted?: string): CFunction {
  if (functions.length === 0) throw new AxqError(`${file}: no function with two arguments (A, B) found; a C model needs e.g. 'uint16_t mul8u_X(uint8_t A, uint8_t B) { ... }'`, {subject: file})
  if (wanted) {
    const f = functions.find((x) => x.name === wanted)
    if (!f) throw new AxqError(`${file}: no two-argument function '${wanted}' (found ${functions.map((x) => x.name).join(', ')})`, {subject: file})
    return f
  }
  const stem = path.basename(file).replace(/\.[^.]*$/, '')
  const named = functions.find((x) => x.name === stem)
  if (named) return named
  if (functions.length === 1) return functions[0]
  const exported = functions.filter((x) => !x.isStatic)
  if (exported.length === 1) return exported[0]
  throw new AxqError(`${file}: several two-argument functions (${functions.map((x) => x.name).join(', ')}); choose one with --function`, {subject: file})
}

/** A C type that holds no negative values (uint8_t, unsigned char, uint64_t, size_t, ...). */
export function isUnsignedCType(type: string): boolean {
  return /\bunsigned\b|\buint\w*_t\b|\bsize_t\b|\bbool\b|\b_Bool\b/.test(type)
}

/** A C type that declares signed 8-bit operands (int8_t, signed char). */
export function isSigned8CType(type: string): boolean {
  return /\bint8_t\b|\bsigned char\b/.test(type) && !/\buint8_t\b/.test(type)
}

/**
 * Whether a C model is a signed multiplier: `explicit` (an import flag) when given; else the
 * EvoApproxLib prefix mul8s_ on the function or import name; else both parameters declared int8_t
 * or signed char.
 */
export function cModelIsSigned(fn: CFunction, name: string, explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit
  if (fn.name.startsWith('mul8s_') || name.startsWith('mul8s_')) return true
  return fn.params.every(isSigned8CType)
}

function signedHarness(fn: CFunction): string {
  const arg = (param: string, v: string) => (isUnsignedCType(param) ? `(${v} & 255)` : v)
  const unsignedResult = isUnsignedCType(fn.returnType)
  return [
    '#include <stdio.h>',
    '#define main axq_model_main',
    '#include "model.c"',
    '#undef main',
    'int main(int argc, char **argv) {',
    '  FILE *out;',
    '  int ca, cw;',
    '  if (argc != 2 || !(out = fopen(argv[1], "wb"))) return 2;',
    '  for (ca = 0; ca < 256; ca++) for (cw = 0; cw < 256; cw++) {',
    '    int a = ca < 128 ? ca : ca - 256, w = cw < 128 ? cw : cw - 256;',
    `    long long p = (long long) ${fn.name}(${arg(fn.params[0], 'a')}, ${arg(fn.params[1], 'w')});`,
    '    unsigned char le[2];',
    unsignedResult
      ? '    if (p < -32768 || p > 65535) { fprintf(stderr, "%s(%d, %d) = %lld is not a 16-bit product\\n", "' + fn.name + '", a, w, p); return 3; }\n    if (p > 32767) p -= 65536;'
      : '    if (p < -32768 || p > 32767) { fprintf(stderr, "%s(%d, %d) = %lld is outside -32768..32767\\n", "' + fn.name + '", a, w, p); return 3; }',
    '    le[0] = (unsigned char) (p & 255); le[1] = (unsigned char) ((p >> 8) & 255);',
    '    if (fwrite(le, 1, 2, out) != 2) return 2;',
    '  }',
    '  return fclose(out) == 0 ? 0 : 2;',
    '}',
    '',
  ].join('\n')
}

/**
 * A signed model must behave like a signed multiplier before it is accepted: every product with
 * a zero operand is exactly 0 (true of every EvoApproxLib multiplier, signed or not), and among the
 * pairs whose exact product has magnitude ≥ 4096 at least 75 % get its sign (the 24 EvoApproxLib
 * signed models: 90.7 % to 100 %; an unsigned model called with two's-complement codes: about
 * 50 %). A failure is an AxqError naming a pair that shows it.
 */
export function checkSignedModel(table: Int16Array, file: string, fn: string): void {
  const at = (a: number, w: number) => table[tableIndex(a, w)]
  for (let v = -128; v < 128; v++) {
    for (const [a, w] of [[v, 0], [0, v]]) {
      if (at(a, w) !== 0) throw new AxqError(`${file}: ${fn} does not behave as a signed 8-bit multiplier: ${fn}(${a}, ${w}) = ${at(a, w)}, not 0 (import an unsigned model with --no-signed)`, {subject: file})
    }
  }
  let large = 0
  let agree = 0
  let example = ''
  for (let i = 0; i < 65536; i++) {
    const a = operandOf(i >> 8, true)
    const w = operandOf(i & 255, true)
    const exact = a * w
    if (Math.abs(exact) < 4096) continue
    large++
    if (Math.sign(table[i]) === Math.sign(exact)) agree++
    else if (!example) example = `${fn}(${a}, ${w}) = ${table[i]}, exact ${exact}`
  }
  if (agree < 0.75 * large) {
    throw new AxqError(`${file}: ${fn} does not behave as a signed 8-bit multiplier: only ${agree} of the ${large} products of magnitude ≥ 4096 have the right sign (e.g. ${example}); import an unsigned model with --no-signed`, {subject: file})
  }
}

function harness(fn: string): string {
  return [
    '#include <stdio.h>',
    '#define main axq_model_main',
    '#include "model.c"',
    '#undef main',
    'int main(int argc, char **argv) {',
    '  FILE *out;',
    '  unsigned a, w;',
    '  if (argc != 2 || !(out = fopen(argv[1], "wb"))) return 2;',
    '  for (a = 0; a < 256; a++) for (w = 0; w < 256; w++) {',
    `    long long p = (long long) ${fn}(a, w);`,
    '    unsigned char le[2];',
    '    if (p < 0 || p > 65535) { fprintf(stderr, "%s(%u, %u) = %lld is outside 0..65535\\n", "' + fn + '", a, w, p); return 3; }',
    '    le[0] = (unsigned char) (p & 255); le[1] = (unsigned char) (p >> 8);',
    '    if (fwrite(le, 1, 2, out) != 2) return 2;',
    '  }',
    '  return fclose(out) == 0 ? 0 : 2;',
    '}',
    '',
  ].join('\n')
}

export interface CompiledModel {
  table: AnyProductTable
  compiler: string[]
}

/** How long the compiled harness may take for the 65,536 products (a model with an endless loop). */
export const EVALUATE_TIMEOUT_MS = 30_000

/**
 * Compile `file` with a harness calling `fn` and return the table of all 65,536 products; with
 * `signed` (a CFunction, so the harness knows the declared types) a signed table, checked by
 * checkSignedModel.
 */
export async function evaluateCModel(
  file: string,
  source: string,
  fn: string,
  env: Record<string, string | undefined> = process.env,
  evaluateTimeoutMs = EVALUATE_TIMEOUT_MS,
  signed?: CFunction,
): Promise<CompiledModel> {
  if (!/^[A-Za-z_]\w*$/.test(fn)) throw new AxqError(`${file}: '${fn}' is not a C identifier`, {subject: file})
  const dir = makePrivateDir('axq-cmodel-')
  try {
    fs.writeFileSync(path.join(dir, 'model.c'), source)
    fs.writeFileSync(path.join(dir, 'harness.c'), signed ? signedHarness(signed) : harness(fn))
    const cc = env.CC && env.CC.trim() !== '' ? env.CC.trim() : 'cc'
    const args = ['-std=gnu99', '-O1', '-w', '-o', path.join(dir, 'harness'), path.join(dir, 'harness.c')]
    const hide = (text: string): string => text.replaceAll(path.join(dir, 'model.c'), path.basename(file)).replaceAll(dir + path.sep, '').trim()
    try {
      await runLimited(cc, args, dir, COMPILE_LIMITS)
    } catch (error) {
      const f = (error as SandboxError).failure
      if (f.kind === 'spawn') throw new AxqError(`${file}: no C compiler '${cc}' found (install one, or set CC)`, {subject: file})
      const lines = f.stderr.split('\n')
      const first = lines.find((l) => /error/i.test(l)) ?? lines.find((l) => l.trim() !== '')
      throw new AxqError(`${file}: does not compile: ${first ? hide(first) : `the compiler ${(error as Error).message}`}`, {subject: file})
    }
    const out = path.join(dir, 'table.bin')
    const limits = {...EVALUATE_LIMITS, wallMs: evaluateTimeoutMs}
    try {
      await runLimited(path.join(dir, 'harness'), [out], dir, limits)
    } catch (error) {
      const f = (error as SandboxError).failure
      if (f.kind === 'timeout') throw new AxqError(`${file}: evaluating ${fn} for all 65,536 pairs did not finish in ${evaluateTimeoutMs / 1000} s (an endless loop?)`, {subject: file})
      const said = f.kind === 'exit' ? f.stderr.split('\n').find((l) => l.trim() !== '') : undefined
      throw new AxqError(`${file}: evaluating ${fn} ${said ? `failed: ${hide(said)}` : (error as Error).message}`, {subject: file})
    }
    const compiler = [cc, ...args.map((a) => a.replace(dir + path.sep, ''))]
    const bytes = readInputFile(out, TABLE_FILE)
    if (!signed) return {table: decodeTable(bytes, file), compiler}
    const table = decodeTable(bytes, file, true)
    checkSignedModel(table, file, fn)
    return {table, compiler}
  } finally {
    removePrivateDir(dir)
  }
}
