// AVX-512 VBMI depthwise planes, stride 1 (see onnx_depthwise.h). CMakeLists.txt compiles this
// file with -mavx512f -mavx512bw -mavx512vbmi; it runs only after a run-time check of the CPU.
//
// 64 output pixels at a time, one byte lane each (of one output row, or of 2 or 4 rows when the
// rows are narrow; planes of at most 8 columns are left to the AVX-512 word loop). A tap's 16-bit products are kept as two 256-byte rows, low and high
// bytes; VPERMI2B looks 64 codes up in 128 entries (code bits 0..6), and code bit 7 picks between
// the two halves. Low and high bytes are summed apart in 16-bit lanes, even and odd pixels
// apart (a mask and a shift widen them: no port-5 conversions), at most 128 taps: no overflow;
// the sums are combined, widened and put back in pixel order once per group of 64 pixels.
#include "onnx_depthwise.h"

#include "cpu_features.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VBMI__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "onnx_depthwise_avx512.h"

namespace axq {
namespace {

// The codes of 64 output pixels' tap: R output rows of 64 / R pixels each, row r's first code at
// p + rowOff[r] (masked quadword loads: no byte is read twice).
template <int R>
__attribute__((always_inline)) inline __m512i LoadBytes(const uint8_t* p, const int64_t* rowOff) {
  if constexpr (R == 1) {
    return _mm512_loadu_si512(p);
  } else {
    constexpr int Q = 8 / R;
    __m512i v = _mm512_maskz_loadu_epi64(__mmask8((1u << Q) - 1), p);
    for (int r = 1; r < R; r++) v = _mm512_mask_loadu_epi64(v, __mmask8(((1u << Q) - 1) << (r * Q)), p + rowOff[r] - r * Q * 8);
    return v;
  }
}

// Even and odd byte lanes of v as 16-bit lanes, zero- or sign-extended.
template <bool Signed>
__attribute__((always_inline)) inline void Split(__m512i v, __m512i& even, __m512i& odd) {
  const __mmask32 all = ~__mmask32(0);
  if constexpr (Signed) {
    even = _mm512_maskz_srai_epi16(all, _mm512_maskz_slli_epi16(all, v, 8), 8);
    odd = _mm512_maskz_srai_epi16(all, v, 8);
  } else {
    even = _mm512_and_si512(v, _mm512_set1_epi16(0xFF));
    odd = _mm512_maskz_srli_epi16(all, v, 8);
  }
}

// 16-bit lanes [16·half, 16·half + 16) of v as 32-bit lanes, zero- or sign-extended.
template <bool Signed>
__attribute__((always_inline)) inline __m512i Widen(__m512i v, int half) {
  const __m256i h = half == 0 ? _mm512_maskz_extracti64x4_epi64(0xFF, v, 0) : _mm512_maskz_extracti64x4_epi64(0xFF, v, 1);
  return Signed ? _mm512_maskz_cvtepi16_epi32(__mmask16(0xFFFF), h) : _mm512_maskz_cvtepu16_epi32(__mmask16(0xFFFF), h);
}

template <int R, bool RowSigned, bool XSigned>
void Plane(const DepthwisePlaneArgs& a) {
  constexpr int L = 64 / R;
  // Pixel k of 0..15 from lane k/2 of the even (k even) or odd (index + 16) sums; 16..31 likewise.
  const __m512i interleaveLo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i interleaveHi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  const __m512i zw = _mm512_set1_epi32(a.zw), constant = _mm512_set1_epi32(static_cast<int32_t>(a.constant));
  const uint8_t* rows = reinterpret_cast<const uint8_t*>(a.rows);  // [taps][low 256 | high 256]
  for (int64_t oh0 = 0; oh0 < a.Ho; oh0 += R) {
    // Rows past the last are computed again from the last one, and not stored.
    int64_t rowOff[R];
    for (int r = 0; r < R; r++) rowOff[r] = std::min<int64_t>(r, a.Ho - 1 - oh0) * a.rowStep;

    for (int64_t ow0 = 0; ow0 < a.Wo; ow0 += L) {
      __m512i loE = _mm512_setzero_si512(), loO = loE, hiE = loE, hiO = loE, xE = loE, xO = loE;
      const uint8_t* p0 = a.base + oh0 * a.rowStep + ow0;
      for (int64_t t = 0; t < a.taps; t++) {
        const __m512i idx = LoadBytes<R>(p0 + a.offsets[t], rowOff);
        const __mmask64 top = _mm512_movepi8_mask(idx);  // code bit 7: the upper 128 entries
        const uint8_t* r = rows + t * 512;
        const __m512i lo = _mm512_mask_blend_epi8(top, _mm512_permutex2var_epi8(_mm512_loadu_si512(r), idx, _mm512_loadu_si512(r + 64)),
                                                  _mm512_permutex2var_epi8(_mm512_loadu_si512(r + 128), idx, _mm512_loadu_si512(r + 192)));
        const __m512i hi = _mm512_mask_blend_epi8(top, _mm512_permutex2var_epi8(_mm512_loadu_si512(r + 256), idx, _mm512_loadu_si512(r + 320)),
                                                  _mm512_permutex2var_epi8(_mm512_loadu_si512(r + 384), idx, _mm512_loadu_si512(r + 448)));
        __m512i e, o;
        Split<false>(lo, e, o);
        loE = _mm512_add_epi16(loE, e);
        loO = _mm512_add_epi16(loO, o);
        Split<RowSigned>(hi, e, o);
        hiE = _mm512_add_epi16(hiE, e);
        hiO = _mm512_add_epi16(hiO, o);
        Split<XSigned>(idx, e, o);
        xE = _mm512_add_epi16(xE, e);
        xO = _mm512_add_epi16(xO, o);
      }
      // Per 32 pixels (half h of the even and odd lanes): lo + 256·hi + constant − zw·Σx.
      __m512i vecs[4];
      for (int h = 0; h < 2; h++) {
        __m512i sums[2];
        for (int parity = 0; parity < 2; parity++) {
          const __m512i lo = Widen<false>(parity ? loO : loE, h), hi = Widen<RowSigned>(parity ? hiO : hiE, h), x = Widen<XSigned>(parity ? xO : xE, h);
          sums[parity] = _mm512_sub_epi32(_mm512_add_epi32(_mm512_add_epi32(lo, _mm512_maskz_slli_epi32(__mmask16(0xFFFF), hi, 8)), constant), _mm512_mullo_epi32(zw, x));
        }
        vecs[2 * h] = _mm512_permutex2var_epi32(sums[0], interleaveLo, sums[1]);
        vecs[2 * h + 1] = _mm512_permutex2var_epi32(sums[0], interleaveHi, sums[1]);
      }
      StoreGroup<4>(a, vecs, R, L, oh0, ow0);
    }
  }
}

template <int R>
DepthwisePlaneFn Pick(bool rowSigned, bool xSigned) {
  if (rowSigned) return xSigned ? &Plane<R, true, true> : &Plane<R, true, false>;
  return xSigned ? &Plane<R, false, true> : &Plane<R, false, false>;
}

}  // namespace

DepthwisePlaneFn DepthwisePlaneVbmiPick(int64_t stride, int64_t taps, int64_t Wo, bool rowSigned, bool xSigned) {
  // Planes of at most 8 columns (8 rows per vector: 8 masked loads per tap) run faster on the
  // AVX-512 word loop (measured 256×8×8: 4.1 vs 4.5 GMAC/cpu-s).
  if (taps > 128 || stride != 1 || Wo <= 8) return nullptr;
  if (Wo <= 16) return Pick<4>(rowSigned, xSigned);
  if (Wo <= 32) return Pick<2>(rowSigned, xSigned);
  return Pick<1>(rowSigned, xSigned);
}

// Built with VBMI: the CPU decides (and AXQ_SIMD=generic|avx2 turns it off, as for every kernel).
bool DepthwiseVbmiAvailable() { return CpuHasAvx512Vbmi(); }

}  // namespace axq
#else
namespace axq {
DepthwisePlaneFn DepthwisePlaneVbmiPick(int64_t, int64_t, int64_t, bool, bool) { return nullptr; }
bool DepthwiseVbmiAvailable() { return false; }
}  // namespace axq
#endif
