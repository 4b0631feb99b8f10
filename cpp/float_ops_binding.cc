// N-API entry points for float kernels, each run on a worker thread (args::Worker) and resolving
// a Promise<void>:
//   conv2dFloat(input, filter, output, dims[15], threads, reference[, isa])  isa: a variant of
//     floatConvVariants() (default: the fastest this CPU runs)
//   floatConvVariants() → string[] (synchronous): the SGEMM variants this CPU runs, fastest first
//   batchNormMomentsFloat(x, mean, variance, rows, depth, threads)
//   batchNormMomentsCodes(codes, table, mean, variance, rows, depth, threads)
//   batchNormApplyFloat(x, mean, k, offset, y, rows, depth, threads, relu)
//   minMaxFloat(x, result[2], threads, reference)
//   padZeroBytes(input, output, elemBytes, shape, before, after, threads[, fill byte])
//   reluFloat(x, out, six, threads)
//   binaryFloat(op, a, b, out, threads, relu)    op: 0 add, 1 sub, 2 mul, 3 div; b of length 1 or n
//   poolFloat(x, out, dims[12], average, threads)
// Sizes are validated in TypeScript (src/native/floatKernels.ts) and checked again here with the
// shared readers of napi_args.h.
#include <napi.h>

#include <string>
#include <vector>

#include "conv2d_float.h"
#include "float_elementwise.h"
#include "fused_batch_norm.h"
#include "min_max_float.h"
#include "napi_args.h"
#include "pad.h"
#include "sgemm.h"

namespace axq {
namespace {

using args::Array;
using args::Int;
using args::Need;
using args::Product;
using args::Threads;
using args::Worker;

constexpr auto kF32 = napi_float32_array;

Napi::Value Conv2DFloat(const Napi::CallbackInfo& info) {
  const char* fn = "conv2dFloat";
  Napi::Env env = info.Env();
  auto d = args::IntList(info, 3, fn, 15, 0, args::kMaxSafe);
  Conv2DFloatShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14]};
  Need(s.sh >= 1 && s.sw >= 1 && s.dh >= 1 && s.dw >= 1, env, fn, "strides and dilations must be >= 1");
  auto in = Array<float>(info, 0, fn, kF32, Product(env, fn, {s.n, s.h, s.w, s.c}));
  auto filter = Array<float>(info, 1, fn, kF32, Product(env, fn, {s.kh, s.kw, s.c, s.co}));
  auto out = Array<float>(info, 2, fn, kF32, Product(env, fn, {s.n, s.oh, s.ow, s.co}));
  // Work count and window positions (i·stride − pad + k·dilation) must not overflow.
  Product(env, fn, {s.n, s.oh, s.ow, s.co, s.kh, s.kw, s.c});
  Product(env, fn, {s.oh + s.kh, s.sh + s.dh});
  Product(env, fn, {s.ow + s.kw, s.sw + s.dw});
  const int threads = Threads(info, 4, fn);
  const bool reference = args::Bool(info, 5, fn);
  std::string isa;
  if (info.Length() > 6 && !info[6].IsUndefined()) {
    if (!info[6].IsString()) args::TypeFail(env, fn, 6, "must be a string (an SGEMM variant name)");
    isa = info[6].As<Napi::String>().Utf8Value();
    bool known = false;
    for (const std::string& v : SgemmIsaVariants()) known = known || v == isa;
    Need(known, env, fn, "SGEMM variant '" + isa + "' is not available on this CPU");
  }
  const float *ip = in.Data(), *fp = filter.Data();
  float* op = out.Data();
  return Worker::Start(new Worker(env, "axq:conv2dFloat", {in, filter, out}, [=] {
    if (reference)
      Conv2DFloatReference(s, ip, fp, op);
    else
      Conv2DFloatFast(s, ip, fp, op, threads, isa.empty() ? nullptr : isa.c_str());
  }));
}

Napi::Value FloatConvVariants(const Napi::CallbackInfo& info) {
  const std::vector<std::string> variants = SgemmIsaVariants();
  Napi::Array out = Napi::Array::New(info.Env(), variants.size());
  for (size_t i = 0; i < variants.size(); ++i) out.Set(static_cast<uint32_t>(i), Napi::String::New(info.Env(), variants[i]));
  return out;
}

// batchNormMomentsFloat(x, mean, variance, rows, depth, threads) → Promise<void>
Napi::Value BatchNormMomentsBinding(const Napi::CallbackInfo& info) {
  const char* fn = "batchNormMomentsFloat";
  Napi::Env env = info.Env();
  const int64_t rows = Int(info, 3, fn), depth = Int(info, 4, fn);
  const int threads = Threads(info, 5, fn);
  auto x = Array<float>(info, 0, fn, kF32, Product(env, fn, {rows, depth}));
  auto mean = Array<float>(info, 1, fn, kF32, depth);
  auto var = Array<float>(info, 2, fn, kF32, depth);
  const float* xp = x.Data();
  float *mp = mean.Data(), *vp = var.Data();
  return Worker::Start(new Worker(env, "axq:batchNormMoments", {x, mean, var},
                                  [=] { BatchNormMoments(xp, rows, depth, mp, vp, threads); }));
}

// batchNormMomentsCodes(codes, table[256], mean, variance, rows, depth, threads)
Napi::Value BatchNormMomentsCodesBinding(const Napi::CallbackInfo& info) {
  const char* fn = "batchNormMomentsCodes";
  Napi::Env env = info.Env();
  const int64_t rows = Int(info, 4, fn), depth = Int(info, 5, fn, 0, int64_t{1} << 24);
  const int threads = Threads(info, 6, fn);
  auto codes = Array<uint8_t>(info, 0, fn, napi_uint8_array, Product(env, fn, {rows, depth}));
  auto table = Array<float>(info, 1, fn, kF32, 256);
  auto mean = Array<float>(info, 2, fn, kF32, depth);
  auto var = Array<float>(info, 3, fn, kF32, depth);
  const uint8_t* cp = codes.Data();
  const float* tp = table.Data();
  float *mp = mean.Data(), *vp = var.Data();
  return Worker::Start(new Worker(env, "axq:batchNormMomentsCodes", {codes, table, mean, var},
                                  [=] { BatchNormMomentsCodes(cp, rows, depth, tp, mp, vp, threads); }));
}

// batchNormApplyFloat(x, mean, k, offset, y, rows, depth, threads, relu) → Promise<void>
Napi::Value BatchNormApplyBinding(const Napi::CallbackInfo& info) {
  const char* fn = "batchNormApplyFloat";
  Napi::Env env = info.Env();
  const int64_t rows = Int(info, 5, fn), depth = Int(info, 6, fn);
  const int threads = Threads(info, 7, fn);
  const bool relu = args::Bool(info, 8, fn);
  const int64_t n = Product(env, fn, {rows, depth});
  auto x = Array<float>(info, 0, fn, kF32, n);
  auto mean = Array<float>(info, 1, fn, kF32, depth);
  auto k = Array<float>(info, 2, fn, kF32, depth);
  auto offset = Array<float>(info, 3, fn, kF32, depth);
  auto y = Array<float>(info, 4, fn, kF32, n);
  const float *xp = x.Data(), *mp = mean.Data(), *kp = k.Data(), *op = offset.Data();
  float* yp = y.Data();
  return Worker::Start(new Worker(env, "axq:batchNormApply", {x, mean, k, offset, y},
                                  [=] { BatchNormApply(xp, rows, depth, mp, kp, op, yp, threads, relu); }));
}

// minMaxFloat(x, result[2], threads, reference) → Promise<void>: result = [min, max]
Napi::Value MinMaxBinding(const Napi::CallbackInfo& info) {
  const char* fn = "minMaxFloat";
  auto x = Array<float>(info, 0, fn, kF32);
  auto result = Array<float>(info, 1, fn, kF32, 2);
  const int threads = Threads(info, 2, fn);
  const bool reference = args::Bool(info, 3, fn);
  const float* xp = x.Data();
  float* r = result.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Worker::Start(new Worker(info.Env(), "axq:minMaxFloat", {x, result}, [=] {
    if (reference)
      MinMaxFloatReference(xp, n, &r[0], &r[1]);
    else
      MinMaxFloat(xp, n, &r[0], &r[1], threads);
  }));
}

// padZeroBytes(input, output, elemBytes, shape, before, after, threads): Pad with zeros.
Napi::Value PadZeroBinding(const Napi::CallbackInfo& info) {
  const char* fn = "padZeroBytes";
  Napi::Env env = info.Env();
  auto in = args::AnyArray(info, 0, fn);
  auto out = args::AnyArray(info, 1, fn);
  const int64_t eb = Int(info, 2, fn, 1, 16);
  auto shape = args::IntList(info, 3, fn, -1, 0, args::kMaxSafe);
  auto before = args::IntList(info, 4, fn, static_cast<int64_t>(shape.size()), 0, args::kMaxSafe);
  auto after = args::IntList(info, 5, fn, static_cast<int64_t>(shape.size()), 0, args::kMaxSafe);
  const int threads = Threads(info, 6, fn);
  const uint8_t fill = info.Length() > 7 ? static_cast<uint8_t>(Int(info, 7, fn, 0, 255)) : 0;
  int64_t inCount = eb, outCount = eb;
  for (size_t d = 0; d < shape.size(); ++d) {
    inCount = Product(env, fn, {inCount, shape[d]});
    outCount = Product(env, fn, {outCount, shape[d] + before[d] + after[d]});
  }
  Need(static_cast<int64_t>(in.ByteLength()) == inCount && static_cast<int64_t>(out.ByteLength()) == outCount, env, fn,
       "buffer sizes do not match the shape");
  const uint8_t* ip = args::Bytes(in);
  uint8_t* op = args::Bytes(out);
  return Worker::Start(new Worker(env, "axq:padZeroBytes", {in, out}, [=] {
    PadZeroBytes(ip, op, eb, static_cast<int>(shape.size()), shape.data(), before.data(), after.data(), threads, fill);
  }));
}

// reluFloat(x, out, six, threads)
Napi::Value ReluBinding(const Napi::CallbackInfo& info) {
  const char* fn = "reluFloat";
  auto x = Array<float>(info, 0, fn, kF32);
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  auto out = Array<float>(info, 1, fn, kF32, n);
  const bool six = args::Bool(info, 2, fn);
  const int threads = Threads(info, 3, fn);
  const float* xp = x.Data();
  float* op = out.Data();
  return Worker::Start(new Worker(info.Env(), "axq:reluFloat", {x, out}, [=] { ReluF32(xp, n, six, op, threads); }));
}

// binaryFloat(op, a, b, out, threads, relu): b has length 1 (a scalar) or a's length; with relu,
// out = relu(a ∘ b) in the same pass.
Napi::Value BinaryBinding(const Napi::CallbackInfo& info) {
  const char* fn = "binaryFloat";
  const auto op = static_cast<BinaryF32Op>(Int(info, 0, fn, 0, 3));
  auto a = Array<float>(info, 1, fn, kF32);
  const int64_t n = static_cast<int64_t>(a.ElementLength());
  auto b = Array<float>(info, 2, fn, kF32);
  const bool scalar = b.ElementLength() == 1 && n != 1;
  Need(scalar || static_cast<int64_t>(b.ElementLength()) == n, info.Env(), fn, "operand lengths differ");
  auto out = Array<float>(info, 3, fn, kF32, n);
  const int threads = Threads(info, 4, fn);
  const bool relu = args::Bool(info, 5, fn);
  const float *ap = a.Data(), *bp = b.Data();
  float* o = out.Data();
  return Worker::Start(
      new Worker(info.Env(), "axq:binaryFloat", {a, b, out}, [=] { BinaryF32(op, ap, bp, scalar, n, o, threads, relu); }));
}

// poolFloat(x, out, dims[12] = n h w c kh kw sh sw oh ow padTop padLeft, average, threads)
Napi::Value PoolBinding(const Napi::CallbackInfo& info) {
  const char* fn = "poolFloat";
  Napi::Env env = info.Env();
  auto d = args::IntList(info, 2, fn, 12, 0, args::kMaxSafe);
  PoolShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]};
  Need(s.kh >= 1 && s.kw >= 1 && s.sh >= 1 && s.sw >= 1, env, fn, "window and strides must be >= 1");
  auto x = Array<float>(info, 0, fn, kF32, Product(env, fn, {s.n, s.h, s.w, s.c}));
  auto out = Array<float>(info, 1, fn, kF32, Product(env, fn, {s.n, s.oh, s.ow, s.c}));
  Product(env, fn, {s.n, s.oh, s.ow, s.c, s.kh, s.kw});
  Product(env, fn, {s.oh + s.kh, s.sh});  // window positions must not overflow
  Product(env, fn, {s.ow + s.kw, s.sw});
  const bool average = args::Bool(info, 3, fn);
  const int threads = Threads(info, 4, fn);
  const float* xp = x.Data();
  float* op = out.Data();
  return Worker::Start(new Worker(env, "axq:poolFloat", {x, out}, [=] { PoolF32(s, average, xp, op, threads); }));
}

}  // namespace

void RegisterFloatOps(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dFloat", Napi::Function::New(env, Conv2DFloat));
  exports.Set("floatConvVariants", Napi::Function::New(env, FloatConvVariants));
  exports.Set("batchNormMomentsFloat", Napi::Function::New(env, BatchNormMomentsBinding));
  exports.Set("batchNormMomentsCodes", Napi::Function::New(env, BatchNormMomentsCodesBinding));
  exports.Set("batchNormApplyFloat", Napi::Function::New(env, BatchNormApplyBinding));
  exports.Set("minMaxFloat", Napi::Function::New(env, MinMaxBinding));
  exports.Set("padZeroBytes", Napi::Function::New(env, PadZeroBinding));
  exports.Set("reluFloat", Napi::Function::New(env, ReluBinding));
  exports.Set("binaryFloat", Napi::Function::New(env, BinaryBinding));
  exports.Set("poolFloat", Napi::Function::New(env, PoolBinding));
}

}  // namespace axq
