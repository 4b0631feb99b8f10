// N-API entry points for float kernels, each run on a worker thread (Napi::AsyncWorker) and
// resolving a Promise<void>: conv2dFloat(input, filter, output, dims, threads, reference),
// batchNormMomentsFloat(x, mean, variance, rows, depth, threads),
// batchNormApplyFloat(x, mean, k, offset, y, rows, depth, threads),
// minMaxFloat(x, result, threads, reference), padZeroBytes(input, output, elemBytes, shape, before, after,
// threads). Sizes are validated in
// TypeScript (src/native/floatKernels.ts) and checked again here against the buffer lengths.
#include <napi.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "conv2d_float.h"
#include "fused_batch_norm.h"
#include "min_max_float.h"
#include "pad.h"

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

// Runs a job on a worker thread, keeping the Float32Arrays it touches alive.
class FloatArraysWorker : public Napi::AsyncWorker {
 public:
  FloatArraysWorker(Napi::Env env, const Napi::CallbackInfo& info, int arrays, std::function<void(float**)> job)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), job_(std::move(job)) {
    for (int k = 0; k < arrays; ++k) {
      auto a = info[k].As<Napi::Float32Array>();
      refs_.push_back(Napi::Persistent(a));
      data_.push_back(a.Data());
    }
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { job_(data_.data()); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::Reference<Napi::Float32Array>> refs_;
  std::vector<float*> data_;
  std::function<void(float**)> job_;
};

// Checks that arguments [0, arrays) are Float32Arrays of the given lengths.
void CheckArrays(const Napi::CallbackInfo& info, const char* name, const std::vector<int64_t>& lengths) {
  Napi::Env env = info.Env();
  if (info.Length() < lengths.size()) throw Napi::TypeError::New(env, std::string(name) + ": too few arguments");
  for (size_t k = 0; k < lengths.size(); ++k) {
    if (!info[k].IsTypedArray() || info[k].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, std::string(name) + ": Float32Array arguments expected");
    if (static_cast<int64_t>(info[k].As<Napi::Float32Array>().ElementLength()) != lengths[k])
      throw Napi::RangeError::New(env, std::string(name) + ": buffer sizes do not match rows x depth");
  }
}

// batchNormMomentsFloat(x, mean, variance, rows, depth, threads) → Promise<void>
Napi::Value BatchNormMomentsBinding(const Napi::CallbackInfo& info) {
  const int64_t rows = info[3].As<Napi::Number>().Int64Value(), depth = info[4].As<Napi::Number>().Int64Value();
  const int threads = info[5].As<Napi::Number>().Int32Value();
  if (rows < 0 || depth < 0) throw Napi::RangeError::New(info.Env(), "batchNormMomentsFloat: negative size");
  CheckArrays(info, "batchNormMomentsFloat", {rows * depth, depth, depth});
  auto* w = new FloatArraysWorker(info.Env(), info, 3, [=](float** d) { BatchNormMoments(d[0], rows, depth, d[1], d[2], threads); });
  auto p = w->Promise();
  w->Queue();
  return p;
}

// batchNormApplyFloat(x, mean, k, offset, y, rows, depth, threads) → Promise<void>
Napi::Value BatchNormApplyBinding(const Napi::CallbackInfo& info) {
  const int64_t rows = info[5].As<Napi::Number>().Int64Value(), depth = info[6].As<Napi::Number>().Int64Value();
  const int threads = info[7].As<Napi::Number>().Int32Value();
  if (rows < 0 || depth < 0) throw Napi::RangeError::New(info.Env(), "batchNormApplyFloat: negative size");
  CheckArrays(info, "batchNormApplyFloat", {rows * depth, depth, depth, depth, rows * depth});
  auto* w = new FloatArraysWorker(info.Env(), info, 5, [=](float** d) { BatchNormApply(d[0], rows, depth, d[1], d[2], d[3], d[4], threads); });
  auto p = w->Promise();
  w->Queue();
  return p;
}

// minMaxFloat(x, result[2], threads, reference) → Promise<void>: result = [min, max]
Napi::Value MinMaxBinding(const Napi::CallbackInfo& info) {
  const int threads = info[2].As<Napi::Number>().Int32Value();
  const bool reference = info[3].As<Napi::Boolean>().Value();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), "minMaxFloat: Float32Array expected");
  const int64_t n = static_cast<int64_t>(info[0].As<Napi::Float32Array>().ElementLength());
  CheckArrays(info, "minMaxFloat", {n, 2});
  auto* w = new FloatArraysWorker(info.Env(), info, 2, [=](float** d) {
    if (reference)
      MinMaxFloatReference(d[0], n, &d[1][0], &d[1][1]);
    else
      MinMaxFloat(d[0], n, &d[1][0], &d[1][1], threads);
  });
  auto p = w->Promise();
  w->Queue();
  return p;
}

class PadWorker : public Napi::AsyncWorker {
 public:
  PadWorker(Napi::Env env, Napi::TypedArray in, Napi::TypedArray out, int64_t elemBytes, std::vector<int64_t> shape,
            std::vector<int64_t> before, std::vector<int64_t> after, int threads)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        in_(Napi::Persistent(in.As<Napi::Object>())),
        out_(Napi::Persistent(out.As<Napi::Object>())),
        inData_(static_cast<const uint8_t*>(in.ArrayBuffer().Data()) + in.ByteOffset()),
        outData_(static_cast<uint8_t*>(out.ArrayBuffer().Data()) + out.ByteOffset()),
        elemBytes_(elemBytes),
        shape_(std::move(shape)),
        before_(std::move(before)),
        after_(std::move(after)),
        threads_(threads) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    PadZeroBytes(inData_, outData_, elemBytes_, static_cast<int>(shape_.size()), shape_.data(), before_.data(),
                 after_.data(), threads_);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference in_, out_;
  const uint8_t* inData_;
  uint8_t* outData_;
  int64_t elemBytes_;
  std::vector<int64_t> shape_, before_, after_;
  int threads_;
};

std::vector<int64_t> IntList(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string("padZeroBytes: ") + what + " must be an array");
  auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const double d = a.Get(i).As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || d > 9.0e15) throw Napi::RangeError::New(v.Env(), std::string("padZeroBytes: bad ") + what);
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

// padZeroBytes(input, output, elemBytes, shape, before, after, threads): Pad with zeros.
Napi::Value PadZeroBinding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 7 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsNumber() || !info[6].IsNumber()) {
    throw Napi::TypeError::New(env, "padZeroBytes(input, output, elemBytes, shape, before, after, threads)");
  }
  auto in = info[0].As<Napi::TypedArray>();
  auto out = info[1].As<Napi::TypedArray>();
  const int64_t eb = info[2].As<Napi::Number>().Int64Value();
  auto shape = IntList(info[3], "shape");
  auto before = IntList(info[4], "before");
  auto after = IntList(info[5], "after");
  if (eb < 1 || before.size() != shape.size() || after.size() != shape.size() || shape.size() > 64) {
    throw Napi::RangeError::New(env, "padZeroBytes: inconsistent arguments");
  }
  int64_t inCount = 1, outCount = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    inCount *= shape[d];
    outCount *= shape[d] + before[d] + after[d];
  }
  if (static_cast<int64_t>(in.ByteLength()) != inCount * eb || static_cast<int64_t>(out.ByteLength()) != outCount * eb) {
    throw Napi::RangeError::New(env, "padZeroBytes: buffer sizes do not match the shape");
  }
  auto* w = new PadWorker(env, in, out, eb, std::move(shape), std::move(before), std::move(after),
                          std::max(1, info[6].As<Napi::Number>().Int32Value()));
  auto p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void RegisterFloatOps(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dFloat", Napi::Function::New(env, Conv2DFloat));
  exports.Set("batchNormMomentsFloat", Napi::Function::New(env, BatchNormMomentsBinding));
  exports.Set("batchNormApplyFloat", Napi::Function::New(env, BatchNormApplyBinding));
  exports.Set("minMaxFloat", Napi::Function::New(env, MinMaxBinding));
  exports.Set("padZeroBytes", Napi::Function::New(env, PadZeroBinding));
}

}  // namespace axq
