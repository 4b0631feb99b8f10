// Float32 Conv2D: reference and fast kernels (see conv2d_float.h for the accumulation order).
//
// Fast path: threads take contiguous ranges of output pixels (n, oh, ow); for one pixel, every
// output channel keeps its own float32 accumulator and the (kh, kw, ci) taps are visited in the
// same order as the reference, so vectorising across output channels changes nothing in any
// single sum. Channel blocks of 32/16/8 keep the accumulators in registers; on x86-64 an AVX2
// copy of the same code is chosen at run time (no FMA: mul and add stay separate roundings),
// which also computes 4 pixels × 16 channels at once when the channel count is a multiple of 16
// (eight independent accumulator chains instead of two; taps outside the image skipped per
// pixel; a filter row whose taps are all inside runs its (kw, ci) taps as one contiguous loop).
#include "conv2d_float.h"

#include <algorithm>
#include "parallel.h"

namespace axq {

void Conv2DFloatReference(const Conv2DFloatShape& s, const float* in, const float* filter, float* out) {
  for (int64_t b = 0; b < s.n; ++b)
    for (int64_t i = 0; i < s.oh; ++i)
      for (int64_t j = 0; j < s.ow; ++j)
        for (int64_t o = 0; o < s.co; ++o) {
          float acc = 0.0f;
          for (int64_t p = 0; p < s.kh; ++p) {
            const int64_t y = i * s.sh - s.padTop + p * s.dh;
            if (y < 0 || y >= s.h) continue;
            for (int64_t q = 0; q < s.kw; ++q) {
              const int64_t x = j * s.sw - s.padLeft + q * s.dw;
              if (x < 0 || x >= s.w) continue;
              for (int64_t ci = 0; ci < s.c; ++ci) {
                const float prod = in[((b * s.h + y) * s.w + x) * s.c + ci] * filter[((p * s.kw + q) * s.c + ci) * s.co + o];
                acc = acc + prod;
              }
            }
          }
          out[((b * s.oh + i) * s.ow + j) * s.co + o] = acc;
        }
}

namespace {

// One output pixel, output channels [o0, o0 + B): B accumulators visited in tap order.
template <int B>
__attribute__((always_inline)) inline void PixelBlock(const Conv2DFloatShape& s, const float* in, const float* filter,
                                                      float* out, int64_t b, int64_t i, int64_t j, int64_t o0) {
  float acc[B];
  for (int k = 0; k < B; ++k) acc[k] = 0.0f;
  for (int64_t p = 0; p < s.kh; ++p) {
    const int64_t y = i * s.sh - s.padTop + p * s.dh;
    if (y < 0 || y >= s.h) continue;
    for (int64_t q = 0; q < s.kw; ++q) {
      const int64_t x = j * s.sw - s.padLeft + q * s.dw;
      if (x < 0 || x >= s.w) continue;
      const float* xp = in + ((b * s.h + y) * s.w + x) * s.c;
      const float* wp = filter + (p * s.kw + q) * s.c * s.co + o0;
      for (int64_t ci = 0; ci < s.c; ++ci) {
        const float v = xp[ci];
        const float* wr = wp + ci * s.co;
        for (int k = 0; k < B; ++k) acc[k] = acc[k] + v * wr[k];
      }
    }
  }
  float* op = out + ((b * s.oh + i) * s.ow + j) * s.co + o0;
  for (int k = 0; k < B; ++k) op[k] = acc[k];
}

// Any remaining output channels, one accumulator at a time (same order).
__attribute__((always_inline)) inline void PixelTail(const Conv2DFloatShape& s, const float* in, const float* filter, float* out,
                                                     int64_t b, int64_t i, int64_t j, int64_t o0) {
  for (int64_t o = o0; o < s.co; ++o) {
    float acc = 0.0f;
    for (int64_t p = 0; p < s.kh; ++p) {
      const int64_t y = i * s.sh - s.padTop + p * s.dh;
      if (y < 0 || y >= s.h) continue;
      for (int64_t q = 0; q < s.kw; ++q) {
        const int64_t x = j * s.sw - s.padLeft + q * s.dw;
        if (x < 0 || x >= s.w) continue;
        const float* xp = in + ((b * s.h + y) * s.w + x) * s.c;
        const float* wp = filter + (p * s.kw + q) * s.c * s.co + o;
        for (int64_t ci = 0; ci < s.c; ++ci) acc = acc + xp[ci] * wp[ci * s.co];
      }
    }
    out[((b * s.oh + i) * s.ow + j) * s.co + o] = acc;
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_CONV_AVX2 1
#include <immintrin.h>

// Four horizontally adjacent output pixels (j .. j+3 of row i) × 16 output channels from o0:
// eight accumulator registers, each summing its own pixel's in-image taps in (kh, kw, ci) order as
// acc = acc + x·w (separate mul and add). Taps outside the image are skipped per pixel (never
// added as zeros, which could change a −0 or turn an infinite weight into NaN). When every tap of
// a filter row is inside for all four pixels and dilation is 1, the row's (kw, ci) taps are
// contiguous in both the input and the filter and run as one loop of kw·c steps (same order).
__attribute__((target("avx2"))) void Pixels4x16Avx2(const Conv2DFloatShape& s, const float* in, const float* filter, float* out,
                                                    int64_t b, int64_t i, int64_t j, int64_t o0) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
  __m256 a4 = _mm256_setzero_ps(), a5 = _mm256_setzero_ps(), a6 = _mm256_setzero_ps(), a7 = _mm256_setzero_ps();
  const int64_t xs = s.sw * s.c;
  const int64_t x0 = j * s.sw - s.padLeft;  // first tap column of pixel j
  const bool rowInside = x0 >= 0 && x0 + 3 * s.sw + (s.kw - 1) * s.dw < s.w;
  for (int64_t p = 0; p < s.kh; ++p) {
    const int64_t y = i * s.sh - s.padTop + p * s.dh;
    if (y < 0 || y >= s.h) continue;
    const float* rowIn = in + (b * s.h + y) * s.w * s.c;
    const float* rowW = filter + p * s.kw * s.c * s.co + o0;
    if (rowInside && s.dw == 1) {
      const float* xp = rowIn + x0 * s.c;
      const int64_t m1 = s.kw * s.c;
      for (int64_t m = 0; m < m1; ++m) {
        const __m256 w0 = _mm256_loadu_ps(rowW + m * s.co), w1 = _mm256_loadu_ps(rowW + m * s.co + 8);
        const __m256 v0 = _mm256_broadcast_ss(xp + m), v1 = _mm256_broadcast_ss(xp + xs + m);
        const __m256 v2 = _mm256_broadcast_ss(xp + 2 * xs + m), v3 = _mm256_broadcast_ss(xp + 3 * xs + m);
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(v0, w0));
        a1 = _mm256_add_ps(a1, _mm256_mul_ps(v0, w1));
        a2 = _mm256_add_ps(a2, _mm256_mul_ps(v1, w0));
        a3 = _mm256_add_ps(a3, _mm256_mul_ps(v1, w1));
        a4 = _mm256_add_ps(a4, _mm256_mul_ps(v2, w0));
        a5 = _mm256_add_ps(a5, _mm256_mul_ps(v2, w1));
        a6 = _mm256_add_ps(a6, _mm256_mul_ps(v3, w0));
        a7 = _mm256_add_ps(a7, _mm256_mul_ps(v3, w1));
      }
      continue;
    }
    for (int64_t q = 0; q < s.kw; ++q) {
      const int64_t x = x0 + q * s.dw;  // tap column of pixel j; pixel j + k adds k·sw
      const float* wp = rowW + q * s.c * s.co;
      const bool in0 = x >= 0 && x < s.w, in1 = x + s.sw >= 0 && x + s.sw < s.w;
      const bool in2 = x + 2 * s.sw >= 0 && x + 2 * s.sw < s.w, in3 = x + 3 * s.sw >= 0 && x + 3 * s.sw < s.w;
      const float* xp = rowIn + x * s.c;
      if (in0 && in1 && in2 && in3) {
        for (int64_t ci = 0; ci < s.c; ++ci) {
          const __m256 w0 = _mm256_loadu_ps(wp + ci * s.co), w1 = _mm256_loadu_ps(wp + ci * s.co + 8);
          const __m256 v0 = _mm256_broadcast_ss(xp + ci), v1 = _mm256_broadcast_ss(xp + xs + ci);
          const __m256 v2 = _mm256_broadcast_ss(xp + 2 * xs + ci), v3 = _mm256_broadcast_ss(xp + 3 * xs + ci);
          a0 = _mm256_add_ps(a0, _mm256_mul_ps(v0, w0));
          a1 = _mm256_add_ps(a1, _mm256_mul_ps(v0, w1));
          a2 = _mm256_add_ps(a2, _mm256_mul_ps(v1, w0));
          a3 = _mm256_add_ps(a3, _mm256_mul_ps(v1, w1));
          a4 = _mm256_add_ps(a4, _mm256_mul_ps(v2, w0));
          a5 = _mm256_add_ps(a5, _mm256_mul_ps(v2, w1));
          a6 = _mm256_add_ps(a6, _mm256_mul_ps(v3, w0));
          a7 = _mm256_add_ps(a7, _mm256_mul_ps(v3, w1));
        }
        continue;
      }
      // Some pixels' tap is outside: only the others add it (each in its own order).
      for (int64_t ci = 0; ci < s.c; ++ci) {
        const __m256 w0 = _mm256_loadu_ps(wp + ci * s.co), w1 = _mm256_loadu_ps(wp + ci * s.co + 8);
        if (in0) {
          const __m256 v = _mm256_broadcast_ss(xp + ci);
          a0 = _mm256_add_ps(a0, _mm256_mul_ps(v, w0));
          a1 = _mm256_add_ps(a1, _mm256_mul_ps(v, w1));
        }
        if (in1) {
          const __m256 v = _mm256_broadcast_ss(xp + xs + ci);
          a2 = _mm256_add_ps(a2, _mm256_mul_ps(v, w0));
          a3 = _mm256_add_ps(a3, _mm256_mul_ps(v, w1));
        }
        if (in2) {
          const __m256 v = _mm256_broadcast_ss(xp + 2 * xs + ci);
          a4 = _mm256_add_ps(a4, _mm256_mul_ps(v, w0));
          a5 = _mm256_add_ps(a5, _mm256_mul_ps(v, w1));
        }
        if (in3) {
          const __m256 v = _mm256_broadcast_ss(xp + 3 * xs + ci);
          a6 = _mm256_add_ps(a6, _mm256_mul_ps(v, w0));
          a7 = _mm256_add_ps(a7, _mm256_mul_ps(v, w1));
        }
      }
    }
  }
  float* op = out + ((b * s.oh + i) * s.ow + j) * s.co + o0;
  _mm256_storeu_ps(op, a0);
  _mm256_storeu_ps(op + 8, a1);
  _mm256_storeu_ps(op + s.co, a2);
  _mm256_storeu_ps(op + s.co + 8, a3);
  _mm256_storeu_ps(op + 2 * s.co, a4);
  _mm256_storeu_ps(op + 2 * s.co + 8, a5);
  _mm256_storeu_ps(op + 3 * s.co, a6);
  _mm256_storeu_ps(op + 3 * s.co + 8, a7);
}
#endif

template <bool kAvx2>
__attribute__((always_inline)) inline void PixelRange(const Conv2DFloatShape& s, const float* in, const float* filter, float* out,
                                                      int64_t begin, int64_t end) {
  for (int64_t pix = begin; pix < end; ++pix) {
    const int64_t j = pix % s.ow;
    const int64_t i = (pix / s.ow) % s.oh;
    const int64_t b = pix / (s.ow * s.oh);
#ifdef AXQ_CONV_AVX2
    if (kAvx2 && s.co % 16 == 0 && j + 4 <= s.ow && pix + 4 <= end) {
      for (int64_t o = 0; o < s.co; o += 16) Pixels4x16Avx2(s, in, filter, out, b, i, j, o);
      pix += 3;
      continue;
    }
#endif
    int64_t o = 0;
    for (; o + 32 <= s.co; o += 32) PixelBlock<32>(s, in, filter, out, b, i, j, o);
    for (; o + 16 <= s.co; o += 16) PixelBlock<16>(s, in, filter, out, b, i, j, o);
    for (; o + 8 <= s.co; o += 8) PixelBlock<8>(s, in, filter, out, b, i, j, o);
    PixelTail(s, in, filter, out, b, i, j, o);
  }
}

void PixelRangeBase(const Conv2DFloatShape& s, const float* in, const float* filter, float* out, int64_t begin, int64_t end) {
  PixelRange<false>(s, in, filter, out, begin, end);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2"))) void PixelRangeAvx2(const Conv2DFloatShape& s, const float* in, const float* filter, float* out,
                                                    int64_t begin, int64_t end) {
  PixelRange<true>(s, in, filter, out, begin, end);
}
bool HasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
#endif

using RangeFn = void (*)(const Conv2DFloatShape&, const float*, const float*, float*, int64_t, int64_t);

RangeFn ChooseRange() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (HasAvx2()) return PixelRangeAvx2;
#endif
  return PixelRangeBase;
}

}  // namespace

void Conv2DFloatFast(const Conv2DFloatShape& s, const float* in, const float* filter, float* out, int threads) {
  static const RangeFn range = ChooseRange();
  const int64_t pixels = s.n * s.oh * s.ow;
  if (pixels == 0 || s.co == 0) return;
  const int64_t work = pixels * s.co * s.kh * s.kw * s.c;
  int64_t t = ClampThreads(threads);
  if (work < (int64_t{1} << 16)) t = 1;
  ParallelRanges(pixels, t, [&](int64_t begin, int64_t end) { range(s, in, filter, out, begin, end); });
}

}  // namespace axq
