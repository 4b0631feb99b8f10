// AVX-512 (F + BW) depthwise rows (see onnx_depthwise.h). CMakeLists.txt compiles this file with
// -mavx512f -mavx512bw; it runs only after the run-time check of AxConvFastVariants().
//
// 32 output pixels at a time, one 16-bit lane each (of one output row, or of 2 or 4 rows when the
// rows are narrow): a tap's 256-entry product row is 8 zmm
// registers of 32 words; VPERMI2W looks 32 codes up in a pair of them (64 entries: code bits
// 0..5), and the code's bits 6 and 7 pick among the four pairs' results. The looked-up words are
// widened to 32 bits (zero- or sign-extended, even and odd lanes apart) and added; the codes'
// sum runs in 16-bit lanes (at most 128 taps: no overflow) and is widened at the end. (maskz forms: no GCC 12 warning.)
#include "onnx_depthwise.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "onnx_depthwise_avx512.h"

namespace axq {
namespace {

// The codes of 32 output pixels' tap as 32 words (the code in the low byte; for Stride 2 the high
// byte holds the neighbouring code, which VPERMI2W and the bit tests ignore): R output rows of
// 32 / R pixels each, row r's first code at p + rowOff[r].
template <int Stride, int R>
__attribute__((always_inline)) inline __m512i LoadCodes(const uint8_t* p, const int64_t* rowOff, bool xSigned) {
  if constexpr (Stride == 1) {
    __m256i bytes;
    if constexpr (R == 1) {
      bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    } else if constexpr (R == 2) {
      bytes = _mm256_inserti128_si256(_mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))),
                                      _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + rowOff[1])), 1);
    } else {
      int64_t q[4];
      for (int r = 0; r < 4; r++) std::memcpy(&q[r], p + rowOff[r], 8);
      bytes = _mm256_set_epi64x(q[3], q[2], q[1], q[0]);
    }
    return xSigned ? _mm512_maskz_cvtepi8_epi16(~__mmask32(0), bytes) : _mm512_maskz_cvtepu8_epi16(~__mmask32(0), bytes);
  } else {
    __m512i words;
    if constexpr (R == 1) {
      words = _mm512_loadu_si512(p);
    } else {
      // Row r's 64 / R bytes into qwords [r·8/R, (r + 1)·8/R) by masked loads (no lane is read twice).
      constexpr int Q = 8 / R;
      words = _mm512_maskz_loadu_epi64(__mmask8((1u << Q) - 1), p);
      for (int r = 1; r < R; r++) words = _mm512_mask_loadu_epi64(words, __mmask8(((1u << Q) - 1) << (r * Q)), p + rowOff[r] - r * Q * 8);
    }
    return xSigned ? _mm512_maskz_srai_epi16(~__mmask32(0), _mm512_maskz_slli_epi16(~__mmask32(0), words, 8), 8) : _mm512_and_si512(words, _mm512_set1_epi16(0xFF));
  }
}

// R output rows at a time (R = 1: Wo > 16; 2: Wo ≤ 16; 4: Wo ≤ 8), 32 / R pixels of each.
template <int Stride, int R, bool RowSigned, bool XSigned>
void Plane(const DepthwisePlaneArgs& a) {
  constexpr int L = 32 / R;
  const __m512i bit6 = _mm512_set1_epi16(0x40), lowWord = _mm512_set1_epi32(0xFFFF);
  // Pixel k of 0..15 from lane k/2 of the even (k even) or odd (index + 16) sums; 16..31 likewise.
  const __m512i interleaveLo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i interleaveHi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  const __m512i zw = _mm512_set1_epi32(a.zw), constant = _mm512_set1_epi32(static_cast<int32_t>(a.constant));
  for (int64_t oh0 = 0; oh0 < a.Ho; oh0 += R) {
    // Rows past the last are computed again from the last one, and not stored.
    int64_t rowOff[R];
    for (int r = 0; r < R; r++) rowOff[r] = std::min<int64_t>(r, a.Ho - 1 - oh0) * a.rowStep;
    for (int64_t ow0 = 0; ow0 < a.Wo; ow0 += L) {
      // Sums of the even and odd lanes' products (pixel 2j in lane j of accE, 2j + 1 of accO): widening
      // a word vector that way takes a mask or shift and a shift, not port-5 extracts and
      // conversions; the lanes are put back in pixel order once per group of 32 pixels.
      __m512i accE = _mm512_setzero_si512(), accO = _mm512_setzero_si512(), sx = _mm512_setzero_si512();
      const uint8_t* p0 = a.base + oh0 * a.rowStep + ow0 * Stride;
      for (int64_t t = 0; t < a.taps; t++) {
        const __m512i idx = LoadCodes<Stride, R>(p0 + a.offsets[t], rowOff, XSigned);
        sx = _mm512_add_epi16(sx, idx);
        const uint16_t* r = a.rows + t * 256;
        const __m512i r0 = _mm512_loadu_si512(r), r1 = _mm512_loadu_si512(r + 32), r2 = _mm512_loadu_si512(r + 64), r3 = _mm512_loadu_si512(r + 96);
        const __m512i r4 = _mm512_loadu_si512(r + 128), r5 = _mm512_loadu_si512(r + 160), r6 = _mm512_loadu_si512(r + 192), r7 = _mm512_loadu_si512(r + 224);
        const __m512i q0 = _mm512_permutex2var_epi16(r0, idx, r1);
        const __m512i q1 = _mm512_permutex2var_epi16(r2, idx, r3);
        const __m512i q2 = _mm512_permutex2var_epi16(r4, idx, r5);
        const __m512i q3 = _mm512_permutex2var_epi16(r6, idx, r7);
        // Code bit 6 by a test (port 5), bit 7 moved to the word's sign bit (port 0).
        const __mmask32 m6 = _mm512_test_epi16_mask(idx, bit6), m7 = _mm512_movepi16_mask(_mm512_maskz_slli_epi16(~__mmask32(0), idx, 8));
        const __m512i v = _mm512_mask_blend_epi16(m7, _mm512_mask_blend_epi16(m6, q0, q1), _mm512_mask_blend_epi16(m6, q2, q3));
        if constexpr (RowSigned) {
          accE = _mm512_add_epi32(accE, _mm512_maskz_srai_epi32(__mmask16(0xFFFF), _mm512_maskz_slli_epi32(__mmask16(0xFFFF), v, 16), 16));
          accO = _mm512_add_epi32(accO, _mm512_maskz_srai_epi32(__mmask16(0xFFFF), v, 16));
        } else {
          accE = _mm512_add_epi32(accE, _mm512_and_si512(v, lowWord));
          accO = _mm512_add_epi32(accO, _mm512_maskz_srli_epi32(__mmask16(0xFFFF), v, 16));
        }
      }
      __m512i sE, sO;
      if constexpr (XSigned) {
        sE = _mm512_maskz_srai_epi32(__mmask16(0xFFFF), _mm512_maskz_slli_epi32(__mmask16(0xFFFF), sx, 16), 16);
        sO = _mm512_maskz_srai_epi32(__mmask16(0xFFFF), sx, 16);
      } else {
        sE = _mm512_and_si512(sx, lowWord);
        sO = _mm512_maskz_srli_epi32(__mmask16(0xFFFF), sx, 16);
      }
      accE = _mm512_sub_epi32(_mm512_add_epi32(accE, constant), _mm512_mullo_epi32(zw, sE));
      accO = _mm512_sub_epi32(_mm512_add_epi32(accO, constant), _mm512_mullo_epi32(zw, sO));
      const __m512i acc0 = _mm512_permutex2var_epi32(accE, interleaveLo, accO), acc1 = _mm512_permutex2var_epi32(accE, interleaveHi, accO);
      // Lanes [r·L, r·L + L) belong to output row oh0 + r, pixels ow0.. (at most Wo − ow0 of them).
      const __m512i vecs[2] = {acc0, acc1};
      StoreGroup<2>(a, vecs, R, L, oh0, ow0);
    }
  }
}

template <int Stride, int R>
DepthwisePlaneFn Pick(bool rowSigned, bool xSigned) {
  if (rowSigned) return xSigned ? &Plane<Stride, R, true, true> : &Plane<Stride, R, true, false>;
  return xSigned ? &Plane<Stride, R, false, true> : &Plane<Stride, R, false, false>;
}

template <int Stride>
DepthwisePlaneFn PickRows(int64_t Wo, bool rowSigned, bool xSigned) {
  if (Wo <= 8) return Pick<Stride, 4>(rowSigned, xSigned);
  if (Wo <= 16) return Pick<Stride, 2>(rowSigned, xSigned);
  return Pick<Stride, 1>(rowSigned, xSigned);
}

}  // namespace

DepthwisePlaneFn DepthwisePlaneAvx512Pick(int64_t stride, int64_t taps, int64_t Wo, bool rowSigned, bool xSigned) {
  if (taps > 128 || (stride != 1 && stride != 2)) return nullptr;
  return stride == 1 ? PickRows<1>(Wo, rowSigned, xSigned) : PickRows<2>(Wo, rowSigned, xSigned);
}

}  // namespace axq
#else
namespace axq {
DepthwisePlaneFn DepthwisePlaneAvx512Pick(int64_t, int64_t, int64_t, bool, bool) { return nullptr; }
}  // namespace axq
#endif
