// Fast AxConv2D: weight-stationary product rows, no im2col, threads, run-time SIMD choice.
//
// The accumulator of axconv_kernel.h splits, exactly in mod-2^32 arithmetic, into
//   acc[k] = sum_t T[x_t][w_tk]  -  zf * sum_t x_t  -  zi * sum_t w_tk  +  n * zi * zf
// over the taps t of the window. Only the first sum needs the table. Since the filter is a
// constant, PrepareFilter stores for every tap t and activation code x the row of K products
// T[x][w_tk] (uint16), so one tap of one output pixel is a single contiguous row, added to K
// accumulators held in registers (a widening uint16 -> uint32 vector add). The other sums are
// per pixel (sum of x) or per channel (sum of w) and cost almost nothing.
//
// Memory traffic, not arithmetic, is the cost: output pixels are processed in blocks whose
// accumulators stay in L2, kernel row by kernel row, through tiles of a few hundred KiB of
// product rows that every pixel of the block uses before the next tile is touched. Taps with
// x = 0 are skipped when code 0's rows are zero and zeros are common (ReLU outputs). The inner
// loop is chosen at run time: AVX2, else SSE2 (x86-64) or NEON (ARM64), else scalar.
//
// Work is split into blocks of output pixels; every output element is computed by exactly one
// thread, in a fixed order of exact integer additions, so results never depend on the thread count.
#include <algorithm>
#include <cstring>

#include "axconv_kernel.h"
#include "axconv_thread_pool.h"
#include "cpu_features.h"

#if defined(__GNUC__) || defined(__clang__)
#define AXQ_ALWAYS_INLINE inline __attribute__((always_inline))
#define AXQ_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define AXQ_ALWAYS_INLINE __forceinline
#define AXQ_NOINLINE __declspec(noinline)
#else
#define AXQ_ALWAYS_INLINE inline
#define AXQ_NOINLINE
#endif

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace axq {

std::shared_ptr<PreparedFilter> PrepareFilter(const ConvGeometry& g, const uint8_t* filter,
                                              const uint16_t* table, int threads) {
  auto p = std::make_shared<PreparedFilter>();
  p->KH = g.KH;
  p->KW = g.KW;
  p->C = g.C;
  p->K = g.K;
  p->Kp = (g.K + 7) / 8 * 8;
  const int64_t taps = g.KH * g.KW * g.C;
  const int64_t Kp = p->Kp;
  // One cache line of padding between taps: with a power-of-two stride (256 x Kp x 2 bytes)
  // the hot row of every tap (the zero point's) would fall into the same L1 set.
  p->tapStride = 256 * Kp + 32;
  p->rows.assign(static_cast<size_t>(taps * p->tapStride), 0);
  p->wSum.assign(static_cast<size_t>(Kp), 0);
  p->wSumAt.assign(static_cast<size_t>(g.KH * g.KW * Kp), 0);
  // The rows of different taps are independent: built on all threads.
  ParallelFor(taps, threads, [&](int64_t t) {
    const uint8_t* w = filter + t * g.K;
    uint16_t* out = p->rows.data() + t * p->tapStride;
    for (int64_t x = 0; x < 256; ++x) {
      const uint16_t* trow = table + x * 256;
      uint16_t* row = out + x * Kp;
      for (int64_t k = 0; k < g.K; ++k) row[k] = trow[w[k]];
    }
  });
  for (int64_t t = 0; t < taps; ++t) {
    const uint8_t* w = filter + t * g.K;
    uint32_t* at = p->wSumAt.data() + (t / g.C) * Kp;
    for (int64_t k = 0; k < g.K; ++k) {
      p->wSum[k] += w[k];
      at[k] += w[k];
    }
  }
  bool zeroRows = true;
  for (int64_t t = 0; t < taps && zeroRows; ++t) {
    const uint16_t* row = p->rows.data() + t * p->tapStride;  // x = 0
    for (int64_t k = 0; k < Kp; ++k) zeroRows = zeroRows && row[k] == 0;
  }
  p->zeroCodeRowsZero = zeroRows;
  return p;
}

namespace {

struct RunState {
  const ConvGeometry* g;
  const ConvQuant* q;
  const uint8_t* input;
  const PreparedFilter* p;
  int32_t* output;
  std::vector<uint32_t> padRows;  // [KH*KW][Kp]: sum over c of rows[t][padCode] (kTable mode)
  uint32_t padX = 0;              // padCode * C: sum of x over one out-of-image (dy, dx)
  int64_t pixels = 0;             // N * Ho * Wo output pixels
  int64_t block = 0;              // output pixels per task
  int64_t group = 0;              // channels per table tile
  bool skipZero = false;          // skip x = 0 taps (their rows are zero, and they are common)
};

// Largest table tile, in taps: tiles hold at most 512 KiB of rows and Kp >= 8.
constexpr int64_t kMaxGroup = 524288 / (512 * 8);

struct Scratch {
  std::vector<uint32_t> acc;    // [block][Kp]: table sums
  std::vector<uint32_t> wOut;   // [block][Kp]: sum of w over out-of-image taps (kZero mode)
  std::vector<uint32_t> sumX;   // [block]
  std::vector<int64_t> inTaps;  // [block]
  std::vector<int64_t> y0, x0;  // [block]: window origins
  std::vector<const uint8_t*> image, xs;
};

// acc[0..KC) += the product rows of G consecutive channels, the KC accumulators held in vector
// registers meanwhile. One adder per instruction set; all compute the same exact uint32 sums.
#if defined(__x86_64__) || defined(__i386__)
struct Sse2Adder {
  static constexpr int kMaxChunk = 32;  // 16 xmm registers
  template <int KC>
  static AXQ_ALWAYS_INLINE void Add(uint32_t* acc, const uint16_t* base,
                                                        const uint8_t* xs, int64_t G,
                                                        int64_t channelStride, int64_t Kp) {
    __m128i a[KC / 4];
    const __m128i zero = _mm_setzero_si128();
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) a[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(acc + 4 * j));
    for (int64_t c = 0; c < G; ++c) {
      const uint16_t* row = base + c * channelStride + static_cast<int64_t>(xs[c]) * Kp;
#pragma GCC unroll 8
      for (int j = 0; j < KC / 8; ++j) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 8 * j));
        a[2 * j] = _mm_add_epi32(a[2 * j], _mm_unpacklo_epi16(v, zero));
        a[2 * j + 1] = _mm_add_epi32(a[2 * j + 1], _mm_unpackhi_epi16(v, zero));
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) _mm_storeu_si128(reinterpret_cast<__m128i*>(acc + 4 * j), a[j]);
  }

  template <int KC>
  static AXQ_ALWAYS_INLINE void AddList(uint32_t* acc, const uint16_t* base, const uint32_t* offsets, int64_t n) {
    __m128i a[KC / 4];
    const __m128i zero = _mm_setzero_si128();
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) a[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(acc + 4 * j));
    for (int64_t e = 0; e < n; ++e) {
      const uint16_t* row = base + offsets[e];
#pragma GCC unroll 8
      for (int j = 0; j < KC / 8; ++j) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 8 * j));
        a[2 * j] = _mm_add_epi32(a[2 * j], _mm_unpacklo_epi16(v, zero));
        a[2 * j + 1] = _mm_add_epi32(a[2 * j + 1], _mm_unpackhi_epi16(v, zero));
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) _mm_storeu_si128(reinterpret_cast<__m128i*>(acc + 4 * j), a[j]);
  }

  // Every pixel of a block through one table tile.
  template <int KC>
  AXQ_NOINLINE static void Tile(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                    const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    for (int64_t i = 0; i < np; ++i) {
      if (xs[i]) Add<KC>(acc + i * Kp, tile, xs[i] + c0, G, channelStride, Kp);
    }
  }

  // One pixel, all Kp channels (border pixels whose kernel row is only partly inside).
  template <int KC>
  AXQ_NOINLINE static void Pixel(uint32_t* acc, int64_t Kp, const uint16_t* base, const uint8_t* xs,
                     int64_t G, int64_t channelStride) {
    for (int64_t kc = 0; kc < Kp; kc += KC) Add<KC>(acc + kc, base + kc, xs, G, channelStride, Kp);
  }

  // As Tile, skipping taps with x = 0 (valid when every product row of code 0 is zero, as for
  // nearly every multiplier): the offsets of the other rows are gathered first, branch-free.
  template <int KC>
  AXQ_NOINLINE static void TileSkipZero(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                            const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    uint32_t offsets[kMaxGroup];
    for (int64_t i = 0; i < np; ++i) {
      const uint8_t* x = xs[i];
      if (!x) continue;
      x += c0;
      int64_t n = 0;
      for (int64_t c = 0; c < G; ++c) {
        offsets[n] = static_cast<uint32_t>(c * channelStride + static_cast<int64_t>(x[c]) * Kp);
        n += x[c] != 0;
      }
      AddList<KC>(acc + i * Kp, tile, offsets, n);
    }
  }
};

#if defined(__GNUC__) || defined(__clang__)
struct Avx2Adder {
  static constexpr int kMaxChunk = 64;  // 8 of the 16 ymm registers
  template <int KC>
  __attribute__((target("avx2"))) static AXQ_ALWAYS_INLINE void Add(
      uint32_t* acc, const uint16_t* base, const uint8_t* xs, int64_t G, int64_t channelStride,
      int64_t Kp) {
    __m256i a[KC / 8];
#pragma GCC unroll 8
    for (int j = 0; j < KC / 8; ++j) a[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + 8 * j));
    for (int64_t c = 0; c < G; ++c) {
      const uint16_t* row = base + c * channelStride + static_cast<int64_t>(xs[c]) * Kp;
#pragma GCC unroll 8
      for (int j = 0; j < KC / 8; ++j) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 8 * j));
        a[j] = _mm256_add_epi32(a[j], _mm256_cvtepu16_epi32(v));
      }
    }
#pragma GCC unroll 8
    for (int j = 0; j < KC / 8; ++j) _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + 8 * j), a[j]);
  }

  template <int KC>
  __attribute__((target("avx2"))) static AXQ_ALWAYS_INLINE void AddList(uint32_t* acc, const uint16_t* base, const uint32_t* offsets, int64_t n) {
    __m256i a[KC / 8];
#pragma GCC unroll 8
    for (int j = 0; j < KC / 8; ++j) a[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + 8 * j));
    for (int64_t e = 0; e < n; ++e) {
      const uint16_t* row = base + offsets[e];
#pragma GCC unroll 8
      for (int j = 0; j < KC / 8; ++j) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 8 * j));
        a[j] = _mm256_add_epi32(a[j], _mm256_cvtepu16_epi32(v));
      }
    }
#pragma GCC unroll 8
    for (int j = 0; j < KC / 8; ++j) _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + 8 * j), a[j]);
  }

  // Every pixel of a block through one table tile.
  template <int KC>
  __attribute__((target("avx2"), noinline)) static void Tile(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                    const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    for (int64_t i = 0; i < np; ++i) {
      if (xs[i]) Add<KC>(acc + i * Kp, tile, xs[i] + c0, G, channelStride, Kp);
    }
  }

  // One pixel, all Kp channels (border pixels whose kernel row is only partly inside).
  template <int KC>
  __attribute__((target("avx2"), noinline)) static void Pixel(uint32_t* acc, int64_t Kp, const uint16_t* base, const uint8_t* xs,
                     int64_t G, int64_t channelStride) {
    for (int64_t kc = 0; kc < Kp; kc += KC) Add<KC>(acc + kc, base + kc, xs, G, channelStride, Kp);
  }

  // As Tile, skipping taps with x = 0 (valid when every product row of code 0 is zero, as for
  // nearly every multiplier): the offsets of the other rows are gathered first, branch-free.
  template <int KC>
  __attribute__((target("avx2"), noinline)) static void TileSkipZero(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                            const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    uint32_t offsets[kMaxGroup];
    for (int64_t i = 0; i < np; ++i) {
      const uint8_t* x = xs[i];
      if (!x) continue;
      x += c0;
      int64_t n = 0;
      for (int64_t c = 0; c < G; ++c) {
        offsets[n] = static_cast<uint32_t>(c * channelStride + static_cast<int64_t>(x[c]) * Kp);
        n += x[c] != 0;
      }
      AddList<KC>(acc + i * Kp, tile, offsets, n);
    }
  }
};
#endif
using GenericAdder = Sse2Adder;
#elif defined(__aarch64__)
struct NeonAdder {
  static constexpr int kMaxChunk = 64;  // 16 of the 32 NEON registers
  template <int KC>
  static AXQ_ALWAYS_INLINE void Add(uint32_t* acc, const uint16_t* base,
                                                        const uint8_t* xs, int64_t G,
                                                        int64_t channelStride, int64_t Kp) {
    uint32x4_t a[KC / 4];
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) a[j] = vld1q_u32(acc + 4 * j);
    for (int64_t c = 0; c < G; ++c) {
      const uint16_t* row = base + c * channelStride + static_cast<int64_t>(xs[c]) * Kp;
#pragma GCC unroll 8
      for (int j = 0; j < KC / 8; ++j) {
        const uint16x8_t v = vld1q_u16(row + 8 * j);
        a[2 * j] = vaddw_u16(a[2 * j], vget_low_u16(v));
        a[2 * j + 1] = vaddw_high_u16(a[2 * j + 1], v);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) vst1q_u32(acc + 4 * j, a[j]);
  }

  template <int KC>
  static AXQ_ALWAYS_INLINE void AddList(uint32_t* acc, const uint16_t* base, const uint32_t* offsets, int64_t n) {
    uint32x4_t a[KC / 4];
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) a[j] = vld1q_u32(acc + 4 * j);
    for (int64_t e = 0; e < n; ++e) {
      const uint16_t* row = base + offsets[e];
#pragma GCC unroll 8
      for (int j = 0; j < KC / 8; ++j) {
        const uint16x8_t v = vld1q_u16(row + 8 * j);
        a[2 * j] = vaddw_u16(a[2 * j], vget_low_u16(v));
        a[2 * j + 1] = vaddw_high_u16(a[2 * j + 1], v);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < KC / 4; ++j) vst1q_u32(acc + 4 * j, a[j]);
  }

  // Every pixel of a block through one table tile.
  template <int KC>
  AXQ_NOINLINE static void Tile(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                    const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    for (int64_t i = 0; i < np; ++i) {
      if (xs[i]) Add<KC>(acc + i * Kp, tile, xs[i] + c0, G, channelStride, Kp);
    }
  }

  // One pixel, all Kp channels (border pixels whose kernel row is only partly inside).
  template <int KC>
  AXQ_NOINLINE static void Pixel(uint32_t* acc, int64_t Kp, const uint16_t* base, const uint8_t* xs,
                     int64_t G, int64_t channelStride) {
    for (int64_t kc = 0; kc < Kp; kc += KC) Add<KC>(acc + kc, base + kc, xs, G, channelStride, Kp);
  }

  // As Tile, skipping taps with x = 0 (valid when every product row of code 0 is zero, as for
  // nearly every multiplier): the offsets of the other rows are gathered first, branch-free.
  template <int KC>
  AXQ_NOINLINE static void TileSkipZero(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                            const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    uint32_t offsets[kMaxGroup];
    for (int64_t i = 0; i < np; ++i) {
      const uint8_t* x = xs[i];
      if (!x) continue;
      x += c0;
      int64_t n = 0;
      for (int64_t c = 0; c < G; ++c) {
        offsets[n] = static_cast<uint32_t>(c * channelStride + static_cast<int64_t>(x[c]) * Kp);
        n += x[c] != 0;
      }
      AddList<KC>(acc + i * Kp, tile, offsets, n);
    }
  }
};
using GenericAdder = NeonAdder;
#else
struct ScalarAdder {
  static constexpr int kMaxChunk = 16;
  template <int KC>
  static inline void Add(uint32_t* acc, const uint16_t* base, const uint8_t* xs, int64_t G,
                         int64_t channelStride, int64_t Kp) {
    uint32_t a[KC];
    for (int k = 0; k < KC; ++k) a[k] = acc[k];
    for (int64_t c = 0; c < G; ++c) {
      const uint16_t* row = base + c * channelStride + static_cast<int64_t>(xs[c]) * Kp;
      for (int k = 0; k < KC; ++k) a[k] += row[k];
    }
    for (int k = 0; k < KC; ++k) acc[k] = a[k];
  }

  template <int KC>
  static inline void AddList(uint32_t* acc, const uint16_t* base, const uint32_t* offsets, int64_t n) {
    uint32_t a[KC];
    for (int k = 0; k < KC; ++k) a[k] = acc[k];
    for (int64_t e = 0; e < n; ++e) {
      const uint16_t* row = base + offsets[e];
      for (int k = 0; k < KC; ++k) a[k] += row[k];
    }
    for (int k = 0; k < KC; ++k) acc[k] = a[k];
  }

  // Every pixel of a block through one table tile.
  template <int KC>
  AXQ_NOINLINE static void Tile(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                    const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    for (int64_t i = 0; i < np; ++i) {
      if (xs[i]) Add<KC>(acc + i * Kp, tile, xs[i] + c0, G, channelStride, Kp);
    }
  }

  // One pixel, all Kp channels (border pixels whose kernel row is only partly inside).
  template <int KC>
  AXQ_NOINLINE static void Pixel(uint32_t* acc, int64_t Kp, const uint16_t* base, const uint8_t* xs,
                     int64_t G, int64_t channelStride) {
    for (int64_t kc = 0; kc < Kp; kc += KC) Add<KC>(acc + kc, base + kc, xs, G, channelStride, Kp);
  }

  // As Tile, skipping taps with x = 0 (valid when every product row of code 0 is zero, as for
  // nearly every multiplier): the offsets of the other rows are gathered first, branch-free.
  template <int KC>
  AXQ_NOINLINE static void TileSkipZero(uint32_t* acc, int64_t np, int64_t Kp, const uint16_t* tile,
                            const uint8_t* const* xs, int64_t c0, int64_t G, int64_t channelStride) {
    uint32_t offsets[kMaxGroup];
    for (int64_t i = 0; i < np; ++i) {
      const uint8_t* x = xs[i];
      if (!x) continue;
      x += c0;
      int64_t n = 0;
      for (int64_t c = 0; c < G; ++c) {
        offsets[n] = static_cast<uint32_t>(c * channelStride + static_cast<int64_t>(x[c]) * Kp);
        n += x[c] != 0;
      }
      AddList<KC>(acc + i * Kp, tile, offsets, n);
    }
  }
};
using GenericAdder = ScalarAdder;
#endif

// One task: output pixels [task*block, ...), kernel row by kernel row. For a pixel whose kernel
// row lies inside the image, the KW*C taps of that row are KW*C consecutive input bytes and KW*C
// consecutive tables, walked in tiles of `group` taps so that the product rows of one tile stay
// in cache while every pixel of the block uses them. Pixels at the border are handled one by one.
template <int KC, class Adder>
static void BlockImpl(const RunState& s, int64_t task) {
  const ConvGeometry& g = *s.g;
  const PreparedFilter& p = *s.p;
  const int64_t Kp = p.Kp;
  const int64_t C = g.C;
  const int64_t p0 = task * s.block;
  const int64_t np = std::min(s.block, s.pixels - p0);
  const bool zeroPad = s.q->padMode == PadMode::kZero;
  thread_local Scratch sc;
  sc.acc.assign(static_cast<size_t>(np * Kp), 0);
  if (zeroPad) sc.wOut.assign(static_cast<size_t>(np * Kp), 0);
  sc.sumX.assign(static_cast<size_t>(np), 0);
  sc.inTaps.assign(static_cast<size_t>(np), 0);
  sc.y0.resize(static_cast<size_t>(np));
  sc.x0.resize(static_cast<size_t>(np));
  sc.image.resize(static_cast<size_t>(np));
  sc.xs.resize(static_cast<size_t>(np));
  // Pixel coordinates: one division for the block, then stepping (ox, oy, n).
  const int64_t plane = g.Ho * g.Wo;
  int64_t n = p0 / plane;
  int64_t oy = (p0 % plane) / g.Wo;
  int64_t ox = p0 % g.Wo;
  for (int64_t i = 0; i < np; ++i) {
    sc.y0[i] = oy * g.stride - g.offTop;
    sc.x0[i] = ox * g.stride - g.offLeft;
    sc.image[i] = s.input + n * g.H * g.W * C;
    if (++ox == g.Wo) {
      ox = 0;
      if (++oy == g.Ho) {
        oy = 0;
        ++n;
      }
    }
  }
  // Plain pointers into the thread's scratch (no thread-local lookups in the loops).
  uint32_t* acc = sc.acc.data();
  uint32_t* wOut = sc.wOut.data();
  uint32_t* sumX = sc.sumX.data();
  int64_t* inTaps = sc.inTaps.data();
  const int64_t* y0s = sc.y0.data();
  const int64_t* x0s = sc.x0.data();
  const uint8_t* const* images = sc.image.data();
  const uint8_t** xsOf = sc.xs.data();
  const int64_t channelStride = p.tapStride;
  const int64_t seg = g.KW * C;
  // An out-of-image tap position (dy, dx) of pixel i.
  auto pad = [&](int64_t i, int64_t at) {
    if (zeroPad) {
      const uint32_t* ws = p.wSumAt.data() + at * Kp;
      uint32_t* wo = wOut + i * Kp;
      for (int64_t k = 0; k < Kp; ++k) wo[k] += ws[k];
    } else {
      const uint32_t* pr = s.padRows.data() + at * Kp;
      uint32_t* a = acc + i * Kp;
      for (int64_t k = 0; k < Kp; ++k) a[k] += pr[k];
      sumX[i] += s.padX;
    }
  };
  for (int64_t dy = 0; dy < g.KH; ++dy) {
    for (int64_t i = 0; i < np; ++i) {
      xsOf[i] = nullptr;
      const int64_t iy = y0s[i] + dy;
      const int64_t x0 = x0s[i];
      if (iy < 0 || iy >= g.H) {
        for (int64_t dx = 0; dx < g.KW; ++dx) pad(i, dy * g.KW + dx);
      } else if (x0 >= 0 && x0 + g.KW <= g.W) {
        const uint8_t* xs = images[i] + (iy * g.W + x0) * C;
        xsOf[i] = xs;
        uint32_t sx = 0;
        for (int64_t t = 0; t < seg; ++t) sx += xs[t];
        sumX[i] += sx;
        inTaps[i] += seg;
      } else {
        for (int64_t dx = 0; dx < g.KW; ++dx) {
          const int64_t ix = x0 + dx;
          if (ix < 0 || ix >= g.W) {
            pad(i, dy * g.KW + dx);
            continue;
          }
          const uint8_t* xs = images[i] + (iy * g.W + ix) * C;
          uint32_t sx = 0;
          for (int64_t c = 0; c < C; ++c) sx += xs[c];
          sumX[i] += sx;
          inTaps[i] += C;
          Adder::template Pixel<KC>(acc + i * Kp, Kp, p.rows.data() + (dy * g.KW + dx) * C * channelStride, xs, C,
                                    channelStride);
        }
      }
    }
    for (int64_t c0 = 0; c0 < seg; c0 += s.group) {
      const int64_t G = std::min(s.group, seg - c0);
      const uint16_t* tile = p.rows.data() + (dy * seg + c0) * channelStride;
      for (int64_t kc = 0; kc < Kp; kc += KC) {
        if (s.skipZero) {
          Adder::template TileSkipZero<KC>(acc + kc, np, Kp, tile + kc, xsOf, c0, G, channelStride);
        } else {
          Adder::template Tile<KC>(acc + kc, np, Kp, tile + kc, xsOf, c0, G, channelStride);
        }
      }
    }
  }
  const uint32_t zi = static_cast<uint32_t>(s.q->zi);
  const uint32_t zf = static_cast<uint32_t>(s.q->zf);
  const uint32_t allTaps = static_cast<uint32_t>(g.KH * g.KW * C);
  for (int64_t i = 0; i < np; ++i) {
    int32_t* out = s.output + (p0 + i) * g.K;
    const uint32_t* a = acc + i * Kp;
    const uint32_t count = zeroPad ? static_cast<uint32_t>(inTaps[i]) : allTaps;
    const uint32_t ziZf = count * zi * zf;
    const uint32_t sx = sumX[i];
    for (int64_t k = 0; k < g.K; ++k) {
      const uint32_t sumW = p.wSum[k] - (zeroPad ? wOut[i * Kp + k] : 0u);
      out[k] = static_cast<int32_t>(a[k] - zf * sx - zi * sumW + ziZf);
    }
  }
}

template <int KC>
static void BlockGeneric(const RunState& s, int64_t task) {
  BlockImpl<KC, GenericAdder>(s, task);
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_HAVE_AVX2_PATH 1
template <int KC>
static void BlockAvx2(const RunState& s, int64_t task) {
  BlockImpl<KC, Avx2Adder>(s, task);
}
#endif

using BlockFn = void (*)(const RunState&, int64_t);

// A large output that is a fresh zero-filled allocation from JavaScript (tens of MB at batch
// 1000: the first batch of a Session, or any call outside one; later batches reuse the Session's
// recycled buffers) is faulted in 4 KiB page by page on first write, which at batch 1000 cost
// about as much as the arithmetic of the 32x32 layers. Where the kernel allows transparent huge pages on request
// (the common "madvise" setting), ask for them on the 2 MiB-aligned interior: one fault per
// 2 MiB. Only a hint: failures are ignored and the values written are the same.
static void AdviseHugePages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (bytes < 2 * kHuge) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

// The widest register chunk (64, 32, 16 or 8 output channels) that divides Kp and that the
// chosen instruction set can hold in registers.
static BlockFn PickBlock(int64_t Kp) {
#ifdef AXQ_HAVE_AVX2_PATH
  if (CpuHasAvx2()) {
    if (Kp % 64 == 0) return &BlockAvx2<64>;
    if (Kp % 32 == 0) return &BlockAvx2<32>;
    if (Kp % 16 == 0) return &BlockAvx2<16>;
    return &BlockAvx2<8>;
  }
#endif
  if (GenericAdder::kMaxChunk >= 64 && Kp % 64 == 0) return &BlockGeneric<(GenericAdder::kMaxChunk >= 64 ? 64 : 8)>;
  if (GenericAdder::kMaxChunk >= 32 && Kp % 32 == 0) return &BlockGeneric<(GenericAdder::kMaxChunk >= 32 ? 32 : 8)>;
  if (GenericAdder::kMaxChunk >= 16 && Kp % 16 == 0) return &BlockGeneric<16>;
  return &BlockGeneric<8>;
}

}  // namespace

double PreparedBytes(const ConvGeometry& g) {
  return double(g.KH) * double(g.KW) * double(g.C) * (256.0 * double((g.K + 7) / 8 * 8) + 32.0) * 2.0;
}

void AxConvDirectParallel(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                          const uint8_t* filter, const uint16_t* table, int32_t* output, int threads) {
  ConvGeometry one = g;
  one.N = 1;
  const int64_t inStride = g.H * g.W * g.C;
  const int64_t outStride = g.Ho * g.Wo * g.K;
  ParallelFor(g.N, threads, [&](int64_t n) {
    AxConvReference(one, q, input + n * inStride, filter, table, output + n * outStride);
  });
}

const char* AxConvFastVariant() {
#ifdef AXQ_HAVE_AVX2_PATH
  if (CpuHasAvx2()) return "avx2";
#endif
  return "generic";
}

bool AxConvFast(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                const PreparedFilter& p, int32_t* output, int threads) {
  RunState s;
  s.g = &g;
  s.q = &q;
  s.input = input;
  s.p = &p;
  s.output = output;
  const int64_t Kp = p.Kp;
  if (q.padMode == PadMode::kTable) {
    s.padRows.assign(static_cast<size_t>(g.KH * g.KW * Kp), 0);
    for (int64_t at = 0; at < g.KH * g.KW; ++at) {
      uint32_t* dst = s.padRows.data() + at * Kp;
      for (int64_t c = 0; c < g.C; ++c) {
        const uint16_t* row = p.rows.data() + (at * g.C + c) * p.tapStride + static_cast<int64_t>(q.padCode) * Kp;
        for (int64_t k = 0; k < Kp; ++k) dst[k] += row[k];
      }
    }
    s.padX = static_cast<uint32_t>(q.padCode) * static_cast<uint32_t>(g.C);
  }
  const BlockFn block = PickBlock(Kp);
  s.pixels = g.N * g.Ho * g.Wo;
  // Blocking, measured on ResNet-8 shapes (AMD EPYC, 32 KiB L1d, 512 KiB L2): a block of output
  // pixels keeps its accumulators to about 128 KiB, and a table tile of up to 512 KiB
  // (group x 256 x Kp x 2 bytes) is walked while every pixel of the block uses it, so a product
  // row comes from far away about once per block rather than once per pixel. With ReLU-like
  // activations only the rows of small codes are hot, and large tiles (fewer accumulator
  // loads and stores per row) win; with uniformly random codes smaller tiles would be better.
  // Blocks are made smaller when that is needed to give every thread several of them.
  const int64_t threadCount = std::max(threads, 1);
  s.block = std::max<int64_t>(16, std::min<int64_t>(2048, 32768 / Kp));
  s.block = std::max<int64_t>(16, std::min<int64_t>(s.block, (s.pixels + 4 * threadCount - 1) / (4 * threadCount)));
  s.group = std::max<int64_t>(1, std::min<int64_t>(g.KW * g.C, 524288 / (512 * Kp)));
  // Skipping x = 0 taps costs a compaction step per tap and saves a row of adds per zero: worth
  // it when zeros are common (ReLU outputs with zero point 0), judged from a sample of the input.
  if (p.zeroCodeRowsZero) {
    const int64_t size = g.N * g.H * g.W * g.C;
    const int64_t step = std::max<int64_t>(1, size / 65536);
    int64_t zeros = 0, seen = 0;
    for (int64_t i = 0; i < size; i += step, ++seen) zeros += input[i] == 0;
    s.skipZero = zeros * 4 >= seen;
  }
  AdviseHugePages(output, static_cast<size_t>(s.pixels * g.K) * sizeof(int32_t));
  const int64_t tasks = (s.pixels + s.block - 1) / s.block;
  ParallelFor(tasks, threads, [&](int64_t task) { block(s, task); });
  return s.skipZero;
}

}  // namespace axq
