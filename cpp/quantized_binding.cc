// N-API entry points of the quantized element-wise and pooling kernels (cpp/quantized_kernels.h).
// Each returns a Promise and runs on a libuv worker thread (Napi::AsyncWorker), fanning out to
// the shared thread pool. Array types and lengths are validated in TypeScript
// (src/native/quantizedKernels.ts) and checked again here; a mismatch throws, never crashes.
#include <napi.h>

#include <functional>
#include <vector>

#include "quantized_kernels.h"

namespace axq {
namespace {

class QuantizedWorker : public Napi::AsyncWorker {
 public:
  QuantizedWorker(Napi::Env env, std::vector<Napi::TypedArray> keep, std::function<void()> work)
      : Napi::AsyncWorker(env, "axq:quantized"), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)) {
    for (auto& a : keep) keep_.push_back(Napi::Persistent(a.As<Napi::Object>()));
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { work_(); }
  void OnOK() override { deferred_.Resolve(result_.IsEmpty() ? Env().Undefined() : result_.Value()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }
  void SetResult(std::function<Napi::Value(Napi::Env)> make) { make_ = std::move(make); }

 protected:
  void OnWorkComplete(Napi::Env env, napi_status status) override {
    if (status == napi_ok && make_) result_ = Napi::Persistent(make_(env));
    Napi::AsyncWorker::OnWorkComplete(env, status);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> work_;
  std::vector<Napi::ObjectReference> keep_;
  std::function<Napi::Value(Napi::Env)> make_;
  Napi::Reference<Napi::Value> result_;
};

template <class T>
T Typed(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, const char* fn) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " has the wrong type");
  }
  return info[i].As<T>();
}

double Num(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a number");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t Big(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info.Length() <= i || !info[i].IsBigInt()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a bigint");
  }
  bool lossless = false;
  return info[i].As<Napi::BigInt>().Int64Value(&lossless);
}

void Need(bool ok, const Napi::CallbackInfo& info, const char* what) {
  if (!ok) throw Napi::RangeError::New(info.Env(), what);
}

Napi::Value Queue(Napi::Env env, QuantizedWorker* w) {
  auto p = w->Promise();
  w->Queue();
  return p;
}

// quantizeU8(x: Float32Array, out: Uint8Array, scale, offset, lower, upper, threads)
Napi::Value QuantizeU8Js(const Napi::CallbackInfo& info) {
  const char* fn = "quantizeU8";
  auto x = Typed<Napi::Float32Array>(info, 0, napi_float32_array, fn);
  auto out = Typed<Napi::Uint8Array>(info, 1, napi_uint8_array, fn);
  Need(x.ElementLength() == out.ElementLength(), info, "quantizeU8: length mismatch");
  const float scale = static_cast<float>(Num(info, 2, fn)), offset = static_cast<float>(Num(info, 3, fn));
  const float lower = static_cast<float>(Num(info, 4, fn)), upper = static_cast<float>(Num(info, 5, fn));
  const int threads = static_cast<int>(Num(info, 6, fn));
  const float* xp = x.Data();
  uint8_t* op = out.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Queue(info.Env(), new QuantizedWorker(info.Env(), {x, out}, [=] {
    QuantizeU8(xp, n, scale, offset, lower, upper, op, threads);
  }));
}

// lutU8ToF32(codes: Uint8Array, table: Float32Array(256), out: Float32Array, threads)
Napi::Value LutU8ToF32Js(const Napi::CallbackInfo& info) {
  const char* fn = "lutU8ToF32";
  auto codes = Typed<Napi::Uint8Array>(info, 0, napi_uint8_array, fn);
  auto table = Typed<Napi::Float32Array>(info, 1, napi_float32_array, fn);
  auto out = Typed<Napi::Float32Array>(info, 2, napi_float32_array, fn);
  Need(table.ElementLength() == 256 && codes.ElementLength() == out.ElementLength(), info, "lutU8ToF32: bad lengths");
  const int threads = static_cast<int>(Num(info, 3, fn));
  const uint8_t* c = codes.Data();
  const float* t = table.Data();
  float* o = out.Data();
  const int64_t n = static_cast<int64_t>(codes.ElementLength());
  return Queue(info.Env(), new QuantizedWorker(info.Env(), {codes, table, out}, [=] { LutU8ToF32(c, n, t, o, threads); }));
}

// lutU8ToU8(codes: Uint8Array, table: Uint8Array(256), out: Uint8Array, threads)
Napi::Value LutU8ToU8Js(const Napi::CallbackInfo& info) {
  const char* fn = "lutU8ToU8";
  auto codes = Typed<Napi::Uint8Array>(info, 0, napi_uint8_array, fn);
  auto table = Typed<Napi::Uint8Array>(info, 1, napi_uint8_array, fn);
  auto out = Typed<Napi::Uint8Array>(info, 2, napi_uint8_array, fn);
  Need(table.ElementLength() == 256 && codes.ElementLength() == out.ElementLength(), info, "lutU8ToU8: bad lengths");
  const int threads = static_cast<int>(Num(info, 3, fn));
  const uint8_t* c = codes.Data();
  const uint8_t* t = table.Data();
  uint8_t* o = out.Data();
  const int64_t n = static_cast<int64_t>(codes.ElementLength());
  return Queue(info.Env(), new QuantizedWorker(info.Env(), {codes, table, out}, [=] { LutU8ToU8(c, n, t, o, threads); }));
}

// addLut(x: Uint8Array, tx: Int32Array(256), y: Uint8Array, ty: Int32Array(256), out: Int32Array, threads)
Napi::Value AddLutJs(const Napi::CallbackInfo& info) {
  const char* fn = "addLut";
  auto x = Typed<Napi::Uint8Array>(info, 0, napi_uint8_array, fn);
  auto tx = Typed<Napi::Int32Array>(info, 1, napi_int32_array, fn);
  auto y = Typed<Napi::Uint8Array>(info, 2, napi_uint8_array, fn);
  auto ty = Typed<Napi::Int32Array>(info, 3, napi_int32_array, fn);
  auto out = Typed<Napi::Int32Array>(info, 4, napi_int32_array, fn);
  Need(tx.ElementLength() == 256 && ty.ElementLength() == 256 && x.ElementLength() == out.ElementLength() &&
           y.ElementLength() == out.ElementLength(),
       info, "addLut: bad lengths");
  const int threads = static_cast<int>(Num(info, 5, fn));
  const uint8_t *xp = x.Data(), *yp = y.Data();
  const int32_t *txp = tx.Data(), *typ = ty.Data();
  int32_t* o = out.Data();
  const int64_t n = static_cast<int64_t>(out.ElementLength());
  return Queue(info.Env(),
               new QuantizedWorker(info.Env(), {x, tx, y, ty, out}, [=] { AddLut(xp, txp, yp, typ, n, o, threads); }));
}

// biasAddLut(x: Uint8Array, table: Int32Array(256), bias: Int32Array(c), out: Int32Array, threads)
Napi::Value BiasAddLutJs(const Napi::CallbackInfo& info) {
  const char* fn = "biasAddLut";
  auto x = Typed<Napi::Uint8Array>(info, 0, napi_uint8_array, fn);
  auto table = Typed<Napi::Int32Array>(info, 1, napi_int32_array, fn);
  auto bias = Typed<Napi::Int32Array>(info, 2, napi_int32_array, fn);
  auto out = Typed<Napi::Int32Array>(info, 3, napi_int32_array, fn);
  const int64_t c = static_cast<int64_t>(bias.ElementLength());
  Need(table.ElementLength() == 256 && x.ElementLength() == out.ElementLength() && c > 0 &&
           static_cast<int64_t>(x.ElementLength()) % c == 0,
       info, "biasAddLut: bad lengths");
  const int threads = static_cast<int>(Num(info, 4, fn));
  const uint8_t* xp = x.Data();
  const int32_t *tp = table.Data(), *bp = bias.Data();
  int32_t* o = out.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Queue(info.Env(),
               new QuantizedWorker(info.Env(), {x, table, bias, out}, [=] { BiasAddLut(xp, n, tp, bp, c, o, threads); }));
}

// requantizeI32(x: Int32Array, out: Uint8Array, rs: bigint, offset: bigint, threads)
Napi::Value RequantizeI32Js(const Napi::CallbackInfo& info) {
  const char* fn = "requantizeI32";
  auto x = Typed<Napi::Int32Array>(info, 0, napi_int32_array, fn);
  auto out = Typed<Napi::Uint8Array>(info, 1, napi_uint8_array, fn);
  Need(x.ElementLength() == out.ElementLength(), info, "requantizeI32: length mismatch");
  const int64_t rs = Big(info, 2, fn), offset = Big(info, 3, fn);
  const int threads = static_cast<int>(Num(info, 4, fn));
  const int32_t* xp = x.Data();
  uint8_t* o = out.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  return Queue(info.Env(), new QuantizedWorker(info.Env(), {x, out}, [=] { RequantizeI32(xp, n, rs, offset, o, threads); }));
}

// minMaxI32(x: Int32Array, threads) → Promise<[min, max]>
Napi::Value MinMaxI32Js(const Napi::CallbackInfo& info) {
  const char* fn = "minMaxI32";
  auto x = Typed<Napi::Int32Array>(info, 0, napi_int32_array, fn);
  const int threads = static_cast<int>(Num(info, 1, fn));
  const int32_t* xp = x.Data();
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  auto result = std::make_shared<std::pair<int32_t, int32_t>>();
  auto* w = new QuantizedWorker(info.Env(), {x}, [=] { MinMaxI32(xp, n, &result->first, &result->second, threads); });
  w->SetResult([result](Napi::Env env) {
    auto a = Napi::Array::New(env, 2);
    a.Set(uint32_t{0}, Napi::Number::New(env, result->first));
    a.Set(uint32_t{1}, Napi::Number::New(env, result->second));
    return a.As<Napi::Value>();
  });
  return Queue(info.Env(), w);
}

// poolU8(x: Uint8Array, out: Uint8Array, dims[12], average, threads)
Napi::Value PoolU8Js(const Napi::CallbackInfo& info) {
  const char* fn = "poolU8";
  auto x = Typed<Napi::Uint8Array>(info, 0, napi_uint8_array, fn);
  auto out = Typed<Napi::Uint8Array>(info, 1, napi_uint8_array, fn);
  if (info.Length() < 5 || !info[2].IsArray() || !info[3].IsBoolean()) throw Napi::TypeError::New(info.Env(), "poolU8(x, out, dims[12], average, threads)");
  auto dims = info[2].As<Napi::Array>();
  Need(dims.Length() == 12, info, "poolU8: 12 dims expected");
  int64_t d[12];
  for (uint32_t k = 0; k < 12; ++k) {
    d[k] = dims.Get(k).As<Napi::Number>().Int64Value();
    Need(d[k] >= 0, info, "poolU8: negative dimension");
  }
  PoolShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]};
  Need(s.kh >= 1 && s.kw >= 1 && s.sh >= 1 && s.sw >= 1, info, "poolU8: window and strides must be >= 1");
  Need(static_cast<int64_t>(x.ElementLength()) == s.n * s.h * s.w * s.c &&
           static_cast<int64_t>(out.ElementLength()) == s.n * s.oh * s.ow * s.c,
       info, "poolU8: buffer sizes do not match the dims");
  const bool average = info[3].As<Napi::Boolean>().Value();
  const int threads = static_cast<int>(Num(info, 4, fn));
  const uint8_t* xp = x.Data();
  uint8_t* o = out.Data();
  return Queue(info.Env(), new QuantizedWorker(info.Env(), {x, out}, [=] { PoolU8(s, average, xp, o, threads); }));
}

}  // namespace

void RegisterQuantizedOps(Napi::Env env, Napi::Object exports) {
  exports.Set("quantizeU8", Napi::Function::New(env, QuantizeU8Js));
  exports.Set("lutU8ToF32", Napi::Function::New(env, LutU8ToF32Js));
  exports.Set("lutU8ToU8", Napi::Function::New(env, LutU8ToU8Js));
  exports.Set("addLut", Napi::Function::New(env, AddLutJs));
  exports.Set("biasAddLut", Napi::Function::New(env, BiasAddLutJs));
  exports.Set("requantizeI32", Napi::Function::New(env, RequantizeI32Js));
  exports.Set("minMaxI32", Napi::Function::New(env, MinMaxI32Js));
  exports.Set("poolU8", Napi::Function::New(env, PoolU8Js));
}

}  // namespace axq
