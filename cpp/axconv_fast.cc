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
// Work is split by output rows (image, oy); every output element is computed by exactly one
// thread, so results never depend on the thread count.
#include <algorithm>
#include <cstring>

#include "axconv_kernel.h"
#include "axconv_thread_pool.h"
#include "cpu_features.h"

namespace axq {

std::shared_ptr<PreparedFilter> PrepareFilter(const ConvGeometry& g, const uint8_t* filter,
                                              const uint16_t* table) {
  auto p = std::make_shared<PreparedFilter>();
  p->KH = g.KH;
  p->KW = g.KW;
  p->C = g.C;
  p->K = g.K;
  p->Kp = (g.K + 7) / 8 * 8;
  const int64_t taps = g.KH * g.KW * g.C;
  const int64_t Kp = p->Kp;
  p->rows.assign(static_cast<size_t>(taps * 256 * Kp), 0);
  p->wSum.assign(static_cast<size_t>(Kp), 0);
  p->wSumAt.assign(static_cast<size_t>(g.KH * g.KW * Kp), 0);
  for (int64_t t = 0; t < taps; ++t) {
    const uint8_t* w = filter + t * g.K;
    uint16_t* out = p->rows.data() + t * 256 * Kp;
    for (int64_t x = 0; x < 256; ++x) {
      const uint16_t* trow = table + x * 256;
      uint16_t* row = out + x * Kp;
      for (int64_t k = 0; k < g.K; ++k) row[k] = trow[w[k]];
    }
    uint32_t* at = p->wSumAt.data() + (t / g.C) * Kp;
    for (int64_t k = 0; k < g.K; ++k) {
      p->wSum[k] += w[k];
      at[k] += w[k];
    }
  }
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
};

// One output pixel, channels [kc, kc + KC): the table sum and the pad bookkeeping.
template <int KC>
static inline __attribute__((always_inline)) void PixelChunk(const RunState& s, const uint8_t* image,
                                                             int64_t y0, int64_t x0, int64_t kc,
                                                             uint32_t* acc, uint32_t* wOut,
                                                             uint32_t& sumX, int64_t& inTaps) {
  const ConvGeometry& g = *s.g;
  const PreparedFilter& p = *s.p;
  const int64_t Kp = p.Kp;
  const int64_t C = g.C;
  uint32_t a[KC];
  uint32_t wo[KC];
  for (int k = 0; k < KC; ++k) a[k] = 0;
  for (int k = 0; k < KC; ++k) wo[k] = 0;
  uint32_t sx = 0;
  int64_t inside = 0;
  const bool zeroPad = s.q->padMode == PadMode::kZero;
  for (int64_t dy = 0; dy < g.KH; ++dy) {
    const int64_t iy = y0 + dy;
    const bool rowInside = iy >= 0 && iy < g.H;
    for (int64_t dx = 0; dx < g.KW; ++dx) {
      const int64_t ix = x0 + dx;
      const int64_t at = dy * g.KW + dx;
      if (rowInside && ix >= 0 && ix < g.W) {
        const uint8_t* xs = image + (iy * g.W + ix) * C;
        const uint16_t* base = p.rows.data() + at * C * 256 * Kp + kc;
        for (int64_t c = 0; c < C; ++c) {
          const uint32_t x = xs[c];
          const uint16_t* row = base + (c * 256 + x) * Kp;
          for (int k = 0; k < KC; ++k) a[k] += row[k];
          sx += x;
        }
        inside += C;
      } else if (zeroPad) {
        const uint32_t* ws = p.wSumAt.data() + at * Kp + kc;
        for (int k = 0; k < KC; ++k) wo[k] += ws[k];
      } else {
        const uint32_t* pr = s.padRows.data() + at * Kp + kc;
        for (int k = 0; k < KC; ++k) a[k] += pr[k];
        sx += s.padX;
      }
    }
  }
  for (int k = 0; k < KC; ++k) acc[k] = a[k];
  for (int k = 0; k < KC; ++k) wOut[k] = wo[k];
  sumX = sx;
  inTaps = inside;
}

template <int KC>
static inline __attribute__((always_inline)) void RowImpl(const RunState& s, int64_t r) {
  const ConvGeometry& g = *s.g;
  const PreparedFilter& p = *s.p;
  const int64_t n = r / g.Ho;
  const int64_t oy = r % g.Ho;
  const uint8_t* image = s.input + n * g.H * g.W * g.C;
  const uint32_t zi = static_cast<uint32_t>(s.q->zi);
  const uint32_t zf = static_cast<uint32_t>(s.q->zf);
  const bool zeroPad = s.q->padMode == PadMode::kZero;
  const int64_t taps = g.KH * g.KW * g.C;
  const int64_t y0 = oy * g.stride - g.offTop;
  for (int64_t ox = 0; ox < g.Wo; ++ox) {
    const int64_t x0 = ox * g.stride - g.offLeft;
    int32_t* out = s.output + (r * g.Wo + ox) * g.K;
    for (int64_t kc = 0; kc < p.Kp; kc += KC) {
      uint32_t acc[KC];
      uint32_t wOut[KC];
      uint32_t sumX = 0;
      int64_t inTaps = 0;
      PixelChunk<KC>(s, image, y0, x0, kc, acc, wOut, sumX, inTaps);
      const int64_t count = zeroPad ? inTaps : taps;
      const uint32_t ziZf = static_cast<uint32_t>(count) * zi * zf;
      const int64_t end = std::min<int64_t>(KC, g.K - kc);
      for (int64_t k = 0; k < end; ++k) {
        const uint32_t sumW = p.wSum[kc + k] - wOut[k];
        out[kc + k] = static_cast<int32_t>(acc[k] - zf * sumX - zi * sumW + ziZf);
      }
    }
  }
}

template <int KC>
static void RowGeneric(const RunState& s, int64_t r) {
  RowImpl<KC>(s, r);
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_HAVE_AVX2_PATH 1
template <int KC>
__attribute__((target("avx2"))) static void RowAvx2(const RunState& s, int64_t r) {
  RowImpl<KC>(s, r);
}
#endif

using RowFn = void (*)(const RunState&, int64_t);

template <int KC>
static RowFn PickRow() {
#ifdef AXQ_HAVE_AVX2_PATH
  if (CpuHasAvx2()) return &RowAvx2<KC>;
#endif
  return &RowGeneric<KC>;
}

}  // namespace

const char* AxConvFastVariant() {
#ifdef AXQ_HAVE_AVX2_PATH
  if (CpuHasAvx2()) return "avx2";
#endif
  return "generic";
}

void AxConvFast(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
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
        const uint16_t* row = p.rows.data() + ((at * g.C + c) * 256 + q.padCode) * Kp;
        for (int64_t k = 0; k < Kp; ++k) dst[k] += row[k];
      }
    }
    s.padX = static_cast<uint32_t>(q.padCode) * static_cast<uint32_t>(g.C);
  }
  RowFn row;
  if (Kp % 64 == 0) {
    row = PickRow<64>();
  } else if (Kp % 32 == 0) {
    row = PickRow<32>();
  } else if (Kp % 16 == 0) {
    row = PickRow<16>();
  } else {
    row = PickRow<8>();
  }
  const int64_t rows = g.N * g.Ho;
  // Blocks of rows per task: enough tasks to balance the threads, few enough to be cheap.
  const int64_t perTask = std::max<int64_t>(1, rows / (static_cast<int64_t>(std::max(threads, 1)) * 16));
  const int64_t tasks = (rows + perTask - 1) / perTask;
  ParallelFor(tasks, threads, [&](int64_t task) {
    const int64_t begin = task * perTask;
    const int64_t end = std::min(rows, begin + perTask);
    for (int64_t r = begin; r < end; ++r) row(s, r);
  });
}

}  // namespace axq
