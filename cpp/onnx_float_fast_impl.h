// The fast ONNX float Conv and Gemm (see onnx_float_kernels.h), included once per instruction set
// by onnx_float_fast.cc and onnx_float_fast_fma.cc inside their own namespace; AXQ_ONNX_FLOAT_SUFFIX
// names the functions. The loops run over many output columns at once so that the compiler can
// vectorize them; every value is still std::fmaf or a single float operation, in the plan's order.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "onnx_float_kernels.h"
#include "onnx_float_plan.h"
#include "parallel.h"

namespace axq {
namespace onnxfloat {
namespace {

// y[0, n) combined with the blocks of row `a` (depth offsets k) against rows col[k] (stride ldb).
// `has`: whether y already holds a value (Gemm bias) before the first block.
inline void RowByPlan(const std::vector<KBlock>& blocks, const float* a, const float* col, int64_t ldb, int64_t n, bool has, float* y,
                      float* acc, int rowShape) {
  for (const KBlock& blk : blocks) {
    if (blk.kind == KKind::kDot8) {  // one output column (a 1x1 plane): the scalar definition
      for (int64_t j = 0; j < n; ++j) {
        const float t = Dot8Sum(blk.begin, blk.end, [&](int64_t k) { return a[k]; }, [&](int64_t k) { return col[k * ldb + j]; }, rowShape);
        y[j] = has ? t + y[j] : t + 0.0f;
      }
      has = true;
      continue;
    }
    if (blk.kind == KKind::kFma) {
      std::fill(acc, acc + n, 0.0f);
      for (int64_t k = blk.begin; k < blk.end; ++k) {
        const float av = a[k];
        const float* b = col + k * ldb;
        for (int64_t j = 0; j < n; ++j) acc[j] = std::fmaf(av, b[j], acc[j]);
      }
      if (has)
        for (int64_t j = 0; j < n; ++j) y[j] = acc[j] + y[j];
      else
        std::memcpy(y, acc, sizeof(float) * n);
      has = true;
      continue;
    }
    int64_t k = blk.begin;
    while (k < blk.end) {
      const int64_t g = blk.end - k >= 4 ? 4 : (blk.end - k >= 2 ? 2 : 1);
      const float* b0 = col + k * ldb;
      const float a0 = a[k];
      if (g == 4) {
        const float a1 = a[k + 1], a2 = a[k + 2], a3 = a[k + 3];
        const float *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
        for (int64_t j = 0; j < n; ++j) {
          const float p0 = a0 * b0[j], p1 = a1 * b1[j], p2 = a2 * b2[j], p3 = a3 * b3[j];
          acc[j] = ((p0 + p1) + p2) + p3;
        }
      } else if (g == 2) {
        const float a1 = a[k + 1];
        const float* b1 = b0 + ldb;
        for (int64_t j = 0; j < n; ++j) {
          const float p0 = a0 * b0[j], p1 = a1 * b1[j];
          acc[j] = p0 + p1;
        }
      } else {
        for (int64_t j = 0; j < n; ++j) acc[j] = a0 * b0[j];
      }
      const float base = 0.0f;
      if (has)
        for (int64_t j = 0; j < n; ++j) y[j] = acc[j] + y[j];
      else
        for (int64_t j = 0; j < n; ++j) y[j] = acc[j] + base;
      has = true;
      k += g;
    }
  }
}

// Columns [n0, n0 + count) of the im2col matrix of one image and group: rows k = (c, kh, kw).
void Im2Col(const OnnxConvFloatShape& s, const float* xg, int64_t K, int64_t n0, int64_t count, float* col) {
  const int64_t taps = s.kh * s.kw;
  for (int64_t k = 0; k < K; ++k) {
    const int64_t c = k / taps, r = k % taps, dy = (r / s.kw) * s.dh - s.padTop, dx = (r % s.kw) * s.dw - s.padLeft;
    const float* plane = xg + c * s.h * s.w;
    float* row = col + k * count;
    for (int64_t j = 0; j < count; ++j) {
      const int64_t n = n0 + j, iy = (n / s.ow) * s.sh + dy, ix = (n % s.ow) * s.sw + dx;
      row[j] = (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) ? 0.0f : plane[iy * s.w + ix];
    }
  }
}

}  // namespace

void AXQ_ONNX_FLOAT_NAME(ConvFast)(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y, int threads) {
  const ConvPlanShape ps = ConvPlanShapeOf(s);
  const auto plans = ConvPlan(ps);
  const int64_t cg = s.c / s.group, mg = s.m / s.group, K = ps.k, N = ps.outputSize;
  // Tasks: (image, group, slice of filters); each builds the im2col columns of its plan slices.
  const int64_t mChunk = std::max<int64_t>(1, std::min<int64_t>(mg, 16));
  const int64_t chunks = (mg + mChunk - 1) / mChunk;
  Parallel(s.n * s.group * chunks, threads, [&](int64_t t) {
    const int64_t bg = t / chunks, chunk = t % chunks, b = bg / s.group, g = bg % s.group;
    const float* xg = x + (b * s.c + g * cg) * s.h * s.w;
    std::vector<float> acc, col;
    for (const ColumnPlan& p : plans) {
      const int64_t count = p.nEnd - p.nBegin;
      acc.resize(count);
      const float* cols;
      int64_t ldb;
      if (ps.gemmDirect) {
        cols = xg + p.nBegin;
        ldb = N;
      } else {
        col.resize(K * count);
        Im2Col(s, xg, K, p.nBegin, count, col.data());
        cols = col.data();
        ldb = count;
      }
      for (int64_t mi = chunk * mChunk; mi < std::min(mg, (chunk + 1) * mChunk); ++mi) {
        const int64_t m = g * mg + mi;
        float* yr = y + (b * s.m + m) * N + p.nBegin;
        RowByPlan(p.blocks, w + m * K, cols, ldb, count, false, yr, acc.data(), Dot8RowShape(mi, mg));
        if (bias != nullptr) {
          const float bv = bias[m];
          for (int64_t j = 0; j < count; ++j) yr[j] = yr[j] + bv;
        }
      }
    }
  });
}

void AXQ_ONNX_FLOAT_NAME(GemmFast)(int64_t M, int64_t N, int64_t K, const float* a, const float* b, bool transB, bool hasInit, float* y, int threads) {
  const auto blocks = PackedGemmBlocks(K);
  std::vector<float> bt;
  if (transB) {  // B as [K, N] rows
    bt.resize(K * N);
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) bt[k * N + j] = b[j * K + k];
    b = bt.data();
  }
  ParallelRanges(M, threads, [&](int64_t begin, int64_t end) {
    std::vector<float> acc(N);
    for (int64_t i = begin; i < end; ++i) RowByPlan(blocks, a + i * K, b, N, N, hasInit, y + i * N, acc.data(), 4);
  });
}

}  // namespace onnxfloat
}  // namespace axq
