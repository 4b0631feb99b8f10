// Float32 Conv2D: reference and fast kernels (see conv2d_float.h for the accumulation order).
//
// Fast path: threads take contiguous ranges of output pixels (n, oh, ow); for one pixel, every
// output channel keeps its own float32 accumulator and the (kh, kw, ci) taps are visited in the
// same order as the reference, so vectorising across output channels changes nothing in any
// single sum. Channel blocks of 16/8 keep the accumulators in registers; on x86-64 an AVX2 copy
// of the same code is chosen at run time (no FMA: mul and add stay separate roundings).
#include "conv2d_float.h"

#include <algorithm>
#include <thread>
#include <vector>

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

__attribute__((always_inline)) inline void PixelRange(const Conv2DFloatShape& s, const float* in, const float* filter, float* out,
                                                      int64_t begin, int64_t end) {
  for (int64_t pix = begin; pix < end; ++pix) {
    const int64_t j = pix % s.ow;
    const int64_t i = (pix / s.ow) % s.oh;
    const int64_t b = pix / (s.ow * s.oh);
    int64_t o = 0;
    for (; o + 32 <= s.co; o += 32) PixelBlock<32>(s, in, filter, out, b, i, j, o);
    for (; o + 16 <= s.co; o += 16) PixelBlock<16>(s, in, filter, out, b, i, j, o);
    for (; o + 8 <= s.co; o += 8) PixelBlock<8>(s, in, filter, out, b, i, j, o);
    PixelTail(s, in, filter, out, b, i, j, o);
  }
}

void PixelRangeBase(const Conv2DFloatShape& s, const float* in, const float* filter, float* out, int64_t begin, int64_t end) {
  PixelRange(s, in, filter, out, begin, end);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2"))) void PixelRangeAvx2(const Conv2DFloatShape& s, const float* in, const float* filter, float* out,
                                                    int64_t begin, int64_t end) {
  PixelRange(s, in, filter, out, begin, end);
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
  int64_t t = std::max(1, threads);
  t = std::min<int64_t>(t, pixels);
  if (work < (int64_t{1} << 16)) t = 1;
  if (t == 1) {
    range(s, in, filter, out, 0, pixels);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  const int64_t chunk = (pixels + t - 1) / t;
  for (int64_t k = 1; k < t; ++k) {
    const int64_t begin = std::min(pixels, k * chunk), end = std::min(pixels, (k + 1) * chunk);
    pool.emplace_back([=, &s] { range(s, in, filter, out, begin, end); });
  }
  range(s, in, filter, out, 0, std::min(pixels, chunk));
  for (auto& th : pool) th.join();
}

}  // namespace axq
