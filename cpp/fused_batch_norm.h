// FusedBatchNorm (float32, NHWC viewed as [rows, depth]), TF CPU semantics; see
// src/runtime/ops/fusedBatchNorm.ts for the formulas. Fixed order: each channel's sums run over
// rows 0..rows-1 sequentially in float32, on one thread (threads split channels, never rows),
// so results do not depend on the thread count. The TypeScript implementation is the reference.
#pragma once
#include <cstdint>

namespace axq {

// Training: computes the batch mean and biased variance (written to mean/variance) and y.
// Inference: reads mean/variance and computes y.
void FusedBatchNormFloat(const float* x, const float* scale, const float* offset, float* mean, float* variance,
                         float* y, int64_t rows, int64_t depth, float epsilon, bool training, int threads);

}  // namespace axq
