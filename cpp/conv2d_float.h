// Float32 Conv2D kernels (NHWC input, HWIO filter), a plain reference loop and a fast,
// multithreaded one. Both compute every output element with the same fixed order, so their
// results are bit-identical for any thread count:
//   out[n,oh,ow,co] = 0.0f, then for kh, for kw, for ci (ascending, taps outside the image
//   skipped): out += in[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, ci] * filter[kh,kw,ci,co]
// with every product and sum rounded to float32 (no FMA: -ffp-contract=off, no fast-math).
#pragma once
#include <cstdint>

namespace axq {

struct Conv2DFloatShape {
  int64_t n, h, w, c;        // input NHWC
  int64_t kh, kw, co;        // filter [kh, kw, c, co]
  int64_t oh, ow;            // output spatial size
  int64_t sh, sw;            // strides
  int64_t dh, dw;            // dilations
  int64_t padTop, padLeft;   // padding before (taps before it are outside the image)
};

void Conv2DFloatReference(const Conv2DFloatShape& s, const float* in, const float* filter, float* out);
void Conv2DFloatFast(const Conv2DFloatShape& s, const float* in, const float* filter, float* out, int threads);

}  // namespace axq
