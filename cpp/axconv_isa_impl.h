// The one template behind every AxConvIsa variant (see axconv_isa.h). Included by the
// axconv_isa_*.cc files only, each compiled with its own instruction-set flags: the loops are
// written with GCC/Clang vector types of KT lanes, which the compiler maps onto the registers
// the flags allow (4 x SSE2, 2 x AVX2 or 1 x AVX-512 register for 16 uint32 lanes; NEON on ARM).
//
// Everything here has internal linkage (anonymous namespace) and uses no library code that could
// be shared with other translation units, so no instruction of one variant can leak into code
// run on a CPU without it. Define AXQ_ISA_NAME, AXQ_ISA_ENTRY and AXQ_ISA_VECTOR_BYTES (the
// widest vector register: 16, 32 or 64) before including.
#include <climits>
#include <cstring>

#include "axconv_isa.h"

#if defined(__SSE2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace axq {
namespace {

// The KT accumulators of a pixel as NV vectors of the widest register the flags allow
// (AXQ_ISA_VECTOR_BYTES), each widened from half as many bytes of a product row.
template <int KT>
struct Lanes {
  static constexpr int kBytes = KT * 4 < AXQ_ISA_VECTOR_BYTES ? KT * 4 : AXQ_ISA_VECTOR_BYTES;
  static constexpr int kLanes = kBytes / 4;
  static constexpr int NV = KT / kLanes;
  typedef uint32_t Acc __attribute__((vector_size(kBytes)));
  typedef int32_t Signed __attribute__((vector_size(kBytes)));
  typedef uint16_t Row __attribute__((vector_size(kBytes / 2)));
};

// The kLanes uint16 at p, zero-extended to uint32: one instruction where the flags allow it.
template <int KT>
__attribute__((always_inline)) inline typename Lanes<KT>::Acc Widen(const uint16_t* p) {
  typedef typename Lanes<KT>::Acc Acc;
  constexpr int kBytes = Lanes<KT>::kBytes;
#if defined(__AVX512F__)
  if constexpr (kBytes == 64) return (Acc)_mm512_maskz_cvtepu16_epi32(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));  // maskz: no GCC 12 warning
  else
#endif
#if defined(__AVX2__)
  if constexpr (kBytes == 32) return (Acc)_mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  else
#endif
#if defined(__SSE2__)
  if constexpr (kBytes == 16) return (Acc)_mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), _mm_setzero_si128());
  else
#elif defined(__ARM_NEON)
  if constexpr (kBytes == 16) return (Acc)vmovl_u16(vld1_u16(p));
  else
#endif
  {
    typename Lanes<KT>::Row r;
    std::memcpy(&r, p, sizeof r);
    return __builtin_convertvector(r, Acc);
  }
}

// Pixel by pixel through one tile of G taps: the pixel's KT sums stay in registers while its G
// product rows are added. Exact uint32 additions, always in the same order.
template <int KT>
void Accumulate(uint32_t* acc, int64_t np, const uint16_t* tile, const uint8_t* const* xs,
                int64_t c0, int64_t G, bool init) {
  typedef Lanes<KT> L;
  typedef typename L::Acc Acc;
  constexpr int64_t kTap = 256 * KT;
  int64_t i = 0;
  // Several pixels at a time (their sums fit the registers): one loop over the tile's taps
  // serves them all, with as many independent row loads in flight.
  constexpr int P = L::NV <= 2 ? 4 : L::NV <= 4 ? 2 : 1;
  if constexpr (P > 1) {
    for (; i + P <= np; i += P) {
      const uint8_t* x[P];
      uint32_t* out[P];
      Acc a[P][L::NV];
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) {
        x[p] = xs[i + p] + c0;
        out[p] = acc + (i + p) * KT;
#pragma GCC unroll 8
        for (int j = 0; j < L::NV; ++j) {
          if (init) a[p][j] = Acc{};
          else std::memcpy(&a[p][j], out[p] + j * L::kLanes, sizeof(Acc));
        }
      }
      const uint16_t* rows = tile;
      for (int64_t c = 0; c < G; ++c, rows += kTap) {
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) {
          const uint16_t* r = rows + static_cast<int64_t>(x[p][c]) * KT;
#pragma GCC unroll 8
          for (int j = 0; j < L::NV; ++j) a[p][j] += Widen<KT>(r + j * L::kLanes);
        }
      }
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) {
#pragma GCC unroll 8
        for (int j = 0; j < L::NV; ++j) std::memcpy(out[p] + j * L::kLanes, &a[p][j], sizeof(Acc));
      }
    }
  }
  for (; i < np; ++i) {
    const uint8_t* x = xs[i] + c0;
    uint32_t* out = acc + i * KT;
    Acc a[L::NV];
#pragma GCC unroll 8
    for (int j = 0; j < L::NV; ++j) {
      if (init) a[j] = Acc{};
      else std::memcpy(&a[j], out + j * L::kLanes, sizeof(Acc));
    }
    const uint16_t* rows = tile;
    int64_t c = 0;
    for (; c + 2 <= G; c += 2, rows += 2 * kTap) {
      const uint16_t* r0 = rows + static_cast<int64_t>(x[c]) * KT;
      const uint16_t* r1 = rows + kTap + static_cast<int64_t>(x[c + 1]) * KT;
#pragma GCC unroll 8
      for (int j = 0; j < L::NV; ++j) a[j] += Widen<KT>(r0 + j * L::kLanes) + Widen<KT>(r1 + j * L::kLanes);
    }
    if (c < G) {
      const uint16_t* r0 = rows + static_cast<int64_t>(x[c]) * KT;
#pragma GCC unroll 8
      for (int j = 0; j < L::NV; ++j) a[j] += Widen<KT>(r0 + j * L::kLanes);
    }
#pragma GCC unroll 8
    for (int j = 0; j < L::NV; ++j) std::memcpy(out + j * L::kLanes, &a[j], sizeof(Acc));
  }
}

// Whole windows of P pixels at a time (see AxConvIsa::windows): every tap's row of each pixel
// added to its KT sums in registers; the codes come straight from the (padded) image through the
// taps' offsets. Exact uint32 additions.
template <int KT, int P>
__attribute__((always_inline)) inline void WindowsOf(int32_t* out, int64_t outStride, int64_t width,
                                                     const uint16_t* rows, const uint8_t* x, int64_t step,
                                                     const int32_t* off, int64_t taps,
                                                     const uint32_t* bias, uint32_t zf,
                                                     typename Lanes<KT>::Signed* lo,
                                                     typename Lanes<KT>::Signed* hi, int32_t* range) {
  typedef Lanes<KT> L;
  typedef typename L::Acc Acc;
  typedef typename L::Signed Signed;
  constexpr int64_t kTap = 256 * KT;
  Acc a[P][L::NV];
  uint32_t sx[P];
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p) {
    sx[p] = 0;
#pragma GCC unroll 8
    for (int j = 0; j < L::NV; ++j) a[p][j] = Acc{};
  }
  const uint16_t* r = rows;
  for (int64_t t = 0; t < taps; ++t, r += kTap) {
    const uint8_t* xt = x + off[t];
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      const uint32_t code = xt[p * step];
      sx[p] += code;
      const uint16_t* row = r + static_cast<int64_t>(code) * KT;
#pragma GCC unroll 8
      for (int j = 0; j < L::NV; ++j) a[p][j] += Widen<KT>(row + j * L::kLanes);
    }
  }
  Acc b[L::NV];
#pragma GCC unroll 8
  for (int j = 0; j < L::NV; ++j) std::memcpy(&b[j], bias + j * L::kLanes, sizeof(Acc));
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p) {
    const uint32_t m = zf * sx[p];
    int32_t* o = out + p * outStride;
    if (width == KT) {
#pragma GCC unroll 8
      for (int j = 0; j < L::NV; ++j) {
        const Acc v = a[p][j] + b[j] - m;
        std::memcpy(o + j * L::kLanes, &v, sizeof(Acc));
        if (range != nullptr) {
          const Signed sv = (Signed)v;
          lo[j] = sv < lo[j] ? sv : lo[j];
          hi[j] = sv > hi[j] ? sv : hi[j];
        }
      }
    } else {
      Acc v[L::NV];
#pragma GCC unroll 8
      for (int j = 0; j < L::NV; ++j) v[j] = a[p][j] + b[j] - m;
      std::memcpy(o, v, static_cast<size_t>(width) * sizeof(uint32_t));
      if (range != nullptr) {
        for (int64_t k = 0; k < width; ++k) {
          const int32_t sv = static_cast<int32_t>(o[k]);
          range[0] = sv < range[0] ? sv : range[0];
          range[1] = sv > range[1] ? sv : range[1];
        }
      }
    }
  }
}

template <int KT>
void Windows(int32_t* out, int64_t outStride, int64_t width, int64_t np, const uint16_t* rows,
             const uint8_t* x, int64_t step, const int32_t* off, int64_t taps, const uint32_t* bias,
             uint32_t zf, int32_t* range) {
  typedef Lanes<KT> L;
  typedef typename L::Signed Signed;
  // Running extremes of the outputs, lane by lane (folded into `range` at the end).
  Signed lo[L::NV], hi[L::NV];
  for (int j = 0; j < L::NV; ++j) {
    lo[j] = Signed{} + INT32_MAX;
    hi[j] = Signed{} + INT32_MIN;
  }
  // As many pixels at once as keep their sums in registers (independent chains of additions).
  constexpr int P = Lanes<KT>::NV <= 2 ? 4 : Lanes<KT>::NV == 4 ? 2 : 1;
  int64_t i = 0;
  if constexpr (P > 1) {
    for (; i + P <= np; i += P) {
      WindowsOf<KT, P>(out + i * outStride, outStride, width, rows, x + i * step, step, off, taps, bias, zf, lo, hi, range);
    }
  }
  for (; i < np; ++i) WindowsOf<KT, 1>(out + i * outStride, outStride, width, rows, x + i * step, step, off, taps, bias, zf, lo, hi, range);
  if (range != nullptr) {
    for (int j = 0; j < L::NV; ++j) {
      for (int k = 0; k < L::kLanes; ++k) {
        range[0] = lo[j][k] < range[0] ? lo[j][k] : range[0];
        range[1] = hi[j][k] > range[1] ? hi[j][k] : range[1];
      }
    }
  }
}

// Product rows of taps [t0, t1) for one k-tile (see AxConvIsa::buildRows).
template <int KT>
void BuildRows(uint16_t* dst, const uint8_t* w, int64_t wStride, int64_t t0, int64_t t1,
               const uint16_t* table) {
#if defined(__AVX512BW__)
  if constexpr (KT == 32) {
    // Table row x in eight registers, looked up by the 32 weight codes of a tap with four
    // two-register word permutes (64 entries each) and blends on bits 6 and 7 of the code:
    // several times faster than one load per product (rows built during a call, wide layers).
    constexpr int kTaps = 8;
    for (int64_t ta = t0; ta < t1; ta += kTaps) {
      const int nt = static_cast<int>(t1 - ta < kTaps ? t1 - ta : kTaps);
      __m512i idx[kTaps];
      __mmask32 bit6[kTaps], bit7[kTaps];
      for (int j = 0; j < nt; ++j) {
        idx[j] = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (ta + j) * wStride)));
        bit6[j] = _mm512_test_epi16_mask(idx[j], _mm512_set1_epi16(64));
        bit7[j] = _mm512_test_epi16_mask(idx[j], _mm512_set1_epi16(128));
      }
      for (int x = 0; x < 256; ++x) {
        const uint16_t* trow = table + x * 256;
        __m512i t[8];
        for (int i = 0; i < 8; ++i) t[i] = _mm512_loadu_si512(trow + 32 * i);
        for (int j = 0; j < nt; ++j) {
          const __m512i r0 = _mm512_permutex2var_epi16(t[0], idx[j], t[1]);
          const __m512i r1 = _mm512_permutex2var_epi16(t[2], idx[j], t[3]);
          const __m512i r2 = _mm512_permutex2var_epi16(t[4], idx[j], t[5]);
          const __m512i r3 = _mm512_permutex2var_epi16(t[6], idx[j], t[7]);
          const __m512i lo = _mm512_mask_blend_epi16(bit6[j], r0, r1);
          const __m512i hi = _mm512_mask_blend_epi16(bit6[j], r2, r3);
          _mm512_storeu_si512(dst + ((ta + j - t0) * 256 + x) * KT, _mm512_mask_blend_epi16(bit7[j], lo, hi));
        }
      }
    }
    return;
  }
#endif
  for (int64_t t = t0; t < t1; ++t) {
    uint32_t idx[KT];
    for (int k = 0; k < KT; ++k) idx[k] = w[t * wStride + k];
    uint16_t* out = dst + (t - t0) * 256 * KT;
    for (int x = 0; x < 256; ++x) {
      const uint16_t* trow = table + x * 256;
      for (int k = 0; k < KT; ++k) out[x * KT + k] = trow[idx[k]];
    }
  }
}

const AxConvIsa kIsa = {
    AXQ_ISA_NAME,
    {&Accumulate<8>, &Accumulate<16>, &Accumulate<32>, &Accumulate<64>},
    {&BuildRows<8>, &BuildRows<16>, &BuildRows<32>, &BuildRows<64>},
    {&Windows<8>, &Windows<16>, &Windows<32>, &Windows<64>},
};

}  // namespace

const AxConvIsa* AXQ_ISA_ENTRY() { return &kIsa; }

}  // namespace axq
