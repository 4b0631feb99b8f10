// The one template behind every SgemmIsa variant (see sgemm.h). Included by the sgemm_isa_*.cc
// files only, each compiled with its own instruction-set flags. Define AXQ_SGEMM_NAME,
// AXQ_SGEMM_ENTRY and AXQ_SGEMM_LANES (16: AVX-512, 8: AVX2 + FMA, anything else: portable
// std::fma on 4-float groups) before including. Everything has internal linkage, so no
// instruction of one variant can leak into code run on a CPU without it.
#include <cmath>
#include <cstring>

#include "sgemm.h"

#if AXQ_SGEMM_LANES == 16 || AXQ_SGEMM_LANES == 8
#include <immintrin.h>
#endif

namespace axq {
namespace {

#if AXQ_SGEMM_LANES == 16
struct Vec {
  static constexpr int kLanes = 16;
  using V = __m512;
  static V Zero() { return _mm512_setzero_ps(); }
  static V Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V Broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
};
constexpr int kMr[4] = {12, 12, 8, 6};  // ≤ 28 accumulators of 32 registers; NV = 1: 12 row pointers fit the general registers
#elif AXQ_SGEMM_LANES == 8
struct Vec {
  static constexpr int kLanes = 8;
  using V = __m256;
  static V Zero() { return _mm256_setzero_ps(); }
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V Broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};
constexpr int kMr[4] = {12, 6, 4, 3};  // ≤ 12 accumulators of 16 registers
#else
struct Vec {
  static constexpr int kLanes = 4;
  struct V {
    float v[4];
  };
  static V Zero() { return V{{0.0f, 0.0f, 0.0f, 0.0f}}; }
  static V Load(const float* p) {
    V r;
    std::memcpy(r.v, p, sizeof r.v);
    return r;
  }
  static void Store(float* p, V v) { std::memcpy(p, v.v, sizeof v.v); }
  static V Broadcast(const float* p) { return V{{*p, *p, *p, *p}}; }
  static V Fma(V a, V b, V c) {
    V r;
    for (int i = 0; i < 4; ++i) r.v[i] = std::fma(a.v[i], b.v[i], c.v[i]);
    return r;
  }
};
constexpr int kMr[4] = {4, 4, 4, 4};
#endif

template <int MR, int NV>
void Tile(int64_t taps, int64_t depth, const float* const* rows_of, const float* B, float* C, int64_t ldc, int64_t rows,
          int64_t cols) {
  using V = typename Vec::V;
  constexpr int L = Vec::kLanes, NR = NV * L;
  V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = Vec::Zero();
  for (int64_t t = 0; t < taps; ++t) {
    const float* const* a = rows_of + t * MR;
    const float* b = B + t * depth * NR;
    for (int64_t k = 0; k < depth; ++k) {
      V bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = Vec::Load(b + k * NR + v * L);
      for (int r = 0; r < MR; ++r) {
        const V x = Vec::Broadcast(a[r] + k);
        for (int v = 0; v < NV; ++v) acc[r][v] = Vec::Fma(x, bv[v], acc[r][v]);
      }
    }
  }
  if (rows == MR && cols == NR) {
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) Vec::Store(C + r * ldc + v * L, acc[r][v]);
    return;
  }
  float edge[MR * NR];  // a partial tile goes through here (C beyond rows/cols is never touched)
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) Vec::Store(edge + r * NR + v * L, acc[r][v]);
  for (int64_t r = 0; r < rows; ++r) std::memcpy(C + r * ldc, edge + r * NR, sizeof(float) * cols);
}

const SgemmIsa kIsa = {
    AXQ_SGEMM_NAME,
    Vec::kLanes,
    {kMr[0], kMr[1], kMr[2], kMr[3]},
    {&Tile<kMr[0], 1>, &Tile<kMr[1], 2>, &Tile<kMr[2], 3>, &Tile<kMr[3], 4>},
};

}  // namespace

const SgemmIsa* AXQ_SGEMM_ENTRY() { return &kIsa; }

}  // namespace axq
