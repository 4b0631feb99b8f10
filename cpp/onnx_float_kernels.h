// Float32 Conv and Gemm of ONNX models with onnxruntime's rounding (see onnx_float_plan.h), as a
// plain reference (one output element at a time, straight from the tensors) and a fast kernel
// (im2col, many output columns at once, multithreaded, with FMA instructions where the CPU has
// them). Both follow the same plan with correctly rounded fmaf, so they agree bit for bit with
// each other and never depend on the thread count or the instruction set.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "onnx_float_plan.h"

namespace axq {

struct OnnxConvFloatShape {
  int64_t n, c, h, w;         // input NCHW
  int64_t m, group, kh, kw;   // filter [m, c / group, kh, kw]
  int64_t oh, ow;             // output plane
  int64_t sh, sw, dh, dw;     // strides, dilations
  int64_t padTop, padLeft, padBottom, padRight;
};

// y[n, m, oh, ow] = conv(x, w) (+ bias[m] when bias is not null).
void OnnxConvFloatReference(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y);
void OnnxConvFloatFast(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y, int threads);

// y[M, N] = (y if hasInit) + a[M, K] · (transB ? b[N, K]ᵀ : b[K, N]), summed as onnxruntime's
// Gemm/MatMul with a pre-packed constant B. y holds the broadcast bias on entry when hasInit.
void OnnxGemmFloatReference(int64_t M, int64_t N, int64_t K, const float* a, const float* b, bool transB, bool hasInit, float* y);
void OnnxGemmFloatFast(int64_t M, int64_t N, int64_t K, const float* a, const float* b, bool transB, bool hasInit, float* y, int threads);

// y = onnxruntime's Sigmoid (MLAS's logistic kernel with FMA: the input clamped to [-18, 18], an
// odd rational polynomial evaluated with fused multiply-adds, p / q + 0.5, then max(0, ·)).
void OnnxLogisticFloatReference(const float* x, float* y, int64_t n);
void OnnxLogisticFloatFast(const float* x, float* y, int64_t n, int threads);

namespace onnxfloat {
// One value of MLAS's logistic (the constants and steps of its FMA3 kernel).
inline float Logistic(float v) {
  const float x = std::min(18.0f, std::max(-18.0f, v));
  const float x2 = x * x;
  float p = std::fmaf(x2, 4.37031012579801e-11f, 1.15627324459942e-07f);
  p = std::fmaf(x2, p, 6.08574864600143e-05f);
  p = std::fmaf(x2, p, 8.51377133304701e-03f);
  p = std::fmaf(x2, p, 2.48287947061529e-01f);
  float q = std::fmaf(x2, 6.10247389755681e-13f, 5.76102136993427e-09f);
  q = std::fmaf(x2, q, 6.29106785017040e-06f);
  q = std::fmaf(x2, q, 1.70198817374094e-03f);
  q = std::fmaf(x2, q, 1.16817656904453e-01f);
  q = std::fmaf(x2, q, 9.93151921023180e-01f);
  const float r = (x * p) / q + 0.5f;
  return r < 0.0f ? 0.0f : r;
}

void LogisticFastGeneric(const float* x, float* y, int64_t n, int threads);
void LogisticFastFma(const float* x, float* y, int64_t n, int threads);

inline ConvPlanShape ConvPlanShapeOf(const OnnxConvFloatShape& s) {
  const bool direct = s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.padTop == 0 && s.padLeft == 0 && s.padBottom == 0 && s.padRight == 0;
  return {s.m / s.group, s.oh * s.ow, (s.c / s.group) * s.kh * s.kw, direct};
}

// The vectorizable loops, compiled twice (onnx_float_fast.cc portable, onnx_float_fast_fma.cc with
// AVX2+FMA); `Fma` selects the second when the CPU has it (CpuHasAvx2Fma, cpu_features.h).
void ConvFastGeneric(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y, int threads);
void ConvFastFma(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y, int threads);
void GemmFastGeneric(int64_t M, int64_t N, int64_t K, const float* a, const float* b, bool transB, bool hasInit, float* y, int threads);
void GemmFastFma(int64_t M, int64_t N, int64_t K, const float* a, const float* b, bool transB, bool hasInit, float* y, int threads);
}  // namespace onnxfloat

}  // namespace axq
