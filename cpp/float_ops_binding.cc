// N-API entry points for float kernels: conv2dFloat(input, filter, output, dims, threads,
// reference) → Promise<void>, run on a worker thread (Napi::AsyncWorker). Sizes are validated in
// TypeScript (src/native/floatKernels.ts) and checked again here against the buffer lengths.
#include <napi.h>

#include "conv2d_float.h"
#include "fused_batch_norm.h"

namespace axq {
namespace {

class Conv2DFloatWorker : public Napi::AsyncWorker {
 public:
  Conv2DFloatWorker(Napi::Env env, Napi::Float32Array in, Napi::Float32Array filter, Napi::Float32Array out,
                    const Conv2DFloatShape& shape, int threads, bool reference)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        in_(Napi::Persistent(in)),
        filter_(Napi::Persistent(filter)),
        out_(Napi::Persistent(out)),
        inData_(in.Data()),
        filterData_(filter.Data()),
        outData_(out.Data()),
        shape_(shape),
        threads_(threads),
        reference_(reference) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    if (reference_)
      Conv2DFloatReference(shape_, inData_, filterData_, outData_);
    else
      Conv2DFloatFast(shape_, inData_, filterData_, outData_, threads_);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Float32Array> in_, filter_, out_;
  const float* inData_;
  const float* filterData_;
  float* outData_;
  Conv2DFloatShape shape_;
  int threads_;
  bool reference_;
};

Napi::Value Conv2DFloat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray() ||
      !info[3].IsArray() || !info[4].IsNumber() || !info[5].IsBoolean()) {
    throw Napi::TypeError::New(env, "conv2dFloat(input, filter, output, dims[15], threads, reference)");
  }
  auto in = info[0].As<Napi::Float32Array>();
  auto filter = info[1].As<Napi::Float32Array>();
  auto out = info[2].As<Napi::Float32Array>();
  auto dims = info[3].As<Napi::Array>();
  if (in.TypedArrayType() != napi_float32_array || filter.TypedArrayType() != napi_float32_array ||
      out.TypedArrayType() != napi_float32_array || dims.Length() != 15) {
    throw Napi::TypeError::New(env, "conv2dFloat: float32 arrays and 15 dims expected");
  }
  int64_t d[15];
  for (uint32_t k = 0; k < 15; ++k) {
    d[k] = static_cast<int64_t>(dims.Get(k).As<Napi::Number>().Int64Value());
    if (d[k] < 0) throw Napi::RangeError::New(env, "conv2dFloat: negative dimension");
  }
  Conv2DFloatShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14]};
  if (s.sh < 1 || s.sw < 1 || s.dh < 1 || s.dw < 1) throw Napi::RangeError::New(env, "conv2dFloat: strides and dilations must be >= 1");
  if (static_cast<int64_t>(in.ElementLength()) != s.n * s.h * s.w * s.c ||
      static_cast<int64_t>(filter.ElementLength()) != s.kh * s.kw * s.c * s.co ||
      static_cast<int64_t>(out.ElementLength()) != s.n * s.oh * s.ow * s.co) {
    throw Napi::RangeError::New(env, "conv2dFloat: buffer sizes do not match the dims");
  }
  const int threads = info[4].As<Napi::Number>().Int32Value();
  auto* worker = new Conv2DFloatWorker(env, in, filter, out, s, threads, info[5].As<Napi::Boolean>().Value());
  auto promise = worker->Promise();
  worker->Queue();
  return promise;
}

class FusedBatchNormWorker : public Napi::AsyncWorker {
 public:
  FusedBatchNormWorker(Napi::Env env, const Napi::CallbackInfo& info, int64_t rows, int64_t depth, float eps, bool training, int threads)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), rows_(rows), depth_(depth), eps_(eps),
        training_(training), threads_(threads) {
    for (int k = 0; k < 6; ++k) {
      auto a = info[k].As<Napi::Float32Array>();
      refs_[k] = Napi::Persistent(a);
      data_[k] = a.Data();
    }
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    FusedBatchNormFloat(data_[0], data_[1], data_[2], data_[3], data_[4], data_[5], rows_, depth_, eps_, training_, threads_);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Float32Array> refs_[6];
  float* data_[6];
  int64_t rows_, depth_;
  float eps_;
  bool training_;
  int threads_;
};

// fusedBatchNormFloat(x, scale, offset, mean, variance, y, rows, depth, epsilon, training, threads)
Napi::Value FusedBatchNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 11) throw Napi::TypeError::New(env, "fusedBatchNormFloat: 11 arguments expected");
  for (int k = 0; k < 6; ++k) {
    if (!info[k].IsTypedArray() || info[k].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, "fusedBatchNormFloat: arguments 0..5 must be Float32Arrays");
  }
  const int64_t rows = info[6].As<Napi::Number>().Int64Value();
  const int64_t depth = info[7].As<Napi::Number>().Int64Value();
  const float eps = info[8].As<Napi::Number>().FloatValue();
  const bool training = info[9].As<Napi::Boolean>().Value();
  const int threads = info[10].As<Napi::Number>().Int32Value();
  auto len = [&](int k) { return static_cast<int64_t>(info[k].As<Napi::Float32Array>().ElementLength()); };
  if (rows < 0 || depth < 0 || len(0) != rows * depth || len(5) != rows * depth || len(1) != depth || len(2) != depth ||
      len(3) != depth || len(4) != depth) {
    throw Napi::RangeError::New(env, "fusedBatchNormFloat: buffer sizes do not match rows x depth");
  }
  auto* worker = new FusedBatchNormWorker(env, info, rows, depth, eps, training, threads);
  auto promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void RegisterFloatOps(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dFloat", Napi::Function::New(env, Conv2DFloat));
  exports.Set("fusedBatchNormFloat", Napi::Function::New(env, FusedBatchNorm));
}

}  // namespace axq
