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

// An FMA block for 4 rows at once over 16 columns [j0, j0 + 16): 64 running sums that stay in
// registers while k advances (each still its own fmaf chain), then combined into y.
inline void FmaTile4x16(const float* const* a, const float* col, int64_t ldb, int64_t kb, int64_t ke, int64_t j0, bool has, float* const* y) {
  float acc[4][16] = {};
  for (int64_t k = kb; k < ke; ++k) {
    const float* b = col + k * ldb + j0;
    const float a0 = a[0][k], a1 = a[1][k], a2 = a[2][k], a3 = a[3][k];
    for (int j = 0; j < 16; ++j) {
      const float bj = b[j];
      acc[0][j] = std::fmaf(a0, bj, acc[0][j]);
      acc[1][j] = std::fmaf(a1, bj, acc[1][j]);
      acc[2][j] = std::fmaf(a2, bj, acc[2][j]);
      acc[3][j] = std::fmaf(a3, bj, acc[3][j]);
    }
  }
  for (int r = 0; r < 4; ++r) {
    float* yr = y[r] + j0;
    if (has)
      for (int j = 0; j < 16; ++j) yr[j] = acc[r][j] + yr[j];
    else
      for (int j = 0; j < 16; ++j) yr[j] = acc[r][j];
  }
}

// Four rows that share a block list: the FMA blocks tile by tile, anything else row by row.
inline void RowsByPlan4(const std::vector<KBlock>& blocks, const float* const* a, const float* col, int64_t ldb, int64_t n, float* const* y, float* acc,
                        const int* rowShape);

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

inline void RowsByPlan4(const std::vector<KBlock>& blocks, const float* const* a, const float* col, int64_t ldb, int64_t n, float* const* y, float* acc,
                        const int* rowShape) {
  const int64_t tiled = n / 16 * 16;
  bool has = false;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const KBlock& blk = blocks[i];
    if (blk.kind != KKind::kFma) {  // rare with 4 rows (dot8 only): the one-row code for this block
      const std::vector<KBlock> one{blk};
      for (int r = 0; r < 4; ++r) RowByPlan(one, a[r], col, ldb, n, has, y[r], acc, rowShape[r]);
      has = true;
      continue;
    }
    for (int64_t j0 = 0; j0 < tiled; j0 += 16) FmaTile4x16(a, col, ldb, blk.begin, blk.end, j0, has, y);
    if (tiled < n) {
      const std::vector<KBlock> one{blk};
      for (int r = 0; r < 4; ++r) RowByPlan(one, a[r], col + tiled, ldb, n - tiled, has, y[r] + tiled, acc, rowShape[r]);
    }
    has = true;
  }
}

}  // namespace

void AXQ_ONNX_FLOAT_NAME(ConvFast)(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y, int threads) {
  const ConvPlanShape ps = ConvPlanShapeOf(s);
  const auto plans = ConvPlan(ps);
  const int64_t cg = s.c / s.group, mg = s.m / s.group, K = ps.k, N = ps.outputSize;
  // Tasks: (image, group, slice of filters); each builds the im2col columns it needs once. The
  // filters are sliced only as much as needed to give every thread work.
  const int64_t images = s.n * s.group;
  const int64_t wanted = std::max<int64_t>(1, (2 * static_cast<int64_t>(ClampThreads(threads)) + images - 1) / images);
  const int64_t chunks = std::min<int64_t>((mg + 3) / 4, wanted);
  const int64_t mChunk = (mg + chunks - 1) / chunks;
  Parallel(images * chunks, threads, [&](int64_t t) {
    const int64_t bg = t / chunks, chunk = t % chunks, b = bg / s.group, g = bg % s.group;
    const int64_t m0 = chunk * mChunk, m1 = std::min(mg, m0 + mChunk);
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
      auto row = [&](int64_t mi) { return y + (b * s.m + g * mg + mi) * N + p.nBegin; };
      int64_t mi = m0;
      for (; mi + 4 <= m1; mi += 4) {
        const float* a[4] = {w + (g * mg + mi) * K, w + (g * mg + mi + 1) * K, w + (g * mg + mi + 2) * K, w + (g * mg + mi + 3) * K};
        float* yr[4] = {row(mi), row(mi + 1), row(mi + 2), row(mi + 3)};
        const int shapes[4] = {Dot8RowShape(mi, mg), Dot8RowShape(mi + 1, mg), Dot8RowShape(mi + 2, mg), Dot8RowShape(mi + 3, mg)};
        RowsByPlan4(p.blocks, a, cols, ldb, count, yr, acc.data(), shapes);
      }
      for (; mi < m1; ++mi) RowByPlan(p.blocks, w + (g * mg + mi) * K, cols, ldb, count, false, row(mi), acc.data(), Dot8RowShape(mi, mg));
      if (bias != nullptr)
        for (int64_t r = m0; r < m1; ++r) {
          const float bv = bias[g * mg + r];
          float* yr = row(r);
          for (int64_t j = 0; j < count; ++j) yr[j] = yr[j] + bv;
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

void AXQ_ONNX_FLOAT_NAME(LogisticFast)(const float* x, float* y, int64_t n, int threads) {
  ParallelRanges((n + 4095) / 4096, threads, [&](int64_t begin, int64_t end) {
    const int64_t i1 = std::min(n, end * 4096);
    for (int64_t i = begin * 4096; i < i1; ++i) y[i] = Logistic(x[i]);
  });
}

}  // namespace onnxfloat
}  // namespace axq
