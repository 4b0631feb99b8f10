// Float32 element-wise and pooling kernels for the float graph: Relu/Relu6, same-shape (or
// scalar) Add/Sub/Mul/RealDiv, AvgPool/MaxPool over NHWC. The TypeScript ops
// (src/runtime/ops/activations.ts, elementwise.ts, pooling.ts) are their reference twins
// (test/runtime/floatNative.test.ts checks bit equality for several thread counts). Each output
// element depends on its own inputs only, computed in one fixed order, so results never depend on
// the thread count. IEEE float32, no FMA contraction, no fast math.
#pragma once

#include <cstdint>

#include "quantized_kernels.h"  // PoolShape

namespace axq {

// relu(x) = x < 0 ? 0 : x (NaN and −0 pass through); relu6 = min(relu(x), 6) as `6 < y ? 6 : y`.
void ReluF32(const float* x, int64_t n, bool six, float* out, int threads);

enum class BinaryF32Op { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
// out[i] = a[i] ∘ b[bScalar ? 0 : i].
void BinaryF32(BinaryF32Op op, const float* a, const float* b, bool bScalar, int64_t n, float* out, int threads,
               bool relu = false);

// AvgPool: out = (0 + taps in (h, w) order) / count of in-image taps (count 0 gives 0/0 = NaN);
// MaxPool: from −FLT_MAX, `m < v ? v : m` over the in-image taps.
void PoolF32(const PoolShape& s, bool average, const float* x, float* out, int threads);

}  // namespace axq
