// Reference twins of the ONNX float Conv and Gemm (onnx_float_kernels.h): one output element at
// a time, straight from the tensors, by SumByPlan. Also the dispatch of the fast kernels.
#include <cmath>
#include <vector>

#include "cpu_features.h"
#include "onnx_float_kernels.h"
#include "onnx_float_plan.h"

namespace axq {

using onnxfloat::ColumnPlan;
using onnxfloat::SumByPlan;

void OnnxConvFloatReference(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y) {
  const auto plans = onnxfloat::ConvPlan(onnxfloat::ConvPlanShapeOf(s));
  const int64_t cg = s.c / s.group, mg = s.m / s.group, K = cg * s.kh * s.kw, taps = s.kh * s.kw;
  for (int64_t b = 0; b < s.n; ++b)
    for (int64_t m = 0; m < s.m; ++m) {
      const int64_t g = m / mg;
      const float* wm = w + m * K;
      const float* xg = x + (b * s.c + g * cg) * s.h * s.w;
      for (const ColumnPlan& p : plans)
        for (int64_t n = p.nBegin; n < p.nEnd; ++n) {
          const int64_t oy = n / s.ow, ox = n % s.ow;
          auto a = [&](int64_t k) { return wm[k]; };
          auto bv = [&](int64_t k) {
            const int64_t c = k / taps, r = k % taps;
            const int64_t iy = oy * s.sh - s.padTop + (r / s.kw) * s.dh, ix = ox * s.sw - s.padLeft + (r % s.kw) * s.dw;
            return (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) ? 0.0f : xg[(c * s.h + iy) * s.w + ix];
          };
          float v = SumByPlan(p.blocks, a, bv, false, 0.0f, onnxfloat::Dot8RowShape(m % mg, mg));
          if (bias != nullptr) v = v + bias[m];
          y[(b * s.m + m) * s.oh * s.ow + n] = v;
        }
    }
}

void OnnxGemmFloatReference(int64_t M, int64_t N, int64_t K, const float* a, const float* b, bool transB, bool hasInit, float* y) {
  const auto blocks = onnxfloat::PackedGemmBlocks(K);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      auto av = [&](int64_t k) { return a[i * K + k]; };
      auto bv = [&](int64_t k) { return transB ? b[j * K + k] : b[k * N + j]; };
      y[i * N + j] = SumByPlan(blocks, av, bv, hasInit, hasInit ? y[i * N + j] : 0.0f);
    }
}

void OnnxLogisticFloatReference(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = onnxfloat::Logistic(x[i]);
}

void OnnxLogisticFloatFast(const float* x, float* y, int64_t n, int threads) {
  if (CpuHasAvx2Fma())
    onnxfloat::LogisticFastFma(x, y, n, threads);
  else
    onnxfloat::LogisticFastGeneric(x, y, n, threads);
}

void OnnxConvFloatFast(const OnnxConvFloatShape& s, const float* x, const float* w, const float* bias, float* y, int threads) {
  if (CpuHasAvx2Fma())
    onnxfloat::ConvFastFma(s, x, w, bias, y, threads);
  else
    onnxfloat::ConvFastGeneric(s, x, w, bias, y, threads);
}

void OnnxGemmFloatFast(int64_t M, int64_t N, int64_t K, const float* a, const float* b, bool transB, bool hasInit, float* y, int threads) {
  if (CpuHasAvx2Fma())
    onnxfloat::GemmFastFma(M, N, K, a, b, transB, hasInit, y, threads);
  else
    onnxfloat::GemmFastGeneric(M, N, K, a, b, transB, hasInit, y, threads);
}

}  // namespace axq
