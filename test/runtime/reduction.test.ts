import t from 'tap'
import '../../src/runtime/ops/index.js'
import {runOp} from '../helpers/runOp.js'
import {attrs, f32, i32, i64, randomFloats, values} from './tensors.js'
import {minMaxFloat} from '../../src/native/floatKernels.js'

const F = Math.fround
// 2×3: [[1, 2, 3], [4, 5, 6]]
const m = f32([2, 3], [1, 2, 3, 4, 5, 6])
const reduce = (op: string, x: ReturnType<typeof f32>, axes: number[] | number, keep = false) =>
  runOp(op, [x, typeof axes === 'number' ? i32([], [axes]) : i32([axes.length], axes)], {keep_dims: attrs.bool(keep)})

t.test('Sum/Mean/Min/Max over one axis, negative axes, keep_dims', async (t) => {
  t.same(values((await reduce('Sum', m, 0))[0]), [5, 7, 9])
  t.same(values((await reduce('Sum', m, -1))[0]), [6, 15])
  const [mean] = await reduce('Mean', m, [1], true)
  t.same(mean.shape, [2, 1])
  t.same(values(mean), [2, 5])
  t.same(values((await reduce('Min', m, 0))[0]), [1, 2, 3])
  const [mx] = await reduce('Max', m, [-2], true)
  t.same(mx.shape, [1, 3])
  t.same(values(mx), [4, 5, 6])
})

t.test('all axes, no axes, duplicates, int64 axes', async (t) => {
  const [all] = await reduce('Sum', m, [0, 1])
  t.same(all.shape, [])
  t.same(values(all), [21])
  const [allKeep] = await reduce('Max', m, [1, 0, -1], true)
  t.same(allKeep.shape, [1, 1])
  t.same(values(allKeep), [6])
  const [none] = await reduce('Mean', m, [])
  t.same(none.shape, [2, 3])
  t.same(values(none), [1, 2, 3, 4, 5, 6])
  const [fullMean] = await reduce('Mean', f32([2, 2], [0.1, 0.2, 0.3, 0.5]), [0, 1])
  t.same(values(fullMean), [F(F(F(F(F(0.1) + F(0.2)) + F(0.3)) + F(0.5)) / 4)], 'full reduction: sequential float32 sum, one division')
  t.same(values((await reduce('Min', f32([3], [2, -7, 5]), 0))[0]), [-7])
  const [viaI64] = await runOp('Min', [m, i64([1], [1])])
  t.same(values(viaI64), [1, 4])
})

t.test('Mean over H,W of NHWC: float32 sum in memory order, then one division', async (t) => {
  // per channel 0: 0.1, 0.2, 0.3, 0.4 (H=2, W=2)
  const x = f32([1, 2, 2, 2], [0.1, 10, 0.2, 20, 0.3, 30, 0.4, 40])
  const [y] = await reduce('Mean', x, [1, 2])
  t.same(y.shape, [1, 2])
  const s = F(F(F(F(0.1) + F(0.2)) + F(0.3)) + F(0.4))
  t.same(values(y), [F(s / 4), 25])
  // sequential order is observable: 1e8, 1, 1, −1e8 sums to 0 in float32
  const [z] = await reduce('Sum', f32([4], [1e8, 1, 1, -1e8]), 0)
  t.same(values(z), [0])
})

t.test('integer reductions; min/max edge cases', async (t) => {
  t.same(values((await runOp('Mean', [i32([4], [1, 2, 2, 2]), i32([], [0])]))[0]), [1], 'int mean truncates 7/4')
  t.same(values((await runOp('Sum', [i32([2], [2147483647, 1]), i32([], [0])]))[0]), [-2147483648], 'int32 sum wraps')
  const [e] = await reduce('Max', f32([0, 2], []), 0)
  t.same(values(e), [-3.4028234663852886e38, -3.4028234663852886e38], 'empty Max is the lowest float')
  const [withNaN] = await reduce('Max', f32([3], [1, NaN, 2]), 0)
  t.same(values(withNaN), [2])
  const [negZero] = await reduce('Min', f32([2], [0, -0]), 0)
  t.ok(Object.is(values(negZero)[0], 0), 'Min keeps the first of equal values (0 before −0)')
})

t.test('errors name the node', async (t) => {
  await t.rejects(reduce('Sum', m, 2), /node 'test_Sum' \(Sum\): invalid reduction axis 2 for an input of rank 2/)
  await t.rejects(runOp('Mean', [m, f32([], [0])]), /input 1 \(reduction_indices\) must be int32 or int64, got float/)
})

t.test('ArgMax/ArgMin: first index, output_type, negative dimension', async (t) => {
  const x = f32([2, 4], [1, 7, 7, 0, -1, -5, -1, -5])
  const [a] = await runOp('ArgMax', [x, i32([], [1])])
  t.equal(a.dtype, 'int64', 'default output_type int64')
  t.same(values(a), [1, 0])
  const [b] = await runOp('ArgMin', [x, i32([], [-1])], {output_type: attrs.type('int32')})
  t.equal(b.dtype, 'int32')
  t.same(values(b), [3, 1])
  const [c] = await runOp('ArgMax', [x, i32([], [0])], {output_type: attrs.type('int32')})
  t.same(values(c), [0, 0, 0, 0])
  const [n] = await runOp('ArgMax', [f32([3], [NaN, 2, 3]), i32([], [0])])
  t.same(values(n), [2], 'NaN is skipped')
  await t.rejects(runOp('ArgMax', [f32([0, 2], []), i32([], [0])]), /reduction axis 0 is empty/)
  await t.rejects(runOp('ArgMax', [x, i32([], [2])]), /invalid dimension 2/)
})

t.test('native one-pass min/max == sequential reference, any thread count, zero signs and NaN', async (t) => {
  let seed = 3
  const cases: Float32Array[] = []
  for (const n of [1, 7, 70000, 100003]) cases.push(randomFloats(n, seed++).map((v) => v * 100))
  const zeros = new Float32Array(90000).map((_, i) => (i % 3 === 0 ? -0 : i % 5))
  zeros[0] = 3
  cases.push(zeros) // min is a zero; the first zero in memory order is −0 (index 3)
  const posFirst = new Float32Array(90000).map((_, i) => (i === 5 ? 0 : i % 2 ? -0 : 0.5))
  cases.push(posFirst) // first zero is −0 at index 1
  const negZeroMax = new Float32Array(80000).fill(-1)
  negZeroMax[70000] = -0
  negZeroMax[79999] = 0
  cases.push(negZeroMax) // max is −0 (first zero)
  const withNaN = randomFloats(70000, 9)
  withNaN[0] = NaN
  withNaN[69999] = NaN
  cases.push(withNaN)
  cases.push(new Float32Array(70000).fill(NaN))
  for (const x of cases) {
    const ref = await minMaxFloat(x, {reference: true})
    let lo = 3.4028234663852886e38
    let hi = -3.4028234663852886e38
    for (const v of x) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    t.ok(Object.is(ref[0], lo) && Object.is(ref[1], hi), `reference == JS scan (n=${x.length})`)
    for (const threads of [1, 2, 3, 8]) {
      const got = await minMaxFloat(x, {threads})
      t.ok(Object.is(got[0], ref[0]) && Object.is(got[1], ref[1]), `fast == reference (n=${x.length}, ${threads} threads): [${got}] vs [${ref}]`)
    }
  }
  t.ok(Object.is((await minMaxFloat(cases[4]))[0], -0), 'a zero minimum keeps the sign of the first zero')
  t.ok(Object.is((await minMaxFloat(cases[6]))[1], -0))
  // through the ops (Min and Max share one pass)
  const big = f32([300, 300], Array.from(randomFloats(90000, 77)))
  const [mn] = await reduce('Min', big, [0, 1])
  const [mx] = await reduce('Max', big, [-1, 0])
  const [lo, hi] = await minMaxFloat(big.data as Float32Array, {reference: true})
  t.same([values(mn)[0], values(mx)[0]], [lo, hi])
})

t.test('float Sum/Mean over contiguous axes (the global-average-pool path): memory order, float32 after each add', async (t) => {
  // (1e8 + 1) − 1e8 = 0 in float32, summed in memory order over H, W.
  const [s] = await reduce('Sum', f32([1, 3, 1, 1], [1e8, 1, -1e8]), [1, 2])
  t.same(values(s), [0])
  // Against a plain loop over every element in memory order, for several axis runs.
  const shape = [3, 4, 5, 6]
  const x = randomFloats(3 * 4 * 5 * 6, 7).map((v, i) => v * (i % 7 === 0 ? 1e6 : 1))
  for (const axes of [[1, 2], [2, 3], [0, 1], [1, 2, 3], [1]]) {
    const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d))
    const want = new Float32Array(kept.reduce((a, b) => a * b, 1))
    const count = axes.reduce((a, i) => a * shape[i], 1)
    for (let i = 0; i < x.length; i++) {
      let rest = i
      let o = 0
      for (let d = shape.length - 1, ostride = 1; d >= 0; d--) {
        const idx = rest % shape[d]
        rest = Math.floor(rest / shape[d])
        if (!axes.includes(d)) o += idx * ostride
        ostride *= kept[d]
      }
      want[o] += x[i]
    }
    const [sum] = await reduce('Sum', f32(shape, Array.from(x)), axes)
    t.same(values(sum), Array.from(want), `Sum over [${axes}]`)
    const [mean] = await reduce('Mean', f32(shape, Array.from(x)), axes, true)
    t.same(values(mean), Array.from(want, (v) => F(v / F(count))), `Mean over [${axes}]`)
  }
})

t.test('float Mean over H, W of a large NHWC tensor (native average pool): same bits as the plain loop', async (t) => {
  const shape = [40, 7, 9, 16] // 40320 values: the native kernels' size
  const x = randomFloats(40 * 7 * 9 * 16, 11).map((v, i) => v * (i % 5 === 0 ? 1e5 : 1))
  const sums = new Float32Array(40 * 16)
  for (let b = 0; b < 40; b++)
    for (let p = 0; p < 7 * 9; p++)
      for (let c = 0; c < 16; c++) sums[b * 16 + c] += x[(b * 63 + p) * 16 + c]
  const want = Array.from(sums, (v) => F(v / F(63)))
  const [mean] = await reduce('Mean', f32(shape, Array.from(x)), [1, 2])
  t.same(mean.shape, [40, 16])
  t.same(values(mean), want)
  const [kept] = await reduce('Mean', f32(shape, Array.from(x)), [2, 1], true)
  t.same(kept.shape, [40, 1, 1, 16])
  t.same(values(kept), want)
})
