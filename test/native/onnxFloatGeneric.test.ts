// The portable build of the fast ONNX float kernels (no FMA instructions: std::fmaf in software),
// forced with AXQ_SIMD=generic: same results as the reference twin. Each test file runs in its own
// process and the build is chosen at the first call, so setting the variable here is enough.
import t from 'tap'
process.env.AXQ_SIMD = 'generic'
const {onnxFloatFastVsReference} = await import('./onnxFloatCases.js')

t.test('portable fast == reference on random Conv and Gemm cases', async (t) => {
  const {agree, failures} = await onnxFloatFastVsReference(99, 30)
  t.same(failures, [])
  t.equal(agree, 30)
})
