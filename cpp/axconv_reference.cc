// The reference AxConv2D loop: the formula of axconv_kernel.h written out, one table look-up per
// multiplication, single-threaded. Every faster path is tested against it.
#include "axconv_kernel.h"

#include <limits>

namespace axq {

std::string CheckGeometry(const ConvGeometry& g) {
  const int64_t limit = std::numeric_limits<int32_t>::max();
  if (g.N < 1 || g.H < 1 || g.W < 1 || g.C < 1 || g.KH < 1 || g.KW < 1 || g.K < 1 || g.Ho < 1 ||
      g.Wo < 1 || g.stride < 1) {
    return "every dimension and the stride must be at least 1";
  }
  if (g.H > limit || g.W > limit || g.C > limit || g.K > limit || g.KH > limit || g.KW > limit) {
    return "dimension too large";
  }
  const double inputSize = double(g.N) * double(g.H) * double(g.W) * double(g.C);
  const double outputSize = double(g.N) * double(g.Ho) * double(g.Wo) * double(g.K);
  const double filterSize = double(g.KH) * double(g.KW) * double(g.C) * double(g.K);
  const double tableRows = double(g.KH) * double(g.KW) * double(g.C) * 256.0 * double(g.K + 7);
  const double max = 9.0e15;
  if (inputSize > max || outputSize > max || filterSize > max || tableRows > max) {
    return "tensor too large";
  }
  return "";
}

Int32Range Int32RangeOf(const int32_t* values, int64_t n) {
  // Eight running extremes (vector min/max), folded at the end: the same two numbers.
  int32_t lo[8], hi[8];
  for (int k = 0; k < 8; ++k) {
    lo[k] = INT32_MAX;
    hi[k] = INT32_MIN;
  }
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) {
      const int32_t x = values[i + k];
      lo[k] = x < lo[k] ? x : lo[k];
      hi[k] = x > hi[k] ? x : hi[k];
    }
  }
  Int32Range r;
  for (; i < n; ++i) {
    if (values[i] < r.min) r.min = values[i];
    if (values[i] > r.max) r.max = values[i];
  }
  for (int k = 0; k < 8; ++k) {
    if (lo[k] < r.min) r.min = lo[k];
    if (hi[k] > r.max) r.max = hi[k];
  }
  return r;
}

void AxConvReference(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                     const uint8_t* filter, const uint16_t* table, int32_t* output) {
  // uint32 arithmetic: the int32 results of TF's loop, with its wraparound, without UB.
  const uint32_t zi = static_cast<uint32_t>(q.zi);
  const uint32_t zf = static_cast<uint32_t>(q.zf);
  for (int64_t n = 0; n < g.N; ++n) {
    const uint8_t* image = input + n * g.H * g.W * g.C;
    for (int64_t oy = 0; oy < g.Ho; ++oy) {
      for (int64_t ox = 0; ox < g.Wo; ++ox) {
        const int64_t y0 = oy * g.stride - g.offTop;
        const int64_t x0 = ox * g.stride - g.offLeft;
        int32_t* out = output + ((n * g.Ho + oy) * g.Wo + ox) * g.K;
        for (int64_t k = 0; k < g.K; ++k) {
          uint32_t total = 0;
          for (int64_t dy = 0; dy < g.KH; ++dy) {
            for (int64_t dx = 0; dx < g.KW; ++dx) {
              const int64_t iy = y0 + dy;
              const int64_t ix = x0 + dx;
              const bool inside = iy >= 0 && iy < g.H && ix >= 0 && ix < g.W;
              if (!inside && q.padMode == PadMode::kZero) continue;
              for (int64_t c = 0; c < g.C; ++c) {
                const uint32_t x = inside ? image[(iy * g.W + ix) * g.C + c] : q.padCode;
                const uint32_t w = filter[((dy * g.KW + dx) * g.C + c) * g.K + k];
                total += static_cast<uint32_t>(table[x * 256 + w]) - x * zf - w * zi + zi * zf;
              }
            }
          }
          out[k] = static_cast<int32_t>(total);
        }
      }
    }
  }
}

}  // namespace axq
