#include "quantized_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_X86_AVX2 1
#include <immintrin.h>
#else
#define AXQ_X86_AVX2 0
#endif

#include "parallel.h"
#include "cpu_features.h"

namespace axq {
namespace {

constexpr int64_t kChunk = 1 << 16;

// Calls fn(begin, end) over [0, n) in fixed chunks, on up to `threads` threads.
template <class Fn>
void Chunked(int64_t n, int threads, Fn fn) {
  if (n <= 0) return;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  if (chunks == 1 || threads <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  Parallel(chunks, threads, [&](int64_t k) {
    const int64_t b = k * kChunk;
    fn(b, std::min(n, b + kChunk));
  });
}

// body(k) for every chunk k in [0, chunks), on the pool when there are several chunks and threads.
template <class Fn>
void EachChunk(int64_t chunks, int threads, Fn&& body) {
  if (chunks <= 1 || threads <= 1) {
    for (int64_t k = 0; k < chunks; ++k) body(k);
  } else {
    Parallel(chunks, threads, body);
  }
}

// Extremes of int32 values produced chunk by chunk: fn(b, e, &lo, &hi) handles elements [b, e)
// of [0, n) (kChunk each) and updates lo/hi; the chunks' extremes are merged (exact, so the result
// does not depend on the split). Highest/lowest for n == 0.
template <class Fn>
void Int32Extremes(int64_t n, int threads, Fn&& fn, int32_t* mn, int32_t* mx) {
  const int64_t chunks = std::max<int64_t>(1, (n + kChunk - 1) / kChunk);
  std::vector<int32_t> lo(chunks, std::numeric_limits<int32_t>::max()), hi(chunks, std::numeric_limits<int32_t>::min());
  EachChunk(chunks, threads, [&](int64_t k) { fn(k * kChunk, std::min(n, (k + 1) * kChunk), &lo[k], &hi[k]); });
  *mn = *std::min_element(lo.begin(), lo.end());
  *mx = *std::max_element(hi.begin(), hi.end());
}

}  // namespace

namespace {

// One element of QuantizeU8, the reference the vector loop below must equal bit for bit.
inline uint8_t QuantizeU8One(float x, float scale, float offset, float lower, float upper) {
  const float p = x * scale;
  // std::round(p) (halves away from zero) without a library call: below 2^23 the fraction
  // p − trunc(p) is exact; at or above it p is already an integer (or ±inf / NaN) and is kept.
  const float pc = std::fmin(std::fmax(p, -8388608.0f), 8388608.0f);
  const int32_t t = static_cast<int32_t>(pc);
  const float fr = pc - static_cast<float>(t);
  const float rounded = static_cast<float>(t + (fr >= 0.5f ? 1 : 0) - (fr <= -0.5f ? 1 : 0));
  const float r = std::fabs(p) < 8388608.0f ? rounded : p;
  float v = r - offset;
  // Eigen's cwiseMax/cwiseMin keep a NaN (std::max(a, b) returns a unless a < b).
  if (v < lower) v = lower;
  if (upper < v) v = upper;
  // x86 float → int32 (cvttss2si): INT32_MIN for NaN and out-of-range values; the low byte is kept.
  if (!(v == v) || !(v > -2147483904.0f && v < 2147483648.0f)) return 0;
  return static_cast<uint8_t>(static_cast<int32_t>(v));
}

#if defined(__SSE2__)
// Four lanes of QuantizeU8One as int32 (only the low byte matters), SSE2 (the x86-64 baseline).
inline __m128i QuantizeU8x4(__m128 x, __m128 scale, __m128 offset, __m128 lower, __m128 upper) {
  const __m128 p = _mm_mul_ps(x, scale);
  const __m128 absMask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
  const __m128 small = _mm_cmplt_ps(_mm_and_ps(p, absMask), _mm_set1_ps(8388608.0f));  // false for NaN
  // For |p| < 2^23 the truncation is exact and so is the fraction; other lanes are discarded.
  const __m128i t = _mm_cvttps_epi32(p);
  const __m128 tf = _mm_cvtepi32_ps(t);
  const __m128 fr = _mm_sub_ps(p, tf);
  const __m128 up = _mm_and_ps(_mm_cmpge_ps(fr, _mm_set1_ps(0.5f)), _mm_set1_ps(1.0f));
  const __m128 down = _mm_and_ps(_mm_cmple_ps(fr, _mm_set1_ps(-0.5f)), _mm_set1_ps(1.0f));
  const __m128 rounded = _mm_sub_ps(_mm_add_ps(tf, up), down);  // exact: |t| + 1 ≤ 2^23
  const __m128 r = _mm_or_ps(_mm_and_ps(small, rounded), _mm_andnot_ps(small, p));
  __m128 v = _mm_sub_ps(r, offset);
  // maxps(a, b) = a > b ? a : b, so (lower, v) is "v < lower ? lower : v" and keeps a NaN v;
  // minps(upper, v) is "upper < v ? upper : v".
  v = _mm_max_ps(lower, v);
  v = _mm_min_ps(upper, v);
  return _mm_cvttps_epi32(v);  // INT32_MIN for NaN / out of range, as cvttss2si
}
#endif

}  // namespace

void QuantizeU8(const float* x, int64_t n, float scale, float offset, float lower, float upper, uint8_t* out,
                int threads) {
  Chunked(n, threads, [=](int64_t b, int64_t e) {
    int64_t i = b;
#if defined(__SSE2__)
    const __m128 vs = _mm_set1_ps(scale), vo = _mm_set1_ps(offset), vl = _mm_set1_ps(lower), vu = _mm_set1_ps(upper);
    const __m128i low = _mm_set1_epi32(0xff);
    for (; i + 16 <= e; i += 16) {
      // Keep the low byte of each int32 (truncating cast), then pack without saturation effects.
      const __m128i a = _mm_and_si128(QuantizeU8x4(_mm_loadu_ps(x + i), vs, vo, vl, vu), low);
      const __m128i c = _mm_and_si128(QuantizeU8x4(_mm_loadu_ps(x + i + 4), vs, vo, vl, vu), low);
      const __m128i d = _mm_and_si128(QuantizeU8x4(_mm_loadu_ps(x + i + 8), vs, vo, vl, vu), low);
      const __m128i f = _mm_and_si128(QuantizeU8x4(_mm_loadu_ps(x + i + 12), vs, vo, vl, vu), low);
      const __m128i ac = _mm_packs_epi32(a, c);  // values 0..255: no saturation
      const __m128i df = _mm_packs_epi32(d, f);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(ac, df));
    }
#endif
    for (; i < e; ++i) out[i] = QuantizeU8One(x[i], scale, offset, lower, upper);
  });
}

void LutU8ToF32(const uint8_t* codes, int64_t n, const float* table, float* out, int threads) {
  Chunked(n, threads, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = table[codes[i]];
  });
}

#if AXQ_X86_AVX2
// out[i] = table[codes[i]] for i in [b, e), 64 at a time: two 128-entry byte permutes (index
// bits 0..6) and a blend on bit 7. The same bytes as the scalar loop.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void LutU8ToU8Vbmi(const uint8_t* codes, int64_t b, int64_t e,
                                                                           const uint8_t* table, uint8_t* out) {
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
  int64_t i = b;
  for (; i + 64 <= e; i += 64) {
    const __m512i v = _mm512_loadu_si512(codes + i);
    const __m512i lo = _mm512_permutex2var_epi8(t0, v, t1);
    const __m512i hi = _mm512_permutex2var_epi8(t2, v, t3);
    _mm512_storeu_si512(out + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), lo, hi));
  }
  for (; i < e; ++i) out[i] = table[codes[i]];
}
#endif

void LutU8ToU8(const uint8_t* codes, int64_t n, const uint8_t* table, uint8_t* out, int threads) {
#if AXQ_X86_AVX2
  if (CpuHasAvx512Vbmi()) {
    Chunked(n, threads, [=](int64_t b, int64_t e) { LutU8ToU8Vbmi(codes, b, e, table, out); });
    return;
  }
#endif
  // The quint8 activations' tables are clamps, table[c] = min(max(c, lo), hi): then two byte
  // min/max instructions replace 16 look-ups (same values by construction; checked on the table).
  const uint8_t lo = table[0], hi = table[255];
  bool clamp = lo <= hi;
  for (int c = 0; clamp && c < 256; ++c) clamp = table[c] == (c < lo ? lo : c > hi ? hi : c);
  Chunked(n, threads, [=](int64_t b, int64_t e) {
    int64_t i = b;
#if defined(__SSE2__)
    if (clamp) {
      const __m128i vlo = _mm_set1_epi8(static_cast<char>(lo)), vhi = _mm_set1_epi8(static_cast<char>(hi));
      for (; i + 16 <= e; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + i));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_min_epu8(_mm_max_epu8(v, vlo), vhi));
      }
    }
#endif
    for (; i < e; ++i) out[i] = table[codes[i]];
  });
}

namespace {

template <class T>
void LutByChannelRows(const uint8_t* codes, int64_t r0, int64_t r1, int64_t depth, const T* table, T* out) {
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* c = codes + r * depth;
    T* o = out + r * depth;
    for (int64_t j = 0; j < depth; ++j) o[j] = table[c[j] * depth + j];
  }
}

// Smallest and largest of out[b, e) like a sequential scan (strict comparisons, NaN skipped).
void ScanMinMax(const float* x, int64_t b, int64_t e, float* lo, float* hi) {
  for (int64_t i = b; i < e; ++i) {
    *lo = x[i] < *lo ? x[i] : *lo;
    *hi = x[i] > *hi ? x[i] : *hi;
  }
}

#if AXQ_X86_AVX2
// Rows [r0, r1) of LutByChannelF32 for depth % 8 == 0: 8 channels per gather, with the extremes.
__attribute__((target("avx2"))) void LutByChannelF32Avx2(const uint8_t* codes, int64_t r0, int64_t r1, int64_t depth,
                                                         const float* table, float* out, float* lo, float* hi) {
  const __m256i vdepth = _mm256_set1_epi32(static_cast<int32_t>(depth));
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 vlo = _mm256_set1_ps(*lo), vhi = _mm256_set1_ps(*hi);
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* c = codes + r * depth;
    float* o = out + r * depth;
    for (int64_t j = 0; j < depth; j += 8) {
      const __m256i code = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(c + j)));
      const __m256i idx = _mm256_add_epi32(_mm256_mullo_epi32(code, vdepth), _mm256_add_epi32(lanes, _mm256_set1_epi32(static_cast<int32_t>(j))));
      const __m256 v = _mm256_i32gather_ps(table, idx, 4);
      _mm256_storeu_ps(o + j, v);
      vlo = _mm256_min_ps(v, vlo);  // v < lo ? v : lo (a NaN v keeps lo)
      vhi = _mm256_max_ps(v, vhi);
    }
  }
  float l[8], h[8];
  _mm256_storeu_ps(l, vlo);
  _mm256_storeu_ps(h, vhi);
  for (int k = 0; k < 8; ++k) {
    *lo = l[k] < *lo ? l[k] : *lo;
    *hi = h[k] > *hi ? h[k] : *hi;
  }
}
#endif

#if AXQ_X86_AVX2
// Rows [r0, r1) of LutByChannelU8 for depth % 16 == 0: 16 channels per gather from the table
// widened to int32 (wide[code·depth + c] = table[code·depth + c]), narrowed back to bytes.
__attribute__((target("avx512f"))) void LutByChannelU8Avx512(const uint8_t* codes, int64_t r0, int64_t r1, int64_t depth,
                                                             const int32_t* wide, uint8_t* out) {
  const __m512i vdepth = _mm512_set1_epi32(static_cast<int32_t>(depth));
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* c = codes + r * depth;
    uint8_t* o = out + r * depth;
    for (int64_t j = 0; j < depth; j += 16) {
      // maskz / mask forms: GCC 12 warns about the "undefined" start register of the plain ones.
      const __m512i code = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + j)));
      const __m512i idx = _mm512_add_epi32(_mm512_mullo_epi32(code, vdepth), _mm512_add_epi32(lanes, _mm512_set1_epi32(static_cast<int32_t>(j))));
      const __m512i v = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), 0xFFFF, idx, wide, 4);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o + j), _mm512_maskz_cvtepi32_epi8(0xFFFF, v));
    }
  }
}
#endif

template <class T>
void LutByChannel(const uint8_t* codes, int64_t n, int64_t depth, const T* table, T* out, float* minMax, int threads) {
  if (depth <= 0) return;
#if AXQ_X86_AVX2
  if constexpr (std::is_same_v<T, uint8_t>) {
    if (depth % 16 == 0 && CpuHasAvx512Dq()) {
      std::vector<int32_t> wide(table, table + 256 * depth);
      const int64_t rows = n / depth;
      const int64_t rowsPerChunk = std::max<int64_t>(1, kChunk / depth);
      EachChunk((rows + rowsPerChunk - 1) / rowsPerChunk, threads, [&](int64_t k) {
        LutByChannelU8Avx512(codes, k * rowsPerChunk, std::min(rows, (k + 1) * rowsPerChunk), depth, wide.data(), out);
      });
      return;
    }
  }
#endif
  const int64_t rows = n / depth;
  const int64_t rowsPerChunk = std::max<int64_t>(1, kChunk / depth);
  const int64_t chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
  std::vector<float> lo(std::max<int64_t>(chunks, 1), std::numeric_limits<float>::max());
  std::vector<float> hi(std::max<int64_t>(chunks, 1), -std::numeric_limits<float>::max());
  auto body = [&](int64_t k) {
    const int64_t r0 = k * rowsPerChunk, r1 = std::min(rows, (k + 1) * rowsPerChunk);
    if constexpr (std::is_same_v<T, float>) {
#if AXQ_X86_AVX2
      if (depth % 8 == 0 && CpuHasAvx2()) {
        LutByChannelF32Avx2(codes, r0, r1, depth, table, out, &lo[k], &hi[k]);
        return;
      }
#endif
      LutByChannelRows(codes, r0, r1, depth, table, out);
      if (minMax) ScanMinMax(out, r0 * depth, r1 * depth, &lo[k], &hi[k]);
    } else {
      LutByChannelRows(codes, r0, r1, depth, table, out);
    }
  };
  EachChunk(chunks, threads, body);
  if (minMax) {
    float a = std::numeric_limits<float>::max(), b = -std::numeric_limits<float>::max();
    ScanMinMax(lo.data(), 0, static_cast<int64_t>(lo.size()), &a, &b);
    float c = a, d = b;
    ScanMinMax(hi.data(), 0, static_cast<int64_t>(hi.size()), &c, &d);
    minMax[0] = a;
    minMax[1] = d;
  }
}

}  // namespace

void LutByChannelF32(const uint8_t* codes, int64_t n, int64_t depth, const float* table, float* out, float* minMax,
                     int threads) {
  LutByChannel(codes, n, depth, table, out, minMax, threads);
}

void LutByChannelU8(const uint8_t* codes, int64_t n, int64_t depth, const uint8_t* table, uint8_t* out, int threads) {
  LutByChannel(codes, n, depth, table, out, nullptr, threads);
}

void AddLut(const uint8_t* x, const int32_t* tx, const uint8_t* y, const int32_t* ty, int64_t n, int32_t* out,
            int threads, int32_t* range) {
  int32_t mn, mx;
  Int32Extremes(n, threads, [=](int64_t b, int64_t e, int32_t* lo, int32_t* hi) {
    int32_t l = *lo, h = *hi;
    for (int64_t i = b; i < e; ++i) {
      const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(tx[x[i]]) + static_cast<uint32_t>(ty[y[i]]));
      out[i] = v;
      l = v < l ? v : l;
      h = v > h ? v : h;
    }
    *lo = l;
    *hi = h;
  }, &mn, &mx);
  if (range) {
    range[0] = mn;
    range[1] = mx;
  }
}

void BiasAddLut(const uint8_t* x, int64_t n, const int32_t* table, const int32_t* bias, int64_t c, int32_t* out,
                int threads) {
  if (c <= 0) return;
  // Chunks of whole rows keep the channel index simple.
  const int64_t rows = n / c;
  const int64_t rowsPerChunk = std::max<int64_t>(1, kChunk / c);
  const int64_t chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
  auto body = [=](int64_t k) {
    const int64_t r0 = k * rowsPerChunk;
    const int64_t r1 = std::min(rows, r0 + rowsPerChunk);
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t base = r * c;
      for (int64_t j = 0; j < c; ++j) {
        out[base + j] =
            static_cast<int32_t>(static_cast<uint32_t>(table[x[base + j]]) + static_cast<uint32_t>(bias[j]));
      }
    }
  };
  EachChunk(chunks, threads, body);
}

namespace {

// One element of RequantizeI32, the reference the AVX2 loop must equal bit for bit.
inline uint8_t RequantizeOne(int32_t x, int64_t rs, int64_t offset) {
  // Eigen's QInt32 → int64 cast goes through float (see src/runtime/quantization.ts).
  const float xf = static_cast<float>(x);
  const int64_t xv = xf >= 9223372036854775808.0f ? std::numeric_limits<int64_t>::min() : static_cast<int64_t>(xf);
  const int64_t prod = static_cast<int64_t>(static_cast<uint64_t>(xv) * static_cast<uint64_t>(rs));
  const int64_t t = prod >> 32;
  const int64_t v = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(offset)) >> 16;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

#if AXQ_X86_AVX2
// Eight elements at a time. With xv = (int32)(float)x (exact while float(x) < 2^31; blocks with a
// lane at 2^31 take the scalar path) and rs = rh·2^32 + rl (rh signed, rl unsigned), the bits
// 32..63 of xv·rs mod 2^64 are hi32(xv_u·rl) − (xv < 0 ? rl : 0) + xv·rh (mod 2^32), where xv_u
// is xv read as unsigned; that is t. Then s = t + offset in int64 and the result is 0 for s < 0,
// 255 for s ≥ 2^24, else s >> 16.
__attribute__((target("avx2"))) void RequantizeI32Avx2(const int32_t* x, int64_t b, int64_t e, int64_t rs,
                                                        int64_t offset, uint8_t* out) {
  const __m256i rl = _mm256_set1_epi32(static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(rs))));
  const __m256i rh = _mm256_set1_epi32(static_cast<int32_t>(static_cast<uint64_t>(rs) >> 32));
  const __m256i off = _mm256_set1_epi64x(offset);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i limit = _mm256_set1_epi64x((int64_t{1} << 24) - 1);
  const __m256i all255 = _mm256_set1_epi64x(255);
  const __m256 two31 = _mm256_set1_ps(2147483648.0f);
  const __m256i evens = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  int64_t i = b;
  for (; i + 8 <= e; i += 8) {
    const __m256 xf = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)));
    if (_mm256_movemask_ps(_mm256_cmp_ps(xf, two31, _CMP_GE_OQ)) != 0) {
      for (int64_t k = i; k < i + 8; ++k) out[k] = RequantizeOne(x[k], rs, offset);
      continue;
    }
    const __m256i xv = _mm256_cvttps_epi32(xf);
    const __m256i pe = _mm256_mul_epu32(xv, rl);
    const __m256i po = _mm256_mul_epu32(_mm256_srli_epi64(xv, 32), rl);
    __m256i t = _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xAA);
    t = _mm256_sub_epi32(t, _mm256_and_si256(_mm256_srai_epi32(xv, 31), rl));
    t = _mm256_add_epi32(t, _mm256_mullo_epi32(xv, rh));
    __m256i half[2];
    for (int h = 0; h < 2; ++h) {
      const __m128i th = h == 0 ? _mm256_castsi256_si128(t) : _mm256_extracti128_si256(t, 1);
      const __m256i sv = _mm256_add_epi64(_mm256_cvtepi32_epi64(th), off);
      __m256i c = _mm256_srli_epi64(sv, 16);
      c = _mm256_blendv_epi8(c, zero, _mm256_cmpgt_epi64(zero, sv));
      c = _mm256_blendv_epi8(c, all255, _mm256_cmpgt_epi64(sv, limit));
      half[h] = _mm256_permutevar8x32_epi32(c, evens);  // the four low dwords in the low 128 bits
    }
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(half[0]), _mm256_castsi256_si128(half[1]));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(w, w));
  }
  for (; i < e; ++i) out[i] = RequantizeOne(x[i], rs, offset);
}
#endif

#if AXQ_X86_AVX2
// GCC 12's _mm512_cvtepi64_epi8 & co. start from an "undefined" register and warn about it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define AXQ_AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512bw")))
// Eight elements of RequantizeOne with 64-bit lanes (AVX-512 DQ): exactly its arithmetic — float(x)
// truncated to int64 (|x| < 2^31: no overflow), the wrapping 64-bit product, the arithmetic
// shifts, the clamp — as eight bytes in the low half.
AXQ_AVX512_TARGET inline __m128i RequantizeEight(__m256 xf, __m512i rs, __m512i offset) {
  const __m512i prod = _mm512_mullo_epi64(_mm512_cvttps_epi64(xf), rs);
  const __m512i v = _mm512_srai_epi64(_mm512_add_epi64(_mm512_srai_epi64(prod, 32), offset), 16);
  return _mm512_cvtepi64_epi8(_mm512_min_epi64(_mm512_max_epi64(v, _mm512_setzero_si512()), _mm512_set1_epi64(255)));
}

AXQ_AVX512_TARGET void RequantizeI32Avx512(const int32_t* x, int64_t b, int64_t e, int64_t rs, int64_t offset,
                                           uint8_t* out) {
  const __m512i vrs = _mm512_set1_epi64(rs), off = _mm512_set1_epi64(offset);
  int64_t i = b;
  for (; i + 16 <= e; i += 16) {
    const __m512 xf = _mm512_cvtepi32_ps(_mm512_loadu_si512(x + i));
    const __m128i lo = RequantizeEight(_mm512_castps512_ps256(xf), vrs, off);
    const __m128i hi = RequantizeEight(_mm512_extractf32x8_ps(xf, 1), vrs, off);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_unpacklo_epi64(lo, hi));
  }
  for (; i < e; ++i) out[i] = RequantizeOne(x[i], rs, offset);
}
#pragma GCC diagnostic pop
#endif

}  // namespace

void RequantizeI32(const int32_t* x, int64_t n, int64_t rs, int64_t offset, uint8_t* out, int threads) {
#if AXQ_X86_AVX2
  if (CpuHasAvx512Dq()) {
    Chunked(n, threads, [=](int64_t b, int64_t e) { RequantizeI32Avx512(x, b, e, rs, offset, out); });
    return;
  }
#endif
#if AXQ_X86_AVX2
  if (CpuHasAvx2()) {
    Chunked(n, threads, [=](int64_t b, int64_t e) { RequantizeI32Avx2(x, b, e, rs, offset, out); });
    return;
  }
#endif
  Chunked(n, threads, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = RequantizeOne(x[i], rs, offset);
  });
}

namespace {

// Rows [r0, r1) of ChannelCodeRange into l[depth] / h[depth] (scalar: the reference of the
// vector loops below, which only spread the same comparisons over lanes).
void ChannelCodeRangeRows(const uint8_t* codes, int64_t r0, int64_t r1, int64_t depth, uint8_t* l, uint8_t* h) {
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = codes + r * depth;
    for (int64_t c = 0; c < depth; ++c) {
      l[c] = row[c] < l[c] ? row[c] : l[c];
      h[c] = row[c] > h[c] ? row[c] : h[c];
    }
  }
}

#if defined(__SSE2__)
// depth a multiple of 16: one pair of byte min/max registers per 16 channels, kept in l/h.
void ChannelCodeRangeWide(const uint8_t* codes, int64_t r0, int64_t r1, int64_t depth, uint8_t* l, uint8_t* h) {
  for (int64_t c = 0; c < depth; c += 16) {
    __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(l + c));
    __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + c));
    for (int64_t r = r0; r < r1; ++r) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + r * depth + c));
      lo = _mm_min_epu8(lo, v);
      hi = _mm_max_epu8(hi, v);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(l + c), lo);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + c), hi);
  }
}

// depth dividing 16: elements [b, e) with b a multiple of 16, so lane j of every 16-byte block
// is channel j mod depth; the lanes are folded into the channels at the end.
void ChannelCodeRangeNarrow(const uint8_t* codes, int64_t b, int64_t e, int64_t depth, uint8_t* l, uint8_t* h) {
  __m128i lo = _mm_set1_epi8(static_cast<char>(0xff)), hi = _mm_setzero_si128();
  int64_t i = b;
  for (; i + 16 <= e; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + i));
    lo = _mm_min_epu8(lo, v);
    hi = _mm_max_epu8(hi, v);
  }
  uint8_t ls[16], hs[16];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(ls), lo);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(hs), hi);
  for (int j = 0; j < 16; ++j) {
    const int64_t c = j % depth;
    l[c] = std::min(l[c], ls[j]);
    h[c] = std::max(h[c], hs[j]);
  }
  for (; i < e; ++i) {
    const int64_t c = i % depth;
    l[c] = std::min(l[c], codes[i]);
    h[c] = std::max(h[c], codes[i]);
  }
}
#endif

}  // namespace

void ChannelCodeRange(const uint8_t* codes, int64_t n, int64_t depth, uint8_t* range, int threads) {
  if (depth <= 0) return;
  const int64_t rows = n / depth;
  // Chunks of whole rows starting at multiples of 16 elements (kChunk is a multiple of 16·depth
  // for the depths that divide 16).
  const int64_t rowsPerChunk = std::max<int64_t>(1, kChunk / depth);
  const int64_t chunks = std::max<int64_t>(1, (rows + rowsPerChunk - 1) / rowsPerChunk);
  // Each chunk's extremes, merged afterwards: min and max are exact, so any split gives the same.
  std::vector<uint8_t> lo(chunks * depth, 255), hi(chunks * depth, 0);
  auto body = [&](int64_t k) {
    uint8_t* l = lo.data() + k * depth;
    uint8_t* h = hi.data() + k * depth;
    const int64_t r0 = k * rowsPerChunk, r1 = std::min(rows, (k + 1) * rowsPerChunk);
#if defined(__SSE2__)
    if (depth % 16 == 0) return ChannelCodeRangeWide(codes, r0, r1, depth, l, h);
    if (16 % depth == 0) return ChannelCodeRangeNarrow(codes, r0 * depth, r1 * depth, depth, l, h);
#endif
    ChannelCodeRangeRows(codes, r0, r1, depth, l, h);
  };
  EachChunk(chunks, threads, body);
  for (int64_t c = 0; c < depth; ++c) {
    uint8_t l = 255, h = 0;
    for (int64_t k = 0; k < chunks; ++k) {
      l = std::min(l, lo[k * depth + c]);
      h = std::max(h, hi[k * depth + c]);
    }
    range[c] = l;
    range[depth + c] = h;
  }
}

void SumMiddleLut(const uint8_t* codes, int64_t a, int64_t b, int64_t c, const float* table, float* out, int threads) {
  auto body = [=](int64_t i) {
    float* o = out + i * c;
    std::fill(o, o + c, 0.0f);
    for (int64_t j = 0; j < b; ++j) {
      const uint8_t* row = codes + (i * b + j) * c;
      for (int64_t k = 0; k < c; ++k) o[k] = o[k] + table[row[k]];
    }
  };
  EachChunk(a, threads, body);
}

namespace {

#if AXQ_X86_AVX2
// Extremes of x[b, e) into *l / *h (exact: the same as the scalar loop in any order).
__attribute__((target("avx2"))) void MinMaxI32Avx2(const int32_t* x, int64_t b, int64_t e, int32_t* l, int32_t* h) {
  __m256i lo = _mm256_set1_epi32(*l), hi = _mm256_set1_epi32(*h);
  __m256i lo2 = lo, hi2 = hi;
  int64_t i = b;
  for (; i + 16 <= e; i += 16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i + 8));
    lo = _mm256_min_epi32(lo, v);
    hi = _mm256_max_epi32(hi, v);
    lo2 = _mm256_min_epi32(lo2, w);
    hi2 = _mm256_max_epi32(hi2, w);
  }
  alignas(32) int32_t ls[8], hs[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(ls), _mm256_min_epi32(lo, lo2));
  _mm256_store_si256(reinterpret_cast<__m256i*>(hs), _mm256_max_epi32(hi, hi2));
  int32_t a = *l, c = *h;
  for (int k = 0; k < 8; ++k) {
    a = std::min(a, ls[k]);
    c = std::max(c, hs[k]);
  }
  for (; i < e; ++i) {
    a = std::min(a, x[i]);
    c = std::max(c, x[i]);
  }
  *l = a;
  *h = c;
}
#endif

}  // namespace

void MinMaxI32(const int32_t* x, int64_t n, int32_t* mn, int32_t* mx, int threads) {
  Int32Extremes(n, threads, [=](int64_t b, int64_t e, int32_t* lo, int32_t* hi) {
#if AXQ_X86_AVX2
    if (CpuHasAvx2()) return MinMaxI32Avx2(x, b, e, lo, hi);
#endif
    int32_t l = *lo, h = *hi;
    for (int64_t i = b; i < e; ++i) {
      l = std::min(l, x[i]);
      h = std::max(h, x[i]);
    }
    *lo = l;
    *hi = h;
  }, mn, mx);
}

// Windows of at most this many taps: the sum of their codes is below 2^24 (exact in float).
constexpr int32_t kExactFloatCount = 65536;

void PoolU8(const PoolShape& s, bool average, const uint8_t* x, uint8_t* out, int threads) {
  const int64_t rows = s.n * s.oh;  // one task per output row of one image
  auto body = [&](int64_t task) {
    const int64_t b = task / s.oh;
    const int64_t i = task % s.oh;
    std::vector<int32_t> acc(s.c);
    const int64_t h0 = i * s.sh - s.padTop;
    const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h0 + s.kh, s.h);
    for (int64_t j = 0; j < s.ow; ++j) {
      const int64_t w0 = j * s.sw - s.padLeft;
      const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w0 + s.kw, s.w);
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t hh = hs; hh < he; ++hh) {
        for (int64_t ww = ws; ww < we; ++ww) {
          const uint8_t* p = x + ((b * s.h + hh) * s.w + ww) * s.c;
          if (average) {
            for (int64_t ch = 0; ch < s.c; ++ch) acc[ch] += p[ch];
          } else {
            for (int64_t ch = 0; ch < s.c; ++ch) acc[ch] = std::max<int32_t>(acc[ch], p[ch]);
          }
        }
      }
      uint8_t* o = out + ((b * s.oh + i) * s.ow + j) * s.c;
      if (average) {
        const int32_t count = static_cast<int32_t>((he - hs) * (we - ws));
        if (count > 0 && count <= kExactFloatCount) {
          // acc / count truncated, as float: 0 <= acc <= 255 * count < 2^24 is exact in float, and
          // a quotient q − e just below an integer q has e >= 1/count, relatively >= 1/acc >
          // 2^−24, more than float's rounding can move it: truncation gives the integer quotient.
          // (Vector division, where the integer one is a long scalar instruction per element.)
          const float fc = static_cast<float>(count);
          for (int64_t ch = 0; ch < s.c; ++ch) {
            const int32_t q = static_cast<int32_t>(static_cast<float>(acc[ch]) / fc);
            o[ch] = static_cast<uint8_t>(q < 255 ? q : 255);
          }
        } else {
          for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = static_cast<uint8_t>(count > 0 ? std::min(255, acc[ch] / count) : 0);
        }
      } else {
        for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = static_cast<uint8_t>(acc[ch]);
      }
    }
  };
  EachChunk(rows, threads, body);
}

}  // namespace axq
