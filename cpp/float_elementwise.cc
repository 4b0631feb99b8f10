// Float32 element-wise and pooling kernels (see float_elementwise.h). Plain loops the compiler
// vectorises (compare + blend for Relu, one IEEE operation per element for the binary ops), split
// into fixed chunks across the shared pool; pools take one output row of one image per task.
#include "float_elementwise.h"

#include <algorithm>
#include <cfloat>
#include <vector>

#include "parallel.h"

namespace axq {
namespace {

constexpr int64_t kChunk = 1 << 16;

template <class Fn>
void Chunks(int64_t n, int threads, Fn&& fn) {
  if (n <= 0) return;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  if (chunks == 1 || threads <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  Parallel(chunks, threads, [&](int64_t k) { fn(k * kChunk, std::min(n, (k + 1) * kChunk)); });
}

template <BinaryF32Op op>
inline float Apply(float a, float b) {
  switch (op) {
    case BinaryF32Op::kAdd: return a + b;
    case BinaryF32Op::kSub: return a - b;
    case BinaryF32Op::kMul: return a * b;
    default: return a / b;
  }
}

inline float Rectify(float v) { return v < 0.0f ? 0.0f : v; }  // Relu: NaN and -0 pass through

template <BinaryF32Op op, bool kRelu>
void Binary(const float* a, const float* b, bool bScalar, int64_t n, float* out, int threads) {
  Chunks(n, threads, [=](int64_t s, int64_t e) {
    if (bScalar) {
      const float v = b[0];
      for (int64_t i = s; i < e; ++i) out[i] = kRelu ? Rectify(Apply<op>(a[i], v)) : Apply<op>(a[i], v);
    } else {
      for (int64_t i = s; i < e; ++i) out[i] = kRelu ? Rectify(Apply<op>(a[i], b[i])) : Apply<op>(a[i], b[i]);
    }
  });
}

template <BinaryF32Op op>
void Binary(const float* a, const float* b, bool bScalar, int64_t n, float* out, int threads, bool relu) {
  if (relu)
    Binary<op, true>(a, b, bScalar, n, out, threads);
  else
    Binary<op, false>(a, b, bScalar, n, out, threads);
}

}  // namespace

void ReluF32(const float* x, int64_t n, bool six, float* out, int threads) {
  Chunks(n, threads, [=](int64_t s, int64_t e) {
    if (six) {
      for (int64_t i = s; i < e; ++i) {
        const float v = x[i] < 0.0f ? 0.0f : x[i];
        out[i] = 6.0f < v ? 6.0f : v;
      }
    } else {
      for (int64_t i = s; i < e; ++i) out[i] = Rectify(x[i]);
    }
  });
}

void BinaryF32(BinaryF32Op op, const float* a, const float* b, bool bScalar, int64_t n, float* out, int threads, bool relu) {
  switch (op) {
    case BinaryF32Op::kAdd: return Binary<BinaryF32Op::kAdd>(a, b, bScalar, n, out, threads, relu);
    case BinaryF32Op::kSub: return Binary<BinaryF32Op::kSub>(a, b, bScalar, n, out, threads, relu);
    case BinaryF32Op::kMul: return Binary<BinaryF32Op::kMul>(a, b, bScalar, n, out, threads, relu);
    case BinaryF32Op::kDiv: return Binary<BinaryF32Op::kDiv>(a, b, bScalar, n, out, threads, relu);
  }
}

void PoolF32(const PoolShape& s, bool average, const float* x, float* out, int threads) {
  const int64_t rows = s.n * s.oh;
  auto body = [&](int64_t task) {
    const int64_t b = task / s.oh, i = task % s.oh;
    const int64_t h0 = i * s.sh - s.padTop;
    const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h0 + s.kh, s.h);
    for (int64_t j = 0; j < s.ow; ++j) {
      const int64_t w0 = j * s.sw - s.padLeft;
      const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w0 + s.kw, s.w);
      float* o = out + ((b * s.oh + i) * s.ow + j) * s.c;
      const float start = average ? 0.0f : -FLT_MAX;
      for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = start;
      for (int64_t hh = hs; hh < he; ++hh)
        for (int64_t ww = ws; ww < we; ++ww) {
          const float* p = x + ((b * s.h + hh) * s.w + ww) * s.c;
          if (average) {
            for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = o[ch] + p[ch];
          } else {
            for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = o[ch] < p[ch] ? p[ch] : o[ch];
          }
        }
      if (average) {
        const float count = static_cast<float>(std::max<int64_t>(he - hs, 0) * std::max<int64_t>(we - ws, 0));
        for (int64_t ch = 0; ch < s.c; ++ch) o[ch] = o[ch] / count;
      }
    }
  };
  if (rows <= 1 || threads <= 1) {
    for (int64_t k = 0; k < rows; ++k) body(k);
  } else {
    Parallel(rows, threads, body);
  }
}

}  // namespace axq
