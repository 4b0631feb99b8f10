// Float32 Conv2D kernels (NHWC input, HWIO filter), a plain reference loop and a fast,
// multithreaded one (an SGEMM over implicitly unrolled windows, cpp/sgemm.h). Both compute every
// output element with the same fixed operations, so their results are bit-identical for any
// thread count and any instruction-set variant:
//   acc = +0.0f, then for kh, for kw, for ci (ascending):
//     acc = fma(x, filter[kh,kw,ci,co], acc)
//   with x = in[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, ci], or +0.0f for a tap outside the
//   image (zero padding, as TensorFlow's im2col/contraction kernels: 0·∞ gives NaN there too),
// fma being the single-rounding float32 fused multiply-add (std::fma; no fast-math).
#pragma once
#include <cstdint>

namespace axq {

struct Conv2DFloatShape {
  int64_t n, h, w, c;        // input NHWC
  int64_t kh, kw, co;        // filter [kh, kw, c, co]
  int64_t oh, ow;            // output spatial size
  int64_t sh, sw;            // strides
  int64_t dh, dw;            // dilations
  int64_t padTop, padLeft;   // padding before (taps before it read +0)
};

void Conv2DFloatReference(const Conv2DFloatShape& s, const float* in, const float* filter, float* out);
// `isa`: a variant name of sgemm.h ("avx512", "avx2", "generic") or nullptr for the default.
// Throws std::invalid_argument when the named variant cannot run here.
void Conv2DFloatFast(const Conv2DFloatShape& s, const float* in, const float* filter, float* out, int threads,
                     const char* isa = nullptr);

}  // namespace axq
