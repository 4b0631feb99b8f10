/**
 * EvoApproxLib-style C models: a C file with a two-argument function (A, B) → product, e.g.
 *   uint16_t mul8u_XYZ(uint8_t A, uint8_t B)   or   uint64_t mul8u_XYZ(const uint64_t A, const uint64_t B)
 * and a header comment with lines like `// MAE% = 0.00095 %` or `// PDK45_PWR = 0.384 mW`. The
 * model is compiled with the system C compiler (`cc`, or $CC) in a temporary folder together with
 * a generated harness that evaluates all 65,536 pairs (A = activation code, B = weight code).
 */
import fs from 'node:fs'
import path from 'node:path'
import {AxqError} from '../../errors.js'
import {readInputFile} from '../../inputFile.js'
import {decodeTable, TABLE_FILE, type ProductTable} from '../table.js'
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
  table: ProductTable
  compiler: string[]
}

/** Compile `file` with a harness calling `fn` and return the table of all 65,536 products. */
/** How long the compiled harness may take for the 65,536 products (a model with an endless loop). */
export const EVALUATE_TIMEOUT_MS = 30_000

export async function evaluateCModel(
  file: string,
  source: string,
  fn: string,
  env: Record<string, string | undefined> = process.env,
  evaluateTimeoutMs = EVALUATE_TIMEOUT_MS,
): Promise<CompiledModel> {
  if (!/^[A-Za-z_]\w*$/.test(fn)) throw new AxqError(`${file}: '${fn}' is not a C identifier`, {subject: file})
  const dir = makePrivateDir('axq-cmodel-')
  try {
    fs.writeFileSync(path.join(dir, 'model.c'), source)
    fs.writeFileSync(path.join(dir, 'harness.c'), harness(fn))
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
    return {table: decodeTable(readInputFile(out, TABLE_FILE), file), compiler: [cc, ...args.map((a) => a.replace(dir + path.sep, ''))]}
  } finally {
    removePrivateDir(dir)
  }
}
