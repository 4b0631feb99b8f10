// FusedBatchNorm float32 kernel (see fused_batch_norm.h). Channel sums: a thread owns a block of
// channels and walks every row in order, adding one row's block of channels at a time (the
// compiler vectorises across channels; each channel's sum stays sequential, like Eigen's
// InnerMostDimPreserver packet). Normalisation: rows are split across threads (element-wise).
#include "fused_batch_norm.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "parallel.h"

namespace axq {
namespace {

void ParallelChunks(int64_t items, int threads, const std::function<void(int64_t, int64_t)>& fn) {
  ParallelRanges(items, threads, fn);
}

// Sum over rows of x[r, c] (pass 1) or of (x[r, c] - mean[c])^2 (pass 2), channels [c0, c1).
void ChannelSums(const float* x, const float* mean, float* sums, int64_t rows, int64_t depth, int64_t c0, int64_t c1) {
  const int64_t width = c1 - c0;
  std::vector<float> acc(width, 0.0f);
  float* a = acc.data();
  if (mean == nullptr) {
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * depth + c0;
      for (int64_t k = 0; k < width; ++k) a[k] = a[k] + row[k];
    }
  } else {
    const float* m = mean + c0;
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * depth + c0;
      for (int64_t k = 0; k < width; ++k) {
        const float d = row[k] - m[k];
        a[k] = a[k] + d * d;
      }
    }
  }
  std::copy(acc.begin(), acc.end(), sums + c0);
}

void SumsByChannelBlocks(const float* x, const float* mean, float* sums, int64_t rows, int64_t depth, int threads) {
  // Blocks of 8 channels (one AVX register) where possible.
  const int64_t block = depth >= 8 * threads ? ((depth / threads + 7) / 8) * 8 : std::max<int64_t>(1, (depth + threads - 1) / threads);
  const int64_t blocks = (depth + block - 1) / block;
  ParallelChunks(blocks, threads, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) ChannelSums(x, mean, sums, rows, depth, b * block, std::min(depth, (b + 1) * block));
  });
}

}  // namespace

void BatchNormMoments(const float* x, int64_t rows, int64_t depth, float* mean, float* variance, int threads) {
  if (depth == 0 || rows == 0) return;
  const float inv = 1.0f / static_cast<float>(rows);
  std::vector<float> sums(depth);
  SumsByChannelBlocks(x, nullptr, sums.data(), rows, depth, threads);
  for (int64_t c = 0; c < depth; ++c) mean[c] = sums[c] * inv;
  SumsByChannelBlocks(x, mean, sums.data(), rows, depth, threads);
  for (int64_t c = 0; c < depth; ++c) variance[c] = sums[c] * inv;
}

void BatchNormApply(const float* x, int64_t rows, int64_t depth, const float* mean, const float* k, const float* offset,
                    float* y, int threads) {
  if (depth == 0 || rows == 0) return;
  ParallelChunks(rows, threads, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* row = x + r * depth;
      float* out = y + r * depth;
      for (int64_t c = 0; c < depth; ++c) {
        const float d = row[c] - mean[c];
        const float s = d * k[c];
        out[c] = s + offset[c];
      }
    }
  });
}

}  // namespace axq
