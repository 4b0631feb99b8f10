/**
 * Random ONNX float Conv/Gemm cases run through the fast native kernel (two thread counts) and
 * its plain reference twin (cpp/onnx_float_reference.cc): they must agree bit for bit. Shapes
 * reach every kind of block of cpp/onnx_float_plan.h (FMA blocks, the M = 1 kernel of depthwise
 * layers, the dot8 kernel of 1×1 output planes, K cut into several blocks).
 */
import {onnxConvFloat, onnxGemmFloat, type OnnxConvFloatGeometry} from '../../src/native/onnxFloatKernels.js'

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    return s / 2 ** 32
  }
}

function same(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false
  return true
}

/** Number of random cases (of `count`) where fast (1 and 3 threads) and reference agree; failures are listed. */
export async function onnxFloatFastVsReference(seed: number, count: number): Promise<{agree: number; failures: string[]}> {
  const r = rng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
  const failures: string[] = []
  let agree = 0
  for (let i = 0; i < count; i++) {
    if (i % 4 === 3) {
      const [M, K, N] = [pick([1, 2, 5, 17]), pick([3, 64, 255, 256, 257, 600]), pick([1, 4, 10, 33])]
      const transB = r() < 0.5
      const a = Float32Array.from({length: M * K}, () => r() * 4 - 2)
      const b = Float32Array.from({length: K * N}, () => r() - 0.5)
      const init = r() < 0.5 ? Float32Array.from({length: M * N}, () => r() - 0.5) : undefined
      const ref = await onnxGemmFloat(a, b, M, N, K, transB, init, {reference: true})
      const ok = same(await onnxGemmFloat(a, b, M, N, K, transB, init, {threads: 1}), ref) && same(await onnxGemmFloat(a, b, M, N, K, transB, init, {threads: 3}), ref)
      if (ok) agree++
      else failures.push(`gemm ${JSON.stringify({M, K, N, transB, init: !!init})}`)
      continue
    }
    const depthwise = r() < 0.3
    const group = depthwise ? pick([2, 3, 8]) : pick([1, 1, 2])
    const C = group * (depthwise ? 1 : pick([1, 3, 16, 45]))
    const M = group * (depthwise ? pick([1, 2]) : pick([1, 2, 5, 7, 20]))
    const k = pick([1, 3, 5])
    const H = pick([1, 2, 5, 9, 16])
    const stride = pick([1, 1, 2])
    const dilation = k > 1 ? pick([1, 2]) : 1
    const pads = k === 1 && r() < 0.6 ? [0, 0, 0, 0] : [0, 0, 0, 0].map(() => pick([0, 1, 2]))
    const eff = (k - 1) * dilation + 1
    const Ho = Math.floor((H + pads[0] + pads[2] - eff) / stride) + 1
    const Wo = Math.floor((H + pads[1] + pads[3] - eff) / stride) + 1
    if (Ho < 1 || Wo < 1) {
      agree++
      continue
    }
    const g: OnnxConvFloatGeometry = {N: pick([1, 2]), C, H, W: H, M, group, KH: k, KW: k, Ho, Wo, strideH: stride, strideW: stride, dilationH: dilation, dilationW: dilation, padTop: pads[0], padLeft: pads[1], padBottom: pads[2], padRight: pads[3]}
    const x = Float32Array.from({length: g.N * C * H * H}, () => r() * 4 - 2)
    const w = Float32Array.from({length: M * (C / group) * k * k}, () => r() - 0.5)
    const bias = r() < 0.7 ? Float32Array.from({length: M}, () => r() - 0.5) : undefined
    const ref = await onnxConvFloat(x, w, bias, g, {reference: true})
    const ok = same(await onnxConvFloat(x, w, bias, g, {threads: 1}), ref) && same(await onnxConvFloat(x, w, bias, g, {threads: 3}), ref)
    if (ok) agree++
    else failures.push(`conv ${JSON.stringify(g)}`)
  }
  return {agree, failures}
}
