// Pieces shared by the AVX-512 depthwise loops (onnx_depthwise_avx512.cc, onnx_depthwise_vbmi.cc).
// Included only by translation units compiled with AVX-512 flags; everything here has internal
// linkage, so no AVX-512 instruction leaks into code run on a CPU without it.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "onnx_depthwise.h"

namespace axq {
namespace {

// RequantizedCode (onnx_requantize.h) on 16 lanes, the same float operations in the same order:
// the codes (as int32 lanes, to be narrowed to bytes).
__attribute__((always_inline)) inline __m512i Requantize(__m512i acc, const DepthwisePlaneArgs& a) {
  const __mmask16 kAll = 0xFFFF;  // maskz forms: no GCC 12 warning
  const __m512 kRound = _mm512_set1_ps(12582912.0f);
  __m512 v = _mm512_maskz_mul_ps(kAll, _mm512_maskz_cvtepi32_ps(kAll, _mm512_add_epi32(acc, _mm512_set1_epi32(static_cast<int32_t>(a.bias)))), _mm512_set1_ps(a.scale));
  v = _mm512_maskz_min_ps(kAll, _mm512_maskz_max_ps(kAll, v, _mm512_set1_ps(a.flo)), _mm512_set1_ps(a.fhi));
  v = _mm512_maskz_sub_ps(kAll, _mm512_maskz_add_ps(kAll, v, kRound), kRound);
  return _mm512_add_epi32(_mm512_maskz_cvttps_epi32(kAll, v), _mm512_set1_epi32(a.zp));
}

// A group of NV·16 finished accumulators (pixel order) stored: output rows oh0.. (R of them,
// L pixels each, from ow0; at most Wo − ow0 pixels and Ho − oh0 rows), requantized into
// a.codes when given, else as int32 into a.acc.
template <int NV>
__attribute__((always_inline)) inline void StoreGroup(const DepthwisePlaneArgs& a, const __m512i* vecs, int R, int L, int64_t oh0, int64_t ow0) {
  __m512i out[NV];
  for (int v = 0; v < NV; v++) out[v] = a.codes ? Requantize(vecs[v], a) : vecs[v];
  const int64_t left = std::min<int64_t>(L, a.Wo - ow0);
  for (int r = 0; r < R && oh0 + r < a.Ho; r++) {
    const int64_t at = (oh0 + r) * a.Wo + ow0;
    for (int v = 0; v < NV; v++) {
      // Lanes of this row within vector v (lanes v·16 .. v·16 + 15 of the group).
      const int lane0 = r * L - v * 16;
      const int first = std::max(0, lane0), last = std::min<int>(16, lane0 + static_cast<int>(left));
      if (first >= last) continue;
      const __mmask16 k = __mmask16(((1u << (last - first)) - 1) << first);
      if (a.codes) _mm512_mask_cvtepi32_storeu_epi8(a.codes + at - lane0, k, out[v]);
      else _mm512_mask_storeu_epi32(a.acc + at - lane0, k, out[v]);
    }
  }
}

}  // namespace
}  // namespace axq
