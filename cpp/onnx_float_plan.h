// The order in which onnxruntime's CPU kernels (MLAS) sum the products of a float Conv, Gemm or
// MatMul, written down as a plan so that axq's kernels round exactly as onnxruntime does.
//
// Every output element is C = Σ_k a[k]·b[k] over the reduction index k (Conv: (c, kh, kw) of the
// group; Gemm/MatMul: the shared dimension). MLAS cuts k into consecutive blocks and combines them
// left to right:
//   - an FMA block [k0, k1): acc = 0; acc = fmaf(a[k], b[k], acc) for k ascending; then
//     C = acc for the first block (when C has no initial value), else C = acc + C;
//   - a "pairwise" block [k0, k1) (MLAS's M = 1 kernel, which multiplies and adds separately):
//     for each group of 4 products p0..p3 (then a group of 2, then of 1 for the remainder),
//     t = ((p0 + p1) + p2) + p3 with every product rounded, and C = t (first) or t + C.
// A Conv adds its bias after all blocks (C + bias); a Gemm starts from its bias (C = bias, then
// every block is added to it).
//
// Where the blocks fall (all in onnxruntime's mlas/lib, sgemm.cpp and convolve.cpp):
//   - a "dot8" block [k0, k1) (MLAS's transposed M = 1 kernel, used when the output plane is a
//     single position): 8 running sums s_j of the rounded products with k ≡ j (mod 8), each
//     from +0, then reduced according to the filter's place among the group's filters — rows are
//     handled 4 at a time, then 2, then 1, and each shape reduces the 8 sums differently (Dot8Sum).
//   - SGEMM on an unpacked B: strides N = 128, K = 128, adapted to the operand shape: when
//     N ≥ K the K stride halves (and N doubles) while half of it still covers K; otherwise the K
//     stride doubles (N halves) while N stays > 16 and half of it still covers N. K is cut into
//     blocks of the K stride. M = 1 uses the pairwise kernel over all of K.
//   - SGEMM on a pre-packed B (Gemm/MatMul with a constant B): K blocks of 256.
//   - Conv: a 1×1 kernel with stride 1 and no padding, or more filters than output positions, is
//     one SGEMM over the whole output plane; otherwise the output plane is cut with the same
//     adapted strides (from the plane size and K), and every (N slice, K slice) is its own SGEMM,
//     whose own adapted strides can cut the slice further.
// These are the single-thread semantics, which onnxruntime also has for any thread count when the
// batch (or the group count) is above 1; with one image and one group it may cut the output plane
// differently per thread. The N-slices never change a value except through the K blocks they imply.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace axq {
namespace onnxfloat {

enum class KKind {
  kFma,       // FMA chain from 0
  kPairwise,  // MLAS's M = 1 kernel: separate multiply and add, groups of 4/2/1
  kDot8,      // MLAS's transposed M = 1 kernel: 8 running sums, reduced as the row's block does
};

struct KBlock {
  int64_t begin, end;
  KKind kind;
};

// Output columns [nBegin, nEnd) share one block list.
struct ColumnPlan {
  int64_t nBegin, nEnd;
  std::vector<KBlock> blocks;
};

constexpr int64_t kStrideN = 128, kStrideK = 128, kPackedStrideK = 256;

inline void AdaptStrides(int64_t n, int64_t k, int64_t* strideN, int64_t* strideK) {
  int64_t sn = kStrideN, sk = kStrideK;
  if (n >= k) {
    while (sk / 2 >= k) {
      sn *= 2;
      sk /= 2;
    }
  } else {
    while (sn > 16 && sn / 2 >= n) {
      sk *= 2;
      sn /= 2;
    }
  }
  *strideN = sn;
  *strideK = sk;
}

// One unpacked SGEMM (A not transposed, alpha 1, beta 0 or 1) of m rows, n columns and depth k,
// its blocks appended with offset k0. `singleColumn`: n == 1 with ldb == ldc == 1, which MLAS
// turns into its transposed M = 1 kernel.
inline void AppendSgemmBlocks(int64_t m, int64_t n, int64_t k, int64_t k0, bool singleColumn, std::vector<KBlock>* out) {
  if (m == 1) {
    out->push_back({k0, k0 + k, KKind::kPairwise});
    return;
  }
  if (singleColumn) {
    out->push_back({k0, k0 + k, KKind::kDot8});
    return;
  }
  int64_t sn = 0, sk = 0;
  AdaptStrides(n, k, &sn, &sk);
  for (int64_t b = 0; b < k; b += sk) out->push_back({k0 + b, k0 + std::min(k, b + sk), KKind::kFma});
}

struct ConvPlanShape {
  int64_t filtersPerGroup, outputSize, k;
  bool gemmDirect;  // 1×1 kernel, stride 1, no padding
};

inline std::vector<ColumnPlan> ConvPlan(const ConvPlanShape& s) {
  std::vector<ColumnPlan> plans;
  if (s.gemmDirect || s.filtersPerGroup > s.outputSize) {
    ColumnPlan p{0, s.outputSize, {}};
    AppendSgemmBlocks(s.filtersPerGroup, s.outputSize, s.k, 0, s.outputSize == 1, &p.blocks);
    plans.push_back(std::move(p));
    return plans;
  }
  int64_t sn = 0, sk = 0;
  AdaptStrides(s.outputSize, s.k, &sn, &sk);
  for (int64_t n = 0; n < s.outputSize; n += sn) {
    const int64_t countN = std::min(sn, s.outputSize - n);
    ColumnPlan p{n, n + countN, {}};
    for (int64_t k = 0; k < s.k; k += sk) {
      const int64_t countK = std::min(sk, s.k - k);
      AppendSgemmBlocks(s.filtersPerGroup, countN, countK, k, countN == 1 && s.outputSize == 1, &p.blocks);
    }
    plans.push_back(std::move(p));
  }
  return plans;
}

// Gemm/MatMul with a pre-packed (constant) B.
inline std::vector<KBlock> PackedGemmBlocks(int64_t k) {
  std::vector<KBlock> blocks;
  for (int64_t b = 0; b < k; b += kPackedStrideK) blocks.push_back({b, std::min(k, b + kPackedStrideK), KKind::kFma});
  return blocks;
}

// Rows of a dot8 block are reduced 4 at a time, then 2, then 1: the shape for row `row` of `rows`.
inline int Dot8RowShape(int64_t row, int64_t rows) {
  const int64_t fours = rows / 4 * 4;
  if (row < fours) return 4;
  return (rows - fours >= 2 && row < fours + 2) ? 2 : 1;
}

// A dot8 block: the 8 running sums, reduced as MLAS's kernel does for a row of that shape.
template <class A, class B>
inline float Dot8Sum(int64_t begin, int64_t end, A a, B b, int shape) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t k = begin; k < end; ++k) {
    const int j = static_cast<int>((k - begin) % 8);
    s[j] = s[j] + a(k) * b(k);
  }
  if (shape == 4) return (((s[0] + s[1]) + s[2]) + s[3]) + (((s[4] + s[5]) + s[6]) + s[7]);
  if (shape == 2) return ((s[2] + s[0]) + (s[6] + s[4])) + ((s[3] + s[1]) + (s[7] + s[5]));
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// One output element by the plan: the sum of a(k)·b(k) over `blocks`, starting from `init` when
// `hasInit`; `rowShape` (Dot8RowShape) only matters for dot8 blocks. The plain definition the
// reference kernels use (the fast ones do the same over many columns at once).
template <class A, class B>
inline float SumByPlan(const std::vector<KBlock>& blocks, A a, B b, bool hasInit, float init, int rowShape = 4) {
  bool has = hasInit;
  float c = init;
  // First result: the FMA kernel stores acc as is; the M = 1 kernels add it to a masked-out
  // (zero) C, which only turns -0 into +0.
  auto add = [&](float t, bool masked) {
    c = has ? t + c : (masked ? t + 0.0f : t);
    has = true;
  };
  for (const KBlock& blk : blocks) {
    if (blk.kind == KKind::kFma) {
      float acc = 0.0f;
      for (int64_t k = blk.begin; k < blk.end; ++k) acc = std::fmaf(a(k), b(k), acc);
      add(acc, false);
      continue;
    }
    if (blk.kind == KKind::kDot8) {
      add(Dot8Sum(blk.begin, blk.end, a, b, rowShape), true);
      continue;
    }
    int64_t k = blk.begin;
    for (; k + 4 <= blk.end; k += 4) {
      const float p0 = a(k) * b(k), p1 = a(k + 1) * b(k + 1), p2 = a(k + 2) * b(k + 2), p3 = a(k + 3) * b(k + 3);
      add(((p0 + p1) + p2) + p3, true);
    }
    if (blk.end - k >= 2) {
      const float p0 = a(k) * b(k), p1 = a(k + 1) * b(k + 1);
      add(p0 + p1, true);
      k += 2;
    }
    if (k < blk.end) add(a(k) * b(k), true);
  }
  return has ? c : 0.0f;
}

}  // namespace onnxfloat
}  // namespace axq
