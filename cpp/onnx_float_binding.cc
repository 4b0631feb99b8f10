// N-API entry points of the ONNX float kernels with onnxruntime's rounding (onnx_float_kernels.h),
// each run on a worker thread and resolving a Promise<void>:
//   onnxConvFloat(x, w, bias | null, y, dims[18], threads, reference)
//     dims: n, c, h, w, m, group, kh, kw, oh, ow, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight
//   onnxGemmFloat(a, b, y, dims[3] = M, N, K, transB, hasInit, threads, reference)
//   onnxLogisticFloat(x, y, threads, reference)                 (Sigmoid)
// Sizes are validated in TypeScript (src/native/onnxFloatKernels.ts) and checked again here.
#include <napi.h>

#include "napi_args.h"
#include "onnx_float_kernels.h"

namespace axq {
namespace {

using args::Array;
using args::Need;
using args::Product;
using args::Worker;

constexpr auto kF32 = napi_float32_array;

Napi::Value OnnxConvFloatJs(const Napi::CallbackInfo& info) {
  const char* fn = "onnxConvFloat";
  Napi::Env env = info.Env();
  auto d = args::IntList(info, 4, fn, 18, 0, args::kMaxSafe);
  OnnxConvFloatShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16], d[17]};
  Need(s.n >= 1 && s.c >= 1 && s.h >= 1 && s.w >= 1 && s.m >= 1 && s.group >= 1 && s.kh >= 1 && s.kw >= 1 && s.oh >= 1 && s.ow >= 1, env, fn,
       "sizes must be >= 1");
  Need(s.sh >= 1 && s.sw >= 1 && s.dh >= 1 && s.dw >= 1, env, fn, "strides and dilations must be >= 1");
  Need(s.c % s.group == 0 && s.m % s.group == 0, env, fn, "channels and filters must divide by the group count");
  // Window positions (o·stride − pad + k·dilation) and work counts must not overflow.
  Product(env, fn, {s.n, s.m, s.oh, s.ow, s.c / s.group, s.kh, s.kw});
  Product(env, fn, {s.oh + s.kh + s.padTop, s.sh + s.dh});
  Product(env, fn, {s.ow + s.kw + s.padLeft, s.sw + s.dw});
  auto x = Array<float>(info, 0, fn, kF32, Product(env, fn, {s.n, s.c, s.h, s.w}));
  auto w = Array<float>(info, 1, fn, kF32, Product(env, fn, {s.m, s.c / s.group, s.kh, s.kw}));
  const bool hasBias = !args::Arg(info, 2, fn).IsNull();
  auto y = Array<float>(info, 3, fn, kF32, Product(env, fn, {s.n, s.m, s.oh, s.ow}));
  const int threads = args::Threads(info, 5, fn);
  const bool reference = args::Bool(info, 6, fn);
  const float *xp = x.Data(), *wp = w.Data(), *bp = nullptr;
  Napi::Value keepBias = x;  // (a reference to null is not allowed: keep x twice when there is no bias)
  if (hasBias) {
    auto b = Array<float>(info, 2, fn, kF32, s.m);
    bp = b.Data();
    keepBias = b;
  }
  float* yp = y.Data();
  return Worker::Start(new Worker(env, "axq:onnxConvFloat", {x, w, keepBias, y}, [=] {
    if (reference)
      OnnxConvFloatReference(s, xp, wp, bp, yp);
    else
      OnnxConvFloatFast(s, xp, wp, bp, yp, threads);
  }));
}

Napi::Value OnnxGemmFloatJs(const Napi::CallbackInfo& info) {
  const char* fn = "onnxGemmFloat";
  Napi::Env env = info.Env();
  auto d = args::IntList(info, 3, fn, 3, 1, args::kMaxSafe);
  const int64_t M = d[0], N = d[1], K = d[2];
  Product(env, fn, {M, N, K});
  auto a = Array<float>(info, 0, fn, kF32, Product(env, fn, {M, K}));
  auto b = Array<float>(info, 1, fn, kF32, Product(env, fn, {K, N}));
  auto y = Array<float>(info, 2, fn, kF32, Product(env, fn, {M, N}));
  const bool transB = args::Bool(info, 4, fn), hasInit = args::Bool(info, 5, fn);
  const int threads = args::Threads(info, 6, fn);
  const bool reference = args::Bool(info, 7, fn);
  const float *ap = a.Data(), *bp = b.Data();
  float* yp = y.Data();
  return Worker::Start(new Worker(env, "axq:onnxGemmFloat", {a, b, y}, [=] {
    if (reference)
      OnnxGemmFloatReference(M, N, K, ap, bp, transB, hasInit, yp);
    else
      OnnxGemmFloatFast(M, N, K, ap, bp, transB, hasInit, yp, threads);
  }));
}

Napi::Value OnnxLogisticFloatJs(const Napi::CallbackInfo& info) {
  const char* fn = "onnxLogisticFloat";
  Napi::Env env = info.Env();
  auto x = Array<float>(info, 0, fn, kF32);
  auto y = Array<float>(info, 1, fn, kF32, static_cast<int64_t>(x.ElementLength()));
  const int threads = args::Threads(info, 2, fn);
  const bool reference = args::Bool(info, 3, fn);
  const float* xp = x.Data();
  float* yp = y.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Worker::Start(new Worker(env, "axq:onnxLogisticFloat", {x, y}, [=] {
    if (reference)
      OnnxLogisticFloatReference(xp, yp, n);
    else
      OnnxLogisticFloatFast(xp, yp, n, threads);
  }));
}

}  // namespace

void RegisterOnnxFloatOps(Napi::Env env, Napi::Object exports) {
  exports.Set("onnxConvFloat", Napi::Function::New(env, OnnxConvFloatJs));
  exports.Set("onnxGemmFloat", Napi::Function::New(env, OnnxGemmFloatJs));
  exports.Set("onnxLogisticFloat", Napi::Function::New(env, OnnxLogisticFloatJs));
}

}  // namespace axq
