#include "quantized_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "axconv_thread_pool.h"

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
  ParallelFor(chunks, threads, [&](int64_t k) {
    const int64_t b = k * kChunk;
    fn(b, std::min(n, b + kChunk));
  });
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

void LutU8ToU8(const uint8_t* codes, int64_t n, const uint8_t* table, uint8_t* out, int threads) {
  Chunked(n, threads, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = table[codes[i]];
  });
}

void AddLut(const uint8_t* x, const int32_t* tx, const uint8_t* y, const int32_t* ty, int64_t n, int32_t* out,
            int threads) {
  Chunked(n, threads, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      out[i] = static_cast<int32_t>(static_cast<uint32_t>(tx[x[i]]) + static_cast<uint32_t>(ty[y[i]]));
    }
  });
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
  if (chunks <= 1 || threads <= 1) {
    for (int64_t k = 0; k < chunks; ++k) body(k);
  } else {
    ParallelFor(chunks, threads, body);
  }
}

void RequantizeI32(const int32_t* x, int64_t n, int64_t rs, int64_t offset, uint8_t* out, int threads) {
  Chunked(n, threads, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      // Eigen's QInt32 → int64 cast goes through float (see src/runtime/quantization.ts).
      const float xf = static_cast<float>(x[i]);
      const int64_t xv = xf >= 9223372036854775808.0f ? std::numeric_limits<int64_t>::min() : static_cast<int64_t>(xf);
      const int64_t prod = static_cast<int64_t>(static_cast<uint64_t>(xv) * static_cast<uint64_t>(rs));
      const int64_t t = prod >> 32;
      const int64_t v = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(offset)) >> 16;
      out[i] = static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  });
}

void MinMaxI32(const int32_t* x, int64_t n, int32_t* mn, int32_t* mx, int threads) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<int32_t> lo(std::max<int64_t>(chunks, 1), std::numeric_limits<int32_t>::max());
  std::vector<int32_t> hi(std::max<int64_t>(chunks, 1), std::numeric_limits<int32_t>::min());
  auto body = [&](int64_t k) {
    const int64_t b = k * kChunk;
    const int64_t e = std::min(n, b + kChunk);
    int32_t l = std::numeric_limits<int32_t>::max();
    int32_t h = std::numeric_limits<int32_t>::min();
    for (int64_t i = b; i < e; ++i) {
      l = std::min(l, x[i]);
      h = std::max(h, x[i]);
    }
    lo[k] = l;
    hi[k] = h;
  };
  if (chunks <= 1 || threads <= 1) {
    for (int64_t k = 0; k < chunks; ++k) body(k);
  } else {
    ParallelFor(chunks, threads, body);
  }
  *mn = *std::min_element(lo.begin(), lo.end());
  *mx = *std::max_element(hi.begin(), hi.end());
}

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
        for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = static_cast<uint8_t>(count > 0 ? std::min(255, acc[ch] / count) : 0);
      } else {
        for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = static_cast<uint8_t>(acc[ch]);
      }
    }
  };
  if (rows <= 1 || threads <= 1) {
    for (int64_t k = 0; k < rows; ++k) body(k);
  } else {
    ParallelFor(rows, threads, body);
  }
}

}  // namespace axq
