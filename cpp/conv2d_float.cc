// Float32 Conv2D: reference and fast kernels (see conv2d_float.h for the exact operations).
//
// Fast path: the convolution is the product of the unrolled windows A [pixels × K] (K = kh·kw·c)
// and the filter B [K × co], computed as an indirect SGEMM: A is not copied; for a micro-tile of
// MR consecutive output pixels, an indirection table holds, per filter row, each pixel's pointer
// to the kw·c inputs of that window row (in place when inside the image; a row of zeros or a
// zero-filled copy at the borders). B is packed
// once per call into column panels of NR = NV·lanes. Threads take contiguous ranges of
// micro-tiles; the register-blocked FMA micro-tile of the chosen instruction set (sgemm.h) runs
// every (micro-tile, column panel) over all K in ascending order, so every output element sees
// the same fma sequence as the reference whatever the thread count or variant.
// Memory: the packed filter (co rounded up to NR) plus MR·K floats of scratch per thread.
#include "conv2d_float.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "parallel.h"
#include "sgemm.h"

namespace axq {

void Conv2DFloatReference(const Conv2DFloatShape& s, const float* in, const float* filter, float* out) {
  for (int64_t b = 0; b < s.n; ++b)
    for (int64_t i = 0; i < s.oh; ++i)
      for (int64_t j = 0; j < s.ow; ++j)
        for (int64_t o = 0; o < s.co; ++o) {
          float acc = 0.0f;
          for (int64_t p = 0; p < s.kh; ++p) {
            const int64_t y = i * s.sh - s.padTop + p * s.dh;
            for (int64_t q = 0; q < s.kw; ++q) {
              const int64_t x = j * s.sw - s.padLeft + q * s.dw;
              const bool inside = y >= 0 && y < s.h && x >= 0 && x < s.w;
              for (int64_t ci = 0; ci < s.c; ++ci) {
                const float v = inside ? in[((b * s.h + y) * s.w + x) * s.c + ci] : 0.0f;
                acc = std::fma(v, filter[((p * s.kw + q) * s.c + ci) * s.co + o], acc);
              }
            }
          }
          out[((b * s.oh + i) * s.ow + j) * s.co + o] = acc;
        }
}

void Conv2DFloatFast(const Conv2DFloatShape& s, const float* in, const float* filter, float* out, int threads,
                     const char* isaName) {
  const SgemmIsa* isa = isaName == nullptr ? SgemmIsaDefault() : SgemmIsaNamed(isaName);
  if (isa == nullptr) throw std::invalid_argument(std::string("float SGEMM variant '") + isaName + "' is not available on this CPU");
  const int64_t M = s.n * s.oh * s.ow, N = s.co, taps = s.kh * s.kw, K = taps * s.c;
  if (M == 0 || N == 0) return;
  if (K == 0) {
    std::fill(out, out + M * N, 0.0f);
    return;
  }
  const int64_t L = isa->lanes;
  const int nv = static_cast<int>(std::min<int64_t>(4, (N + L - 1) / L));
  const int64_t NR = nv * L;
  const int64_t mr = isa->mr[nv - 1];
  const auto tile = isa->tile[nv - 1];
  const int64_t panels = (N + NR - 1) / NR;
  // B: [panel][K][NR], columns past N zero.
  std::vector<float> packedB(static_cast<size_t>(panels * K * NR), 0.0f);
  for (int64_t pn = 0; pn < panels; ++pn) {
    const int64_t c0 = pn * NR, width = std::min(NR, N - c0);
    for (int64_t k = 0; k < K; ++k) std::copy(filter + k * N + c0, filter + k * N + c0 + width, packedB.data() + (pn * K + k) * NR);
  }
  // A window row of a pixel is one run of kw·c floats: read in place when it lies inside the image
  // and dilation is 1 (the usual case), from `zeros` when the row is above or below the image,
  // else copied into the tile's scratch with +0 for the taps outside.
  const int64_t run = s.kw * s.c;
  const std::vector<float> zeros(static_cast<size_t>(run), 0.0f);
  const int64_t rowStride = s.dh * s.w * s.c;
  const int64_t tiles = (M + mr - 1) / mr;
  int64_t t = ClampThreads(threads);
  if (M * N * K < (int64_t{1} << 16)) t = 1;
  ParallelRanges(tiles, t, [&](int64_t t0, int64_t t1) {
    std::vector<const float*> rowsOf(static_cast<size_t>(s.kh * mr));  // [window row][pixel of the tile]
    std::vector<float> scratch(static_cast<size_t>(s.kh * mr * run));
    for (int64_t tl = t0; tl < t1; ++tl) {
      const int64_t m0 = tl * mr, count = std::min(mr, M - m0);
      int64_t j = m0 % s.ow, i = (m0 / s.ow) % s.oh, b = m0 / (s.ow * s.oh);
      for (int64_t r = 0; r < mr; ++r) {
        // Rows past M repeat the last pixel (computed, never stored).
        const int64_t y0 = i * s.sh - s.padTop, x0 = j * s.sw - s.padLeft;
        const bool direct = s.dw == 1 && x0 >= 0 && x0 + s.kw <= s.w;
        if (direct && y0 >= 0 && y0 + (s.kh - 1) * s.dh < s.h) {
          // The whole window inside (most pixels): rows one input-row stride apart.
          const float* first = in + ((b * s.h + y0) * s.w + x0) * s.c;
          for (int64_t p = 0; p < s.kh; ++p) rowsOf[p * mr + r] = first + p * rowStride;
        } else
        for (int64_t p = 0; p < s.kh; ++p) {
          const int64_t y = y0 + p * s.dh;
          const float*& row = rowsOf[p * mr + r];
          if (y < 0 || y >= s.h) {
            row = zeros.data();
          } else if (direct) {
            row = in + ((b * s.h + y) * s.w + x0) * s.c;
          } else {
            float* dst = scratch.data() + (p * mr + r) * run;
            for (int64_t q = 0; q < s.kw; ++q) {
              const int64_t x = x0 + q * s.dw;
              if (x >= 0 && x < s.w)
                std::copy(in + ((b * s.h + y) * s.w + x) * s.c, in + ((b * s.h + y) * s.w + x + 1) * s.c, dst + q * s.c);
              else
                std::fill(dst + q * s.c, dst + (q + 1) * s.c, 0.0f);
            }
            row = dst;
          }
        }
        if (r + 1 < count && ++j == s.ow) {
          j = 0;
          if (++i == s.oh) {
            i = 0;
            ++b;
          }
        }
      }
      for (int64_t pn = 0; pn < panels; ++pn) {
        const int64_t c0 = pn * NR;
        tile(s.kh, run, rowsOf.data(), packedB.data() + pn * K * NR, out + m0 * N + c0, N, count, std::min(NR, N - c0));
      }
    }
  });
}

}  // namespace axq
