// Argument readers shared by every N-API binding (float, quantized, AxConv): each check throws a
// TypeError or RangeError naming the function and the argument, never crashes. Numbers used as
// sizes must be integers inside a stated range; products of sizes are checked for overflow; the
// thread count is clamped to [1, kMaxThreads]. `Worker` runs a job off the event loop and keeps
// every JavaScript value it was given (the arrays behind its raw pointers) alive until it ends.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "parallel.h"

namespace axq {
namespace args {

// Largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER).
constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;

[[noreturn]] inline void TypeFail(Napi::Env env, const char* fn, size_t i, const std::string& what) {
  throw Napi::TypeError::New(env, std::string(fn) + ": argument " + std::to_string(i) + " " + what);
}

[[noreturn]] inline void RangeFail(Napi::Env env, const char* fn, const std::string& what) {
  throw Napi::RangeError::New(env, std::string(fn) + ": " + what);
}

inline void Need(bool ok, Napi::Env env, const char* fn, const std::string& what) {
  if (!ok) RangeFail(env, fn, what);
}

inline Napi::Value Arg(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info.Length() <= i) TypeFail(info.Env(), fn, i, "is missing");
  return info[i];
}

// A finite number (any value).
inline double Number(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  Napi::Value v = Arg(info, i, fn);
  if (!v.IsNumber()) TypeFail(info.Env(), fn, i, "must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

// An integer in [lo, hi] (both within ±2^53).
inline int64_t IntOf(Napi::Env env, const Napi::Value& v, const char* fn, const std::string& name, int64_t lo, int64_t hi) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(fn) + ": " + name + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::floor(d)) {
    RangeFail(env, fn, name + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int64_t>(d);
}

inline int64_t Int(const Napi::CallbackInfo& info, size_t i, const char* fn, int64_t lo = 0, int64_t hi = kMaxSafe) {
  return IntOf(info.Env(), Arg(info, i, fn), fn, "argument " + std::to_string(i), lo, hi);
}

inline bool Bool(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  Napi::Value v = Arg(info, i, fn);
  if (!v.IsBoolean()) TypeFail(info.Env(), fn, i, "must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

// A bigint that fits int64 exactly.
inline int64_t BigInt64(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  Napi::Value v = Arg(info, i, fn);
  if (!v.IsBigInt()) TypeFail(info.Env(), fn, i, "must be a bigint");
  bool lossless = false;
  const int64_t r = v.As<Napi::BigInt>().Int64Value(&lossless);
  if (!lossless) RangeFail(info.Env(), fn, "argument " + std::to_string(i) + " does not fit in int64");
  return r;
}

// Thread count: any integer ≥ 1 is accepted and clamped to kMaxThreads (the pool's size bound).
inline int Threads(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  return ClampThreads(Int(info, i, fn, 1, kMaxSafe));
}

template <typename T>
inline Napi::TypedArrayOf<T> Array(const Napi::CallbackInfo& info, size_t i, const char* fn, napi_typedarray_type type) {
  Napi::Value v = Arg(info, i, fn);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) TypeFail(info.Env(), fn, i, "has the wrong array type");
  return v.As<Napi::TypedArrayOf<T>>();
}

// A typed array of exactly `length` elements.
template <typename T>
inline Napi::TypedArrayOf<T> Array(const Napi::CallbackInfo& info, size_t i, const char* fn, napi_typedarray_type type,
                                   int64_t length) {
  auto a = Array<T>(info, i, fn, type);
  if (static_cast<int64_t>(a.ElementLength()) != length) {
    RangeFail(info.Env(), fn, "argument " + std::to_string(i) + " has " + std::to_string(a.ElementLength()) +
                                  " elements, expected " + std::to_string(length));
  }
  return a;
}

// Any typed array (raw bytes).
inline Napi::TypedArray AnyArray(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  Napi::Value v = Arg(info, i, fn);
  if (!v.IsTypedArray()) TypeFail(info.Env(), fn, i, "must be a typed array");
  return v.As<Napi::TypedArray>();
}

inline uint8_t* Bytes(const Napi::TypedArray& a) {
  return static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
}

// An array of integers in [lo, hi]; `count` ≥ 0 requires exactly that many, -1 any up to maxCount.
inline std::vector<int64_t> IntList(const Napi::CallbackInfo& info, size_t i, const char* fn, int64_t count, int64_t lo,
                                    int64_t hi, int64_t maxCount = 64) {
  Napi::Value v = Arg(info, i, fn);
  if (!v.IsArray()) TypeFail(info.Env(), fn, i, "must be an array");
  auto a = v.As<Napi::Array>();
  const int64_t len = a.Length();
  if ((count >= 0 && len != count) || len > maxCount) {
    RangeFail(info.Env(), fn, "argument " + std::to_string(i) + " has " + std::to_string(len) + " entries");
  }
  std::vector<int64_t> out(len);
  for (uint32_t k = 0; k < len; ++k)
    out[k] = IntOf(info.Env(), a.Get(k), fn, "argument " + std::to_string(i) + "[" + std::to_string(k) + "]", lo, hi);
  return out;
}

// Product of non-negative sizes, or a RangeError when it exceeds 2^53.
// The optional string option `isa` of the options object `o`: `fallback` when it is absent or
// null, else its value, which must be one of `known` (the variants this CPU runs).
inline std::string IsaOption(Napi::Env env, const Napi::Object& o, const char* fn, const std::string& fallback,
                             const std::vector<std::string>& known) {
  Napi::Value isa = o.Get("isa");
  if (isa.IsUndefined() || isa.IsNull()) return fallback;
  if (!isa.IsString()) throw Napi::TypeError::New(env, std::string(fn) + ": isa must be a string");
  std::string name = isa.As<Napi::String>().Utf8Value();
  for (const std::string& v : known) {
    if (v == name) return name;
  }
  throw Napi::RangeError::New(env, std::string(fn) + ": isa '" + name + "' is not available on this CPU");
}

inline int64_t Product(Napi::Env env, const char* fn, std::initializer_list<int64_t> sizes) {
  int64_t p = 1;
  for (int64_t s : sizes) {
    if (s < 0 || (s != 0 && p > kMaxSafe / s)) RangeFail(env, fn, "sizes too large");
    p *= s;
  }
  return p;
}

// Runs `work` on a libuv worker thread and resolves a Promise with `result()` (undefined when
// empty). Every value in `keep` stays referenced until the worker is done. An exception thrown by
// the job (also inside the thread pool, see parallel.h) rejects the Promise with its message.
class Worker : public Napi::AsyncWorker {
 public:
  using Result = std::function<Napi::Value(Napi::Env)>;

  Worker(Napi::Env env, const char* name, std::initializer_list<Napi::Value> keep, std::function<void()> work,
         Result result = nullptr)
      : Napi::AsyncWorker(env, name),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)),
        make_(std::move(result)) {
    for (const auto& v : keep) keep_.push_back(Napi::Persistent(v));
  }

  // Queues the worker and returns its Promise (the worker deletes itself when done).
  static Napi::Value Start(Worker* w) {
    auto p = w->deferred_.Promise();
    w->Queue();
    return p;
  }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const std::bad_alloc&) {
      SetError("out of memory in a native kernel");
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("unknown failure in a native kernel");
    }
  }
  void OnOK() override { deferred_.Resolve(make_ ? make_(Env()) : Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> work_;
  Result make_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
};

}  // namespace args
}  // namespace axq
