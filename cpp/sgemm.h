// Register-blocked single-precision matrix product tiles (the inner part of an SGEMM), one set per
// instruction set: sgemm_isa_impl.h is the one template, compiled in its own translation unit per
// instruction set with that file's flags (sgemm_isa_avx512.cc, sgemm_isa_avx2.cc,
// sgemm_isa_generic.cc; CMakeLists.txt). The caller packs the operands (conv2d_float.cc).
//
// Every variant computes every output element with the same operations in the same order:
//   c = +0.0f;  for k = 0, 1, …, K−1:  c = fma(A[r][k], B[k][j], c)
// with fma the single-rounding float32 fused multiply-add (std::fma), so the variants, the
// packing/blocking around them and the plain reference loops give identical bits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace axq {

struct SgemmIsa {
  const char* name;
  int lanes;  // floats per vector register
  int mr[4];  // rows of the micro-tile with NV = 1, 2, 3, 4 vectors of columns (NR = NV·lanes)
  /**
   * One micro-tile of an indirect product: C[r][j] for r < rows (≤ mr[NV−1]) and j < cols
   * (≤ NV·lanes), row stride ldc, with
   *   C[r][j] = Σ over t < taps, k < depth (in that order, c = fma(a, b, c) from +0) of
   *             rows_of[t·mr + r][k] · B[(t·depth + k)·NR + j]
   * i.e. A's row r is given as `taps` pointers to runs of `depth` floats (rows_of is [taps][mr]),
   * B is packed as [taps·depth][NR], NR = NV·lanes. Rows and columns beyond the valid ones are
   * read (they must be readable) but never stored.
   */
  void (*tile[4])(int64_t taps, int64_t depth, const float* const* rows_of, const float* B, float* C, int64_t ldc,
                  int64_t rows, int64_t cols);
};

/** The variants; nullptr when not compiled for this target. */
const SgemmIsa* SgemmIsaGeneric();  // portable C++ (std::fma)
const SgemmIsa* SgemmIsaAvx2();     // x86-64 with -mavx2 -mfma
const SgemmIsa* SgemmIsaAvx512();   // x86-64 with -mavx512f

/** The variant called `name` when compiled and runnable on this CPU, else nullptr. */
const SgemmIsa* SgemmIsaNamed(const char* name);
/** The fastest runnable variant, or the one AXQ_SIMD names when this CPU can run it. */
const SgemmIsa* SgemmIsaDefault();
/** Names of the runnable variants, fastest first. */
std::vector<std::string> SgemmIsaVariants();

}  // namespace axq
