/**
 * Native AxConv2D kernels: TensorFlow reference vectors (exact table == QuantizedConv2D bit for
 * bit), hand-computed cases (padding through the table), fast == reference on random shapes,
 * tables, ranges, pad modes and thread counts, and bad input → AxqError.
 */
import t from 'tap'
import {axConv, axconvInfo, axconvPreparedFilter, convWindow, type AxConvRequest} from '../../src/native/axconv.js'
import {exactProductTable, multiplicationRange, quint8ZeroPoint} from '../../src/runtime/ops/quantizedConv2D.js'
import {AxqError} from '../../src/errors.js'
import {quantizedConvFixtures} from '../helpers/quantizedConvFixtures.js'
import {firstMismatch, randomFastVsReference, rng, scanRange} from './randomConv.js'

const fixtures = quantizedConvFixtures()

t.test('kernel info', async (t) => {
  const info = axconvInfo()
  t.ok(['avx512', 'avx2', 'generic'].includes(info.fastVariant), `fast variant ${info.fastVariant}`)
  t.ok(info.hardwareThreads >= 1)
})

t.test('zero points and output range follow TF (hand-checked values)', async (t) => {
  t.equal(quint8ZeroPoint(-3, 252), 3)
  t.equal(quint8ZeroPoint(-1, 254), 1)
  t.equal(quint8ZeroPoint(0, 6), 0)
  t.equal(quint8ZeroPoint(0.75, 0.75), 0, 'min == max → lowest (0)')
  t.equal(quint8ZeroPoint(1, 3), -128, 'range above 0: negative zero point')
  t.equal(quint8ZeroPoint(-3, -1), 383, 'range below 0: zero point above 255')
  // round() ties away from zero: min = -0.5 * (max - min)/255 ... a range whose zero point is x.5
  t.equal(quint8ZeroPoint(-1.5, 253.5), 2, '-(-1.5) rounds half away to 2')
  const [lo, hi] = multiplicationRange(0, 255, 0, 255)
  t.equal(lo, -2147483648)
  t.equal(hi, 2147483648)
})

t.test('exact table equals TensorFlow QuantizedConv2D reference vectors bit for bit', async (t) => {
  t.ok(fixtures.length >= 10, `${fixtures.length} cases`)
  for (const c of fixtures) {
    const zi = quint8ZeroPoint(c.minInput, c.maxInput)
    const zf = quint8ZeroPoint(c.minFilter, c.maxFilter)
    const [minOut, maxOut] = multiplicationRange(c.minInput, c.maxInput, c.minFilter, c.maxFilter)
    t.equal(minOut, c.minOutput, `${c.name}: min_output`)
    t.equal(maxOut, c.maxOutput, `${c.name}: max_output`)
    for (const [kernel, threads] of [['reference', 1], ['fast', 1], ['fast', 3]] as const) {
      const r = await axConv({
        input: Uint8Array.from(c.input),
        inputShape: c.inputShape,
        filter: Uint8Array.from(c.filter),
        filterShape: c.filterShape,
        table: exactProductTable(),
        stride: c.stride,
        padding: c.padding,
        zi,
        zf,
        padMode: zi < 0 ? 'zero' : 'table',
        kernel,
        threads,
      })
      t.same(r.shape, c.outputShape, `${c.name}: shape`)
      t.equal(firstMismatch(r.output, c.output), -1, `${c.name}: ${kernel} kernel, ${threads} thread(s), zi=${zi} zf=${zf}`)
    }
  }
})

t.test('hand-computed: out-of-image taps go through the table with x = zi', async (t) => {
  // One input pixel x=5, a 3x3 filter of 2s, SAME: the centre tap is inside, 8 taps are padding.
  // zi = 3, zf = 1. Table: exact except T[3][2] = 100.
  const table = exactProductTable().slice()
  table[3 * 256 + 2] = 100
  const base: AxConvRequest = {
    input: Uint8Array.of(5),
    inputShape: [1, 1, 1, 1],
    filter: new Uint8Array(9).fill(2),
    filterShape: [3, 3, 1, 1],
    table,
    stride: 1,
    padding: 'SAME',
    zi: 3,
    zf: 1,
  }
  // centre: 10 - 5*1 - 2*3 + 3*1 = 2; each pad tap: 100 - 3*1 - 2*3 + 3 = 94
  for (const kernel of ['reference', 'fast'] as const) {
    const viaTable = await axConv({...base, kernel})
    t.same([...viaTable.output], [2 + 8 * 94], `${kernel}: padding through the table`)
    const zero = await axConv({...base, kernel, padMode: 'zero'})
    t.same([...zero.output], [2], `${kernel}: zero padding ignores the table`)
    const exact = await axConv({...base, kernel, table: exactProductTable()})
    t.same([...exact.output], [(5 - 3) * (2 - 1)], `${kernel}: exact table: padding contributes 0`)
  }
  // zi outside 0..255: the pad code is zi mod 256 (TF stores it in a quint8).
  const wrapped = await axConv({...base, zi: 259, table: exactProductTable(), kernel: 'fast'})
  // centre (5-259)(2-1) = -254; pads (3-259)(2-1) = -256 each
  t.same([...wrapped.output], [-254 + 8 * -256])
})

t.test('window geometry: TF rule and tf-approximate VALID rule', async (t) => {
  t.same(convWindow(5, 5, 3, 3, 1, 'SAME'), {Ho: 5, Wo: 5, offTop: 1, offLeft: 1})
  t.same(convWindow(7, 7, 3, 3, 2, 'SAME'), {Ho: 4, Wo: 4, offTop: 1, offLeft: 1})
  t.same(convWindow(8, 8, 3, 3, 2, 'SAME'), {Ho: 4, Wo: 4, offTop: 0, offLeft: 0}, 'extra padding at the bottom/right')
  t.same(convWindow(34, 34, 3, 3, 2, 'VALID'), {Ho: 16, Wo: 16, offTop: 0, offLeft: 0})
  // VALID stride 3, H=10, K=2: Ho=3, numerator 6+2-10=-2 → TF: -1 (trunc), tf-approximate: (-1)/2 → 0
  t.same(convWindow(10, 10, 2, 2, 3, 'VALID'), {Ho: 3, Wo: 3, offTop: -1, offLeft: -1})
  t.same(convWindow(10, 10, 2, 2, 3, 'VALID', 'tf-approximate'), {Ho: 3, Wo: 3, offTop: 0, offLeft: 0})
  t.throws(() => convWindow(2, 2, 3, 3, 1, 'VALID'), AxqError)
})

t.test('fast == reference on random shapes, tables, ranges, pad modes and thread counts', async (t) => {
  t.equal(await randomFastVsReference(t, 12345, 60), 60, 'all random cases agree bit for bit')
})

t.test('larger batch: every thread count gives identical results; prepared data is reused', async (t) => {
  const rand = rng(99)
  const table = new Uint16Array(65536).map(() => Math.floor(rand() * 65536))
  const [N, H, W, C, K] = [7, 9, 9, 16, 32]
  const input = new Uint8Array(N * H * W * C).map(() => Math.floor(rand() * 256))
  const filter = new Uint8Array(9 * C * K).map(() => Math.floor(rand() * 256))
  const req: AxConvRequest = {input, inputShape: [N, H, W, C], filter, filterShape: [3, 3, C, K], table, stride: 1, padding: 'SAME', zi: 17, zf: 131}
  const ref = await axConv({...req, kernel: 'reference'})
  const prepared = axconvPreparedFilter()
  for (const threads of [1, 2, 4, 16]) {
    const r = await axConv({...req, kernel: 'fast', threads, prepared})
    t.equal(firstMismatch(r.output, ref.output), -1, `${threads} thread(s)`)
    if (threads > 1) t.equal(r.prepareSeconds, 0, 'product rows reused, not rebuilt')
  }
  // Concurrent calls on the shared pool.
  const all = await Promise.all([1, 2, 3, 4].map(() => axConv({...req, kernel: 'fast', threads: 2, prepared})))
  for (const r of all) t.equal(firstMismatch(r.output, ref.output), -1, 'concurrent call')
})

t.test('every instruction-set variant this CPU runs: fast == reference, whatever the thread count', async (t) => {
  const info = axconvInfo()
  t.ok(info.fastVariants.includes('generic'), 'the portable variant is always there')
  t.equal(info.fastVariants[0], info.fastVariant, 'the default is the fastest runnable variant')
  for (const isa of info.fastVariants) {
    t.equal(await randomFastVsReference(t, 4000 + isa.length, 25, isa), 25, `${isa}: random cases agree bit for bit`)
  }
})

t.test('speed paths do not change results: uniform, ReLU-like and constant codes, every variant', async (t) => {
  const rand = rng(31)
  const [N, H, W, C, K] = [3, 8, 7, 16, 64]
  const codes: Record<string, Uint8Array> = {
    uniform: new Uint8Array(N * H * W * C).map(() => Math.floor(rand() * 256)),
    relu: new Uint8Array(N * H * W * C).map(() => (rand() < 0.6 ? 0 : Math.floor(rand() * 256))),
    constant: new Uint8Array(N * H * W * C).fill(255),
  }
  const filter = new Uint8Array(9 * C * K).map(() => Math.floor(rand() * 256))
  for (const [label, input] of Object.entries(codes)) {
    const req: AxConvRequest = {input, inputShape: [N, H, W, C], filter, filterShape: [3, 3, C, K], table: exactProductTable(), stride: 1, padding: 'SAME', zi: 0, zf: 128}
    const ref = await axConv({...req, kernel: 'reference'})
    t.equal(ref.path, 'reference')
    for (const isa of axconvInfo().fastVariants) {
      for (const threads of [1, 2]) {
        const fast = await axConv({...req, kernel: 'fast', threads, isa})
        t.equal(fast.isa, isa)
        t.equal(fast.path, 'rows')
        t.equal(firstMismatch(fast.output, ref.output), -1, `${label}: ${isa}, ${threads} thread(s)`)
      }
    }
  }
})

t.test('windows path (few taps, e.g. Cin 1..4): fast == reference on odd shapes, every variant and thread count', async (t) => {
  const rand = rng(2024)
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
  const exact = exactProductTable()
  for (let iter = 0; iter < 48; iter++) {
    const C = 1 + (iter % 4)
    const KH = pick([1, 2, 3, 5])
    const KW = iter % 5 === 0 ? KH : pick([1, 2, 3, 5])
    const stride = pick([1, 2, 3])
    const padding = pick(['SAME', 'VALID'] as const)
    // Tiny images too: 1x1, a single row or column, windows larger than the image (SAME).
    const H = int(padding === 'VALID' ? KH : 1, 9)
    const W = int(padding === 'VALID' ? KW : 1, 9)
    const K = pick([1, 3, 8, 13, 16, 17, 32, 40, 72])
    const N = pick([1, 2, 3])
    const table = iter % 3 === 0 ? exact : new Uint16Array(65536).map(() => Math.floor(rand() * 65536))
    const padMode = pick(['table', 'table', 'zero'] as const)
    const req: AxConvRequest = {
      input: new Uint8Array(N * H * W * C).map(() => (rand() < 0.3 ? 0 : int(0, 255))),
      inputShape: [N, H, W, C],
      filter: new Uint8Array(KH * KW * C * K).map(() => int(0, 255)),
      filterShape: [KH, KW, C, K],
      table, stride, padding, padMode,
      originRule: pick(['tensorflow', 'tf-approximate'] as const),
      zi: pick([0, int(0, 255), int(-300, -1), int(-(2 ** 31), 2 ** 31 - 1)]),
      zf: pick([0, 128, int(0, 255), int(-(2 ** 31), 2 ** 31 - 1)]),
    }
    const ref = await axConv({...req, kernel: 'reference'})
    const label = `N${N} ${H}x${W}x${C} k${KH}x${KW}x${K} s${stride} ${padding} ${req.originRule} zi=${req.zi} zf=${req.zf} ${padMode}`
    for (const isa of axconvInfo().fastVariants) {
      for (const threads of [1, 3]) {
        const fast = await axConv({...req, kernel: 'fast', threads, isa, windowBytes: 2 ** 40})
        if (fast.path !== 'windows') t.fail(`${label}: path ${fast.path}`)
        const m = firstMismatch(fast.output, ref.output)
        if (m !== -1) t.fail(`${label} ${isa} ${threads}t: first mismatch at ${m}: ${fast.output[m]} vs ${ref.output[m]}`)
      }
    }
  }
  t.pass('48 odd shapes agree bit for bit on every variant and thread count')
})

t.test('windows path on wide rows (one output row per task) and many tasks: identical for every thread count', async (t) => {
  const rand = rng(77)
  const [N, H, W, C, K] = [2, 5, 600, 2, 21]
  const req: AxConvRequest = {
    input: new Uint8Array(N * H * W * C).map(() => Math.floor(rand() * 256)), inputShape: [N, H, W, C],
    filter: new Uint8Array(9 * C * K).map(() => Math.floor(rand() * 256)), filterShape: [3, 3, C, K],
    table: new Uint16Array(65536).map(() => Math.floor(rand() * 65536)), stride: 2, padding: 'SAME', zi: 91, zf: 140,
  }
  for (const padMode of ['table', 'zero'] as const) {
    const ref = await axConv({...req, padMode, kernel: 'reference'})
    for (const threads of [1, 2, 5]) {
      const fast = await axConv({...req, padMode, kernel: 'fast', threads})
      t.equal(fast.path, 'windows')
      t.equal(firstMismatch(fast.output, ref.output), -1, `${padMode}, ${threads} thread(s)`)
    }
  }
})

t.test('the first layer of ResNet-8 (32x32x3 -> 16) takes the windows path by default, wider layers the rows path', async (t) => {
  const rand = rng(8)
  const codes = (n: number) => new Uint8Array(n).map(() => Math.floor(rand() * 256))
  for (const [C, K, path] of [[3, 16, 'windows'], [1, 13, 'windows'], [16, 64, 'rows']] as const) {
    const N = 2
    for (const [padMode, zi] of [['table', 124], ['zero', -20]] as const) {
      const req: AxConvRequest = {
        input: codes(N * 32 * 32 * C), inputShape: [N, 32, 32, C], filter: codes(9 * C * K), filterShape: [3, 3, C, K],
        table: exactProductTable(), stride: 1, padding: 'SAME', zi, zf: 128, padMode,
      }
      const ref = await axConv({...req, kernel: 'reference'})
      for (const isa of axconvInfo().fastVariants) {
        for (const threads of [1, 2]) {
          const fast = await axConv({...req, kernel: 'fast', threads, isa})
          t.equal(fast.path, path, `32x32x${C} -> ${K}: ${path}`)
          t.equal(firstMismatch(fast.output, ref.output), -1, `32x32x${C} -> ${K} ${padMode}: ${isa}, ${threads} thread(s)`)
        }
      }
    }
  }
})

t.test('wide layers: rows beyond the budget are built during the call, same results, bounded kept rows', async (t) => {
  // 3x3x256 -> 288 on a 4x3 image: all product rows would be 9·256·288·512 bytes = 324 MiB.
  const rand = rng(5)
  const [N, H, W, C, K] = [2, 4, 3, 256, 288]
  const table = new Uint16Array(65536).map(() => Math.floor(rand() * 65536))
  const req: AxConvRequest = {
    input: new Uint8Array(N * H * W * C).map(() => Math.floor(rand() * 256)),
    inputShape: [N, H, W, C],
    filter: new Uint8Array(9 * C * K).map(() => Math.floor(rand() * 256)),
    filterShape: [3, 3, C, K],
    table, stride: 1, padding: 'SAME', zi: 3, zf: 120,
  }
  const ref = await axConv({...req, kernel: 'reference'})
  const prepared = axconvPreparedFilter()
  for (const threads of [1, 2, 3]) {
    const fast = await axConv({...req, kernel: 'fast', threads, prepared})
    t.equal(firstMismatch(fast.output, ref.output), -1, `${threads} thread(s)`)
    t.equal(fast.path, 'rows-built')
    t.ok(fast.rowBytes > 0 && fast.rowBytes <= 256 * 2 ** 20, `kept rows ${fast.rowBytes} bytes, at most 256 MiB`)
  }
  // The same layer with rows kept for no, some or all k-tiles, built in chunks down to one tap.
  for (const [rowBudget, rowChunk] of [[0, 1], [0, 9 * 256 * 32 * 2 * 100], [9 * 256 * 256 * 32 * 2 * 3, 4096], [undefined, 1]] as const) {
    for (const isa of axconvInfo().fastVariants) {
      const fast = await axConv({...req, kernel: 'fast', threads: 2, isa, rowBudget, rowChunk})
      t.equal(firstMismatch(fast.output, ref.output), -1, `budget ${rowBudget}, chunk ${rowChunk}, ${isa}`)
    }
  }
})

t.test('zero padding (QuantizedConv2D with zi < 0) on rows built per call', async (t) => {
  const rand = rng(17)
  const [N, H, W, C, K] = [2, 5, 4, 24, 40]
  const req: AxConvRequest = {
    input: new Uint8Array(N * H * W * C).map(() => Math.floor(rand() * 256)),
    inputShape: [N, H, W, C],
    filter: new Uint8Array(9 * C * K).map(() => Math.floor(rand() * 256)),
    filterShape: [3, 3, C, K],
    table: new Uint16Array(65536).map(() => Math.floor(rand() * 65536)),
    stride: 2, padding: 'SAME', zi: -37, zf: 131, padMode: 'zero',
  }
  const ref = await axConv({...req, kernel: 'reference'})
  for (const rowBudget of [0, undefined]) {
    for (const threads of [1, 4]) {
      const fast = await axConv({...req, kernel: 'fast', threads, rowBudget, rowChunk: 3000})
      t.equal(firstMismatch(fast.output, ref.output), -1, `budget ${rowBudget}, ${threads} thread(s)`)
    }
  }
})

t.test('a caller-supplied output buffer (recycled, full of old values) gets every element written on every path', async (t) => {
  const rand = rng(11)
  const table = new Uint16Array(65536).map(() => Math.floor(rand() * 65536))
  const codes = (n: number, zeros: number): Uint8Array => new Uint8Array(n).map(() => (rand() < zeros ? 0 : Math.floor(rand() * 256)))
  const small = {inputShape: [3, 7, 6, 5], filterShape: [3, 3, 5, 11]}
  const cases: Array<{label: string; req: AxConvRequest; kernel: 'fast' | 'reference'; path: string}> = []
  for (const [padding, padMode] of [['SAME', 'table'], ['SAME', 'zero'], ['VALID', 'table']] as const) {
    const base: AxConvRequest = {
      input: codes(3 * 7 * 6 * 5, 0), ...small, filter: codes(3 * 3 * 5 * 11, 0),
      table, stride: 2, padding, padMode, zi: 7, zf: 130,
    }
    cases.push({label: `reference ${padding}/${padMode}`, req: base, kernel: 'reference', path: 'reference'})
    cases.push({label: `windows ${padding}/${padMode}`, req: base, kernel: 'fast', path: 'windows'})
    cases.push({label: `rows ${padding}/${padMode}`, req: {...base, windowBytes: 0}, kernel: 'fast', path: 'rows'})
    cases.push({label: `rows-built ${padding}/${padMode}`, req: {...base, rowBudget: 0, rowChunk: 2048}, kernel: 'fast', path: 'rows-built'})
  }
  for (const c of cases) {
    const fresh = await axConv({...c.req, kernel: c.kernel, threads: 2})
    t.equal(fresh.path, c.path, `${c.label}: path`)
    for (const fill of [-1, 0x5a5a5a5a]) {
      const output = new Int32Array(fresh.output.length).fill(fill)
      const reused = await axConv({...c.req, kernel: c.kernel, threads: 2, output})
      t.equal(reused.output, output, `${c.label}: the result is the buffer passed in`)
      t.equal(firstMismatch(reused.output, fresh.output), -1, `${c.label}: same values over old contents ${fill}`)
    }
  }
})

t.test('a caller-supplied output buffer of the wrong size or type is an AxqError', async (t) => {
  const req: AxConvRequest = {
    input: new Uint8Array(2 * 4 * 4 * 2), inputShape: [2, 4, 4, 2],
    filter: new Uint8Array(3 * 3 * 2 * 3), filterShape: [3, 3, 2, 3],
    table: exactProductTable(), stride: 2, padding: 'SAME', zi: 0, zf: 0, where: "node 'c'",
  }
  await t.rejects(axConv({...req, output: new Int32Array(23)}), {name: 'AxqError', message: "node 'c': the output buffer has 23 elements, the output [2,2,2,3] needs 24"})
  await t.rejects(axConv({...req, output: new Int32Array(25)}), {name: 'AxqError', message: /has 25 elements/})
  await t.rejects(axConv({...req, output: new Uint32Array(24) as unknown as Int32Array}), {name: 'AxqError', message: "node 'c': the output buffer must be an Int32Array"})
  t.equal((await axConv({...req, output: new Int32Array(24).fill(9)})).output.length, 24)
})

t.test('bad input gives AxqError, never a crash', async (t) => {
  const ok: AxConvRequest = {
    input: new Uint8Array(1 * 4 * 4 * 2),
    inputShape: [1, 4, 4, 2],
    filter: new Uint8Array(3 * 3 * 2 * 3),
    filterShape: [3, 3, 2, 3],
    table: exactProductTable(),
    stride: 1,
    padding: 'SAME',
    zi: 0,
    zf: 0,
  }
  t.equal((await axConv(ok)).output.length, 48)
  const bad: [string, Partial<AxConvRequest> & Record<string, unknown>, RegExp][] = [
    ['short input', {input: new Uint8Array(31)}, /needs 32 codes, got 31/],
    ['rank 3 input', {inputShape: [4, 4, 2]}, /4-dimensional/],
    ['zero dim', {inputShape: [0, 4, 4, 2], input: new Uint8Array(0)}, /positive sizes/],
    ['fractional dim', {inputShape: [1, 4.5, 4, 2]}, /positive sizes/],
    ['depth mismatch', {filterShape: [3, 3, 3, 2]}, /same depth: 2 vs 3/],
    ['short filter', {filter: new Uint8Array(17)}, /needs 54 codes, got 17/],
    ['short table', {table: new Uint16Array(100)}, /65536/],
    ['float table', {table: new Float32Array(65536) as unknown as Uint16Array}, /65536/],
    ['int input array', {input: new Int32Array(32) as unknown as Uint8Array}, /Uint8Array/],
    ['stride 0', {stride: 0}, /stride/],
    ['bad padding', {padding: 'FULL' as 'SAME'}, /padding/],
    ['filter larger than input (VALID)', {padding: 'VALID', inputShape: [1, 2, 2, 2], input: new Uint8Array(8)}, /leaves no output/],
    ['fractional zero point', {zi: 0.5}, /zi must be an int32/],
    ['zero point beyond int32', {zf: 2 ** 31}, /zf must be an int32/],
    ['bad threads', {threads: 0}, /threads/],
    ['bad kernel', {kernel: 'gpu' as 'fast'}, /kernel/],
    ['unknown instruction set', {isa: 'sse9'}, /instruction set 'sse9' is not available/],
    ['negative row budget', {rowBudget: -1}, /rowBudget/],
    ['zero row chunk', {rowChunk: 0}, /rowChunk/],
    ['negative window bytes', {windowBytes: -1}, /windowBytes/],
  ]
  for (const [label, change, message] of bad) {
    await t.rejects(axConv({...ok, ...change, where: "node 'conv'"} as AxConvRequest), {name: 'AxqError', message}, label)
  }
  await t.rejects(axConv({...ok, where: "node 'conv'", inputShape: [1, 4, 4, 2, 1]}), {message: /^node 'conv': /}, 'errors name the node')
})

t.test('output range reported by every kernel, path and variant: one element, all equal, wrapped extremes', async (t) => {
  const table = exactProductTable()
  const cases: {label: string; req: AxConvRequest; expected?: [number, number]}[] = [
    // 1x1x1 -> 1: out = T[7][9] − 7·zf − 9·zi + zi·zf = 63 − 7·2 − 9·3 + 6 = 28 (hand-computed).
    {label: 'one element', req: {input: Uint8Array.of(7), inputShape: [1, 1, 1, 1], filter: Uint8Array.of(9), filterShape: [1, 1, 1, 1], table, stride: 1, padding: 'VALID', zi: 3, zf: 2}, expected: [28, 28]},
    // Every output the same: constant codes, 1x1 filter of one code per channel, all channels alike.
    {label: 'all equal', req: {input: new Uint8Array(2 * 5 * 5 * 4).fill(200), inputShape: [2, 5, 5, 4], filter: new Uint8Array(4 * 24).fill(17), filterShape: [1, 1, 4, 24], table, stride: 1, padding: 'SAME', zi: 0, zf: 0}, expected: [4 * 200 * 17, 4 * 200 * 17]},
    // Zero points near ±2^31: sums wrap around int32 (both extremes of the range are far apart).
    {label: 'wrapped extremes', req: {input: new Uint8Array(3 * 6 * 6 * 5).map((_, i) => (i * 97) % 256), inputShape: [3, 6, 6, 5], filter: new Uint8Array(9 * 5 * 40).map((_, i) => (i * 31) % 256), filterShape: [3, 3, 5, 40], table, stride: 1, padding: 'SAME', zi: 2 ** 31 - 5, zf: -(2 ** 31) + 3, padMode: 'zero'}},
  ]
  for (const {label, req, expected} of cases) {
    const ref = await axConv({...req, kernel: 'reference'})
    const scan = scanRange(ref.output)
    if (expected) t.same(scan, expected, `${label}: hand-computed`)
    t.same(ref.range, scan, `${label}: reference`)
    for (const isa of axconvInfo().fastVariants) {
      for (const threads of [1, 2, 3]) {
        for (const windowBytes of [0, 2 ** 40]) {
          for (const rowBudget of [undefined, 0]) {
            const fast = await axConv({...req, kernel: 'fast', isa, threads, windowBytes, rowBudget})
            t.same(fast.range, scan, `${label}: ${isa} ${threads}t ${fast.path}`)
          }
        }
      }
    }
  }
})
