// FusedBatchNorm float32 kernel (see fused_batch_norm.h). Channel sums: a thread owns a block of
// channels (at least 16, a cache line's worth) and walks every row in order, adding one row's
// block of channels at a time (AVX2 registers across channels when the CPU has them, else the
// compiler's vectors; each channel's sum stays sequential, like Eigen's InnerMostDimPreserver
// packet). Normalisation: rows are split across threads (element-wise).
#include "fused_batch_norm.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

#include "cpu_features.h"
#include "parallel.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_BN_AVX2 1
#include <immintrin.h>
#else
#define AXQ_BN_AVX2 0
#endif

namespace axq {
namespace {

void ParallelChunks(int64_t items, int threads, const std::function<void(int64_t, int64_t)>& fn) {
  ParallelRanges(items, threads, fn);
}

#if AXQ_BN_AVX2
typedef float F8 __attribute__((vector_size(32)));

// ChannelSums for NV·8 channels with the running sums in registers (lanes = channels; each
// channel's sum stays sequential over rows; mul and add rounded separately: -ffp-contract=off).
template <int NV>
__attribute__((target("avx2"))) void ChannelSumsAvx2(const float* x, const float* mean, float* sums, int64_t rows,
                                                     int64_t depth, int64_t c0) {
  F8 acc[NV], m[NV];
  for (int v = 0; v < NV; ++v) {
    acc[v] = F8{} ;
    if (mean != nullptr) std::memcpy(&m[v], mean + c0 + 8 * v, sizeof(F8));
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * depth + c0;
    for (int v = 0; v < NV; ++v) {
      F8 e;
      std::memcpy(&e, row + 8 * v, sizeof(F8));
      if (mean != nullptr) {
        const F8 d = e - m[v];
        acc[v] = acc[v] + d * d;
      } else {
        acc[v] = acc[v] + e;
      }
    }
  }
  for (int v = 0; v < NV; ++v) std::memcpy(sums + c0 + 8 * v, &acc[v], sizeof(F8));
}
#endif

// Sum over rows of x[r, c] (pass 1) or of (x[r, c] - mean[c])^2 (pass 2), channels [c0, c1).
void ChannelSums(const float* x, const float* mean, float* sums, int64_t rows, int64_t depth, int64_t c0, int64_t c1) {
  const int64_t width = c1 - c0;
#if AXQ_BN_AVX2
  if (CpuHasAvx2() && width % 8 == 0) {
    switch (width / 8) {
      case 1: return ChannelSumsAvx2<1>(x, mean, sums, rows, depth, c0);
      case 2: return ChannelSumsAvx2<2>(x, mean, sums, rows, depth, c0);
      case 3: return ChannelSumsAvx2<3>(x, mean, sums, rows, depth, c0);
      case 4: return ChannelSumsAvx2<4>(x, mean, sums, rows, depth, c0);
      case 8: return ChannelSumsAvx2<8>(x, mean, sums, rows, depth, c0);
      default: break;
    }
  }
#endif
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
  // A thread that owns fewer than 16 channels (64 bytes) still reads every cache line of every
  // row: two threads on 16 channels move twice the memory for no speed-up (memory-bound), so
  // each thread gets at least 16 channels.
  threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, depth / 16)));
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

namespace {

// Channel block [c0, c1) of BatchNormMomentsCodes: sums over rows, for channel c0 + k, of
// t[code] (pass 1, stride 0: the Dequantize table) or t[code·stride + k] (pass 2, stride = width:
// the squared deviations). Sequential float32 sum per channel; vectors only spread the channels over lanes.
void CodeSumsGeneric(const uint8_t* codes, const float* t, int64_t stride, float* sums, int64_t rows, int64_t depth,
                     int64_t c0, int64_t c1) {
  const int64_t width = c1 - c0;
  std::vector<float> acc(width, 0.0f);
  float* a = acc.data();
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* row = codes + r * depth + c0;
    for (int64_t k = 0; k < width; ++k) a[k] = a[k] + t[stride == 0 ? row[k] : row[k] * stride + k];
  }
  std::copy(acc.begin(), acc.end(), sums + c0);
}

#if AXQ_BN_AVX2
// The same sums, 8 channels per AVX2 gather (a gather is only a set of loads: same values).
__attribute__((target("avx2"))) void CodeSumsAvx2(const uint8_t* codes, const float* t, int64_t stride, float* sums,
                                                  int64_t rows, int64_t depth, int64_t c0, int64_t c1) {
  const int64_t width = c1 - c0;
  const int64_t vec = width / 8;
  if (vec == 0 || vec > 8) {
    CodeSumsGeneric(codes, t, stride, sums, rows, depth, c0, c1);
    return;
  }
  __m256 acc[8];
  __m256i lane[8];
  const __m256i vstride = _mm256_set1_epi32(static_cast<int32_t>(stride));
  for (int64_t v = 0; v < vec; ++v) {
    acc[v] = _mm256_setzero_ps();
    // Column offset of each lane (k within the block) when the table is per channel.
    lane[v] = stride != 0 ? _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(8 * v)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
                          : _mm256_setzero_si256();
  }
  std::vector<float> tail(width - vec * 8, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* row = codes + r * depth + c0;
    for (int64_t v = 0; v < vec; ++v) {
      const __m256i code = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + 8 * v)));
      const __m256i idx = _mm256_add_epi32(_mm256_mullo_epi32(code, vstride), lane[v]);
      const __m256i idx1 = stride != 0 ? idx : code;
      acc[v] = _mm256_add_ps(acc[v], _mm256_i32gather_ps(t, idx1, 4));
    }
    for (int64_t k = vec * 8; k < width; ++k) tail[k - vec * 8] = tail[k - vec * 8] + t[stride == 0 ? row[k] : row[k] * stride + k];
  }
  for (int64_t v = 0; v < vec; ++v) _mm256_storeu_ps(sums + c0 + 8 * v, acc[v]);
  std::copy(tail.begin(), tail.end(), sums + c0 + vec * 8);
}
#endif

void CodeSums(const uint8_t* codes, const float* t, int64_t stride, float* sums, int64_t rows, int64_t depth, int64_t c0,
              int64_t c1) {
#if AXQ_BN_AVX2
  if (CpuHasAvx2()) return CodeSumsAvx2(codes, t, stride, sums, rows, depth, c0, c1);
#endif
  CodeSumsGeneric(codes, t, stride, sums, rows, depth, c0, c1);
}

}  // namespace

void BatchNormMomentsCodes(const uint8_t* codes, int64_t rows, int64_t depth, const float* table, float* mean,
                           float* variance, int threads) {
  if (depth == 0 || rows == 0) return;
  threads = ClampThreads(threads);
  const float inv = 1.0f / static_cast<float>(rows);
  std::vector<float> sums(depth);
  // Blocks of up to 64 channels (multiples of 8 where possible), at least one per thread.
  int64_t block = std::max<int64_t>(1, (depth + threads - 1) / threads);
  if (block >= 8) block = block / 8 * 8;
  block = std::min<int64_t>(block, 64);
  const int64_t blocks = (depth + block - 1) / block;
  Parallel(blocks, threads, [&](int64_t b) {
    CodeSums(codes, table, 0, sums.data(), rows, depth, b * block, std::min(depth, (b + 1) * block));
  });
  for (int64_t c = 0; c < depth; ++c) mean[c] = sums[c] * inv;
  Parallel(blocks, threads, [&](int64_t b) {
    const int64_t c0 = b * block, c1 = std::min(depth, (b + 1) * block), width = c1 - c0;
    std::vector<float> sq(256 * width);
    for (int v = 0; v < 256; ++v)
      for (int64_t k = 0; k < width; ++k) {
        const float d = table[v] - mean[c0 + k];
        sq[v * width + k] = d * d;
      }
    CodeSums(codes, sq.data(), width, sums.data(), rows, depth, c0, c1);
  });
  for (int64_t c = 0; c < depth; ++c) variance[c] = sums[c] * inv;
}

template <bool kRelu>
void ApplyRows(const float* x, int64_t r0, int64_t r1, int64_t depth, const float* mean, const float* k,
               const float* offset, float* y) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* row = x + r * depth;
    float* out = y + r * depth;
    for (int64_t c = 0; c < depth; ++c) {
      const float d = row[c] - mean[c];
      const float s = d * k[c];
      const float v = s + offset[c];
      out[c] = kRelu ? (v < 0.0f ? 0.0f : v) : v;
    }
  }
}

void BatchNormApply(const float* x, int64_t rows, int64_t depth, const float* mean, const float* k, const float* offset,
                    float* y, int threads, bool relu) {
  if (depth == 0 || rows == 0) return;
  ParallelChunks(rows, threads, [&](int64_t r0, int64_t r1) {
    if (relu)
      ApplyRows<true>(x, r0, r1, depth, mean, k, offset, y);
    else
      ApplyRows<false>(x, r0, r1, depth, mean, k, offset, y);
  });
}

}  // namespace axq
