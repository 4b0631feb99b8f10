// N-API entry points of the quantized element-wise and pooling kernels (cpp/quantized_kernels.h).
// Each returns a Promise and runs on a libuv worker thread (args::Worker, which keeps the arrays
// alive), fanning out to the shared thread pool. Array types and lengths are validated in
// TypeScript (src/native/quantizedKernels.ts) and checked again here with the readers of
// napi_args.h; a mismatch throws, never crashes.
#include <napi.h>

#include <memory>
#include <utility>

#include "huge_pages.h"
#include "napi_args.h"
#include "quantized_kernels.h"

namespace axq {
namespace {

using args::Array;
using args::Need;
using args::Number;
using args::Threads;
using args::Worker;

// quantizeU8(x: Float32Array, out: Uint8Array, scale, offset, lower, upper, threads)
Napi::Value QuantizeU8Js(const Napi::CallbackInfo& info) {
  const char* fn = "quantizeU8";
  auto x = Array<float>(info, 0, fn, napi_float32_array);
  auto out = Array<uint8_t>(info, 1, fn, napi_uint8_array);
  Need(x.ElementLength() == out.ElementLength(), info.Env(), "quantizeU8", "length mismatch");
  const float scale = static_cast<float>(Number(info, 2, fn)), offset = static_cast<float>(Number(info, 3, fn));
  const float lower = static_cast<float>(Number(info, 4, fn)), upper = static_cast<float>(Number(info, 5, fn));
  const int threads = Threads(info, 6, fn);
  const float* xp = x.Data();
  uint8_t* op = out.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Worker::Start(new Worker(info.Env(), fn, {x, out}, [=] {
    QuantizeU8(xp, n, scale, offset, lower, upper, op, threads);
  }));
}

// lutU8ToF32(codes: Uint8Array, table: Float32Array(256), out: Float32Array, threads)
Napi::Value LutU8ToF32Js(const Napi::CallbackInfo& info) {
  const char* fn = "lutU8ToF32";
  auto codes = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  auto table = Array<float>(info, 1, fn, napi_float32_array);
  auto out = Array<float>(info, 2, fn, napi_float32_array);
  Need(table.ElementLength() == 256 && codes.ElementLength() == out.ElementLength(), info.Env(), "lutU8ToF32", "bad lengths");
  const int threads = Threads(info, 3, fn);
  const uint8_t* c = codes.Data();
  const float* t = table.Data();
  float* o = out.Data();
  const int64_t n = static_cast<int64_t>(codes.ElementLength());
  return Worker::Start(new Worker(info.Env(), fn, {codes, table, out}, [=] { LutU8ToF32(c, n, t, o, threads); }));
}

// lutU8ToU8(codes: Uint8Array, table: Uint8Array(256), out: Uint8Array, threads)
Napi::Value LutU8ToU8Js(const Napi::CallbackInfo& info) {
  const char* fn = "lutU8ToU8";
  auto codes = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  auto table = Array<uint8_t>(info, 1, fn, napi_uint8_array);
  auto out = Array<uint8_t>(info, 2, fn, napi_uint8_array);
  Need(table.ElementLength() == 256 && codes.ElementLength() == out.ElementLength(), info.Env(), "lutU8ToU8", "bad lengths");
  const int threads = Threads(info, 3, fn);
  const uint8_t* c = codes.Data();
  const uint8_t* t = table.Data();
  uint8_t* o = out.Data();
  const int64_t n = static_cast<int64_t>(codes.ElementLength());
  return Worker::Start(new Worker(info.Env(), fn, {codes, table, out}, [=] { LutU8ToU8(c, n, t, o, threads); }));
}

// lutByChannelF32(codes: Uint8Array, table: Float32Array(256·depth), out: Float32Array, depth, threads,
//                 minMax: Float32Array(2)) — minMax receives [min, max] of out (zero sign aside)
// lutByChannelU8(codes: Uint8Array, table: Uint8Array(256·depth), out: Uint8Array, depth, threads)
Napi::Value LutByChannelF32Js(const Napi::CallbackInfo& info) {
  const char* fn = "lutByChannelF32";
  auto codes = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  const int64_t n = static_cast<int64_t>(codes.ElementLength());
  const int64_t depth = args::Int(info, 3, fn, 1, int64_t{1} << 24);
  auto table = Array<float>(info, 1, fn, napi_float32_array, 256 * depth);
  auto out = Array<float>(info, 2, fn, napi_float32_array, n);
  Need(n % depth == 0, info.Env(), fn, "the codes do not form rows of depth channels");
  const int threads = Threads(info, 4, fn);
  auto minMax = Array<float>(info, 5, fn, napi_float32_array, 2);
  const uint8_t* c = codes.Data();
  const float* t = table.Data();
  float *o = out.Data(), *mm = minMax.Data();
  return Worker::Start(new Worker(info.Env(), fn, {codes, table, out, minMax},
                                  [=] { LutByChannelF32(c, n, depth, t, o, mm, threads); }));
}

Napi::Value LutByChannelU8Js(const Napi::CallbackInfo& info) {
  const char* fn = "lutByChannelU8";
  auto codes = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  const int64_t n = static_cast<int64_t>(codes.ElementLength());
  const int64_t depth = args::Int(info, 3, fn, 1, int64_t{1} << 24);
  auto table = Array<uint8_t>(info, 1, fn, napi_uint8_array, 256 * depth);
  auto out = Array<uint8_t>(info, 2, fn, napi_uint8_array, n);
  Need(n % depth == 0, info.Env(), fn, "the codes do not form rows of depth channels");
  const int threads = Threads(info, 4, fn);
  const uint8_t *c = codes.Data(), *t = table.Data();
  uint8_t* o = out.Data();
  return Worker::Start(new Worker(info.Env(), fn, {codes, table, out}, [=] { LutByChannelU8(c, n, depth, t, o, threads); }));
}

// addLut(x: Uint8Array, tx: Int32Array(256), y: Uint8Array, ty: Int32Array(256), out: Int32Array, threads,
//        range: Int32Array(2)) — range receives [min, max] of out
Napi::Value AddLutJs(const Napi::CallbackInfo& info) {
  const char* fn = "addLut";
  auto x = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  auto tx = Array<int32_t>(info, 1, fn, napi_int32_array);
  auto y = Array<uint8_t>(info, 2, fn, napi_uint8_array);
  auto ty = Array<int32_t>(info, 3, fn, napi_int32_array);
  auto out = Array<int32_t>(info, 4, fn, napi_int32_array);
  Need(tx.ElementLength() == 256 && ty.ElementLength() == 256 && x.ElementLength() == out.ElementLength() &&
           y.ElementLength() == out.ElementLength(), info.Env(), "addLut", "bad lengths");
  const int threads = Threads(info, 5, fn);
  auto range = Array<int32_t>(info, 6, fn, napi_int32_array, 2);
  const uint8_t *xp = x.Data(), *yp = y.Data();
  const int32_t *txp = tx.Data(), *typ = ty.Data();
  int32_t *o = out.Data(), *rp = range.Data();
  const int64_t n = static_cast<int64_t>(out.ElementLength());
  return Worker::Start(new Worker(info.Env(), fn, {x, tx, y, ty, out, range}, [=] { AddLut(xp, txp, yp, typ, n, o, threads, rp); }));
}

// biasAddLut(x: Uint8Array, table: Int32Array(256), bias: Int32Array(c), out: Int32Array, threads)
Napi::Value BiasAddLutJs(const Napi::CallbackInfo& info) {
  const char* fn = "biasAddLut";
  auto x = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  auto table = Array<int32_t>(info, 1, fn, napi_int32_array);
  auto bias = Array<int32_t>(info, 2, fn, napi_int32_array);
  auto out = Array<int32_t>(info, 3, fn, napi_int32_array);
  const int64_t c = static_cast<int64_t>(bias.ElementLength());
  Need(table.ElementLength() == 256 && x.ElementLength() == out.ElementLength() && c > 0 &&
           static_cast<int64_t>(x.ElementLength()) % c == 0, info.Env(), "biasAddLut", "bad lengths");
  const int threads = Threads(info, 4, fn);
  const uint8_t* xp = x.Data();
  const int32_t *tp = table.Data(), *bp = bias.Data();
  int32_t* o = out.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Worker::Start(new Worker(info.Env(), fn, {x, table, bias, out}, [=] { BiasAddLut(xp, n, tp, bp, c, o, threads); }));
}

// requantizeI32(x: Int32Array, out: Uint8Array, rs: bigint, offset: bigint, threads)
Napi::Value RequantizeI32Js(const Napi::CallbackInfo& info) {
  const char* fn = "requantizeI32";
  auto x = Array<int32_t>(info, 0, fn, napi_int32_array);
  auto out = Array<uint8_t>(info, 1, fn, napi_uint8_array);
  Need(x.ElementLength() == out.ElementLength(), info.Env(), "requantizeI32", "length mismatch");
  const int64_t rs = args::BigInt64(info, 2, fn), offset = args::BigInt64(info, 3, fn);
  const int threads = Threads(info, 4, fn);
  const int32_t* xp = x.Data();
  uint8_t* o = out.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Worker::Start(new Worker(info.Env(), fn, {x, out}, [=] { RequantizeI32(xp, n, rs, offset, o, threads); }));
}

// channelCodeRange(codes: Uint8Array, depth, range: Uint8Array(2·depth), threads)
Napi::Value ChannelCodeRangeJs(const Napi::CallbackInfo& info) {
  const char* fn = "channelCodeRange";
  auto codes = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  const int64_t n = static_cast<int64_t>(codes.ElementLength());
  const int64_t depth = args::Int(info, 1, fn, 1, int64_t{1} << 24);
  auto range = Array<uint8_t>(info, 2, fn, napi_uint8_array, 2 * depth);
  Need(n % depth == 0, info.Env(), fn, "the codes do not form rows of depth channels");
  const int threads = Threads(info, 3, fn);
  const uint8_t* c = codes.Data();
  uint8_t* r = range.Data();
  return Worker::Start(new Worker(info.Env(), fn, {codes, range}, [=] { ChannelCodeRange(c, n, depth, r, threads); }));
}

// sumMiddleLut(codes: Uint8Array, table: Float32Array(256), out: Float32Array(a·c), a, b, c, threads)
Napi::Value SumMiddleLutJs(const Napi::CallbackInfo& info) {
  const char* fn = "sumMiddleLut";
  Napi::Env env = info.Env();
  auto codes = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  auto table = Array<float>(info, 1, fn, napi_float32_array, 256);
  const int64_t a = args::Int(info, 3, fn), b = args::Int(info, 4, fn), c = args::Int(info, 5, fn);
  auto out = Array<float>(info, 2, fn, napi_float32_array, args::Product(env, fn, {a, c}));
  Need(static_cast<int64_t>(codes.ElementLength()) == args::Product(env, fn, {a, b, c}), env, fn, "the codes do not hold a·b·c values");
  const int threads = Threads(info, 6, fn);
  const uint8_t* cp = codes.Data();
  const float* tp = table.Data();
  float* op = out.Data();
  return Worker::Start(new Worker(env, fn, {codes, table, out}, [=] { SumMiddleLut(cp, a, b, c, tp, op, threads); }));
}

// minMaxI32(x: Int32Array, threads) → Promise<[min, max]>
Napi::Value MinMaxI32Js(const Napi::CallbackInfo& info) {
  const char* fn = "minMaxI32";
  auto x = Array<int32_t>(info, 0, fn, napi_int32_array);
  const int threads = Threads(info, 1, fn);
  const int32_t* xp = x.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  auto result = std::make_shared<std::pair<int32_t, int32_t>>();
  return Worker::Start(new Worker(
      info.Env(), fn, {x}, [=] { MinMaxI32(xp, n, &result->first, &result->second, threads); },
      [result](Napi::Env env) {
        auto a = Napi::Array::New(env, 2);
        a.Set(uint32_t{0}, Napi::Number::New(env, result->first));
        a.Set(uint32_t{1}, Napi::Number::New(env, result->second));
        return a.As<Napi::Value>();
      }));
}

// poolU8(x: Uint8Array, out: Uint8Array, dims[12], average, threads)
Napi::Value PoolU8Js(const Napi::CallbackInfo& info) {
  const char* fn = "poolU8";
  auto x = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  auto out = Array<uint8_t>(info, 1, fn, napi_uint8_array);
  Napi::Env env = info.Env();
  auto d = args::IntList(info, 2, fn, 12, 0, args::kMaxSafe);
  PoolShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]};
  Need(s.kh >= 1 && s.kw >= 1 && s.sh >= 1 && s.sw >= 1, env, fn, "window and strides must be >= 1");
  Need(static_cast<int64_t>(x.ElementLength()) == args::Product(env, fn, {s.n, s.h, s.w, s.c}) &&
           static_cast<int64_t>(out.ElementLength()) == args::Product(env, fn, {s.n, s.oh, s.ow, s.c}),
       env, fn, "buffer sizes do not match the dims");
  args::Product(env, fn, {s.oh + s.kh, s.sh});  // window positions must not overflow
  args::Product(env, fn, {s.ow + s.kw, s.sw});
  const bool average = args::Bool(info, 3, fn);
  const int threads = Threads(info, 4, fn);
  const uint8_t* xp = x.Data();
  uint8_t* o = out.Data();
  return Worker::Start(new Worker(info.Env(), fn, {x, out}, [=] { PoolU8(s, average, xp, o, threads); }));
}

}  // namespace

// adviseHugePages(buffer: ArrayBuffer): a hint that a fresh, large buffer (not yet written) may
// get transparent huge pages on first touch (fewer page faults); its contents are unchanged.
Napi::Value AdviseHugePagesJs(const Napi::CallbackInfo& info) {
  if (info.Length() == 1 && info[0].IsArrayBuffer()) {
    auto b = info[0].As<Napi::ArrayBuffer>();
    AdviseHugePages(b.Data(), b.ByteLength());
  }
  return info.Env().Undefined();
}

void RegisterQuantizedOps(Napi::Env env, Napi::Object exports) {
  exports.Set("adviseHugePages", Napi::Function::New(env, AdviseHugePagesJs));
  exports.Set("quantizeU8", Napi::Function::New(env, QuantizeU8Js));
  exports.Set("lutU8ToF32", Napi::Function::New(env, LutU8ToF32Js));
  exports.Set("lutU8ToU8", Napi::Function::New(env, LutU8ToU8Js));
  exports.Set("lutByChannelF32", Napi::Function::New(env, LutByChannelF32Js));
  exports.Set("lutByChannelU8", Napi::Function::New(env, LutByChannelU8Js));
  exports.Set("addLut", Napi::Function::New(env, AddLutJs));
  exports.Set("biasAddLut", Napi::Function::New(env, BiasAddLutJs));
  exports.Set("requantizeI32", Napi::Function::New(env, RequantizeI32Js));
  exports.Set("sumMiddleLut", Napi::Function::New(env, SumMiddleLutJs));
  exports.Set("channelCodeRange", Napi::Function::New(env, ChannelCodeRangeJs));
  exports.Set("minMaxI32", Napi::Function::New(env, MinMaxI32Js));
  exports.Set("poolU8", Napi::Function::New(env, PoolU8Js));
}

}  // namespace axq
