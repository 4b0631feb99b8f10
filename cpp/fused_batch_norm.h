// FusedBatchNorm (float32, NHWC viewed as [rows, depth]), TF CPU semantics; see
// src/runtime/ops/fusedBatchNorm.ts for the formulas. Fixed order: each channel's sums run over
// rows 0..rows-1 sequentially in float32, on one thread (threads split channels, never rows),
// so results do not depend on the thread count. The TypeScript implementation is the reference.
#pragma once
#include <cstdint>

namespace axq {

// Batch statistics of x viewed as [rows, depth]: mean[c] = f32(S1_c * inv), variance[c] =
// f32(S2_c * inv) with inv = f32(1 / rows), S1_c = sum of x[r, c], S2_c = sum of f32(d * d),
// d = f32(x[r, c] - mean[c]): sequential float32 sums over r = 0..rows-1.
void BatchNormMoments(const float* x, int64_t rows, int64_t depth, float* mean, float* variance, int threads);

// BatchNormMoments of x[r, c] = table[codes[r·depth + c]] (a Dequantize of 8-bit codes) without
// the float tensor: the same sequential float32 sums over the same values, so the same bits.
// The squared deviations f32(d·d), d = f32(table[v] − mean[c]), are computed once per (v, c).
void BatchNormMomentsCodes(const uint8_t* codes, int64_t rows, int64_t depth, const float* table, float* mean,
                           float* variance, int threads);

// y[r, c] = f32(f32(f32(x[r, c] - mean[c]) * k[c]) + offset[c]); rows split across threads.
// With relu, y = relu(that) (v < 0 ? 0 : v) in the same pass (a Relu that alone reads y).
void BatchNormApply(const float* x, int64_t rows, int64_t depth, const float* mean, const float* k, const float* offset,
                    float* y, int threads, bool relu = false);

}  // namespace axq
