// N-API surface of the AxConv2D kernels (wrapped, and validated first, by src/native/axconv.ts):
//   axconvRun(args): Promise<{...}>  runs the reference or the fast kernel off the event loop;
//                                    resolves with timings, the path taken and the outputs' range
//   axconvPrepared(): External       an empty holder for the per-layer fast-path data, filled on
//                                    first use and reused while JavaScript keeps it
//   axconvInfo(): {fastVariant, fastVariants, hardwareThreads}
// The checks below are a second line of defence: a bad call throws, it never crashes.
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "axconv_kernel.h"
#include "axconv_thread_pool.h"
#include "napi_args.h"
#include "parallel.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/resource.h>
#endif

namespace axq {

namespace {

// The per-layer cache behind axconvPrepared(): the prepared rows and the filter and table they
// were built from. A call with another filter or table (same shape or not) rebuilds them.
struct PreparedHolder {
  std::mutex mutex;
  std::shared_ptr<PreparedFilter> prepared;
  std::vector<uint8_t> filter;
  std::vector<uint16_t> table;

  bool BuiltFrom(const ConvGeometry& g, const uint8_t* f, const uint16_t* t) const {
    const auto& h = prepared;
    return h && h->KH == g.KH && h->KW == g.KW && h->C == g.C && h->K == g.K &&
           filter.size() == static_cast<size_t>(g.KH * g.KW * g.C * g.K) && table.size() == 65536 &&
           std::equal(filter.begin(), filter.end(), f) && std::equal(table.begin(), table.end(), t);
  }
};

// Marks the Externals made by axconvPrepared(), so that no other External is taken for one.
constexpr napi_type_tag kPreparedTag = {0x6178712d70726570ULL, 0x6172656448c3b1ULL};

int64_t IntField(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("axconvRun: ") + name + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= -9.0e15 && d <= 9.0e15) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw Napi::RangeError::New(o.Env(), std::string("axconvRun: ") + name + " must be an integer");
  }
  return static_cast<int64_t>(d);
}

template <typename T>
Napi::TypedArrayOf<T> ArrayField(const Napi::Object& o, const char* name, napi_typedarray_type type,
                                 int64_t length) {
  Napi::Value v = o.Get(name);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(o.Env(), std::string("axconvRun: ") + name + " has the wrong array type");
  }
  auto a = v.As<Napi::TypedArrayOf<T>>();
  if (static_cast<int64_t>(a.ElementLength()) != length) {
    throw Napi::RangeError::New(o.Env(), std::string("axconvRun: ") + name + " has " +
                                             std::to_string(a.ElementLength()) + " elements, expected " +
                                             std::to_string(length));
  }
  return a;
}

class AxConvWorker : public Napi::AsyncWorker {
 public:
  AxConvWorker(Napi::Env env, Napi::Object args)
      : Napi::AsyncWorker(env, "axq:AxConv2D"), deferred_(Napi::Promise::Deferred::New(env)) {
    g_.N = IntField(args, "N");
    g_.H = IntField(args, "H");
    g_.W = IntField(args, "W");
    g_.C = IntField(args, "C");
    g_.KH = IntField(args, "KH");
    g_.KW = IntField(args, "KW");
    g_.K = IntField(args, "K");
    g_.Ho = IntField(args, "Ho");
    g_.Wo = IntField(args, "Wo");
    g_.stride = IntField(args, "stride");
    g_.offTop = IntField(args, "offTop");
    g_.offLeft = IntField(args, "offLeft");
    const std::string problem = CheckGeometry(g_);
    if (!problem.empty()) throw Napi::RangeError::New(env, "axconvRun: " + problem);
    const int64_t zi = IntField(args, "zi");
    const int64_t zf = IntField(args, "zf");
    const int64_t padCode = IntField(args, "padCode");
    const int64_t padMode = IntField(args, "padMode");
    if (zi < INT32_MIN || zi > INT32_MAX || zf < INT32_MIN || zf > INT32_MAX) {
      throw Napi::RangeError::New(env, "axconvRun: zero points must be int32");
    }
    if (padCode < 0 || padCode > 255) throw Napi::RangeError::New(env, "axconvRun: padCode must be 0..255");
    if (padMode != 0 && padMode != 1) throw Napi::RangeError::New(env, "axconvRun: padMode must be 0 or 1");
    q_.zi = static_cast<int32_t>(zi);
    q_.zf = static_cast<int32_t>(zf);
    q_.padCode = static_cast<uint8_t>(padCode);
    q_.padMode = static_cast<PadMode>(padMode);
    const int64_t threads = IntField(args, "threads");
    threads_ = ClampThreads(threads);
    Napi::Value kernel = args.Get("kernel");
    if (!kernel.IsString()) throw Napi::TypeError::New(env, "axconvRun: kernel must be a string");
    const std::string name = kernel.As<Napi::String>().Utf8Value();
    if (name == "fast") {
      fast_ = true;
    } else if (name != "reference") {
      throw Napi::RangeError::New(env, "axconvRun: kernel must be 'reference' or 'fast'");
    }
    isa_ = axq::args::IsaOption(env, args, "axconvRun", "", AxConvFastVariants());
    Napi::Value budget = args.Get("rowBudget");
    if (!budget.IsUndefined() && !budget.IsNull()) {
      if (!budget.IsNumber()) throw Napi::TypeError::New(env, "axconvRun: rowBudget must be a number");
      const double b = budget.As<Napi::Number>().DoubleValue();
      if (!(b >= 0)) throw Napi::RangeError::New(env, "axconvRun: rowBudget must be at least 0");
      rowBudget_ = std::min(b, kMaxPreparedBytes);
    }
    Napi::Value windowBytes = args.Get("windowBytes");
    if (!windowBytes.IsUndefined() && !windowBytes.IsNull()) {
      if (!windowBytes.IsNumber()) throw Napi::TypeError::New(env, "axconvRun: windowBytes must be a number");
      windowBytes_ = windowBytes.As<Napi::Number>().DoubleValue();
      if (!(windowBytes_ >= 0)) throw Napi::RangeError::New(env, "axconvRun: windowBytes must be at least 0");
    }
    Napi::Value chunk = args.Get("rowChunk");
    if (!chunk.IsUndefined() && !chunk.IsNull()) {
      rowChunk_ = IntField(args, "rowChunk");
      if (rowChunk_ < 1) throw Napi::RangeError::New(env, "axconvRun: rowChunk must be at least 1");
    }

    auto input = ArrayField<uint8_t>(args, "input", napi_uint8_array, g_.N * g_.H * g_.W * g_.C);
    auto filter = ArrayField<uint8_t>(args, "filter", napi_uint8_array, g_.KH * g_.KW * g_.C * g_.K);
    auto table = ArrayField<uint16_t>(args, "table", napi_uint16_array, 65536);
    auto output = ArrayField<int32_t>(args, "output", napi_int32_array, g_.N * g_.Ho * g_.Wo * g_.K);
    input_ = input.Data();
    filter_ = filter.Data();
    table_ = table.Data();
    output_ = output.Data();
    // Keep every buffer (and the prepared holder) alive until the work is done, by reference:
    // the argument object's properties may be reassigned meanwhile.
    keep_ = Napi::Persistent(args);
    for (Napi::Value v : {input.As<Napi::Value>(), filter.As<Napi::Value>(), table.As<Napi::Value>(), output.As<Napi::Value>()})
      arrays_.push_back(Napi::Persistent(v));
    Napi::Value prepared = args.Get("prepared");
    if (!prepared.IsUndefined() && !prepared.IsNull()) {
      bool tagged = false;
      if (!prepared.IsExternal() || napi_check_object_type_tag(env, prepared, &kPreparedTag, &tagged) != napi_ok || !tagged) {
        throw Napi::TypeError::New(env, "axconvRun: prepared must come from axconvPrepared()");
      }
      holder_ = prepared.As<Napi::External<PreparedHolder>>().Data();
      arrays_.push_back(Napi::Persistent(prepared));
    }
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = CpuSeconds();
    if (!fast_) {
      AxConvReference(g_, q_, input_, filter_, table_, output_);
      range_ = Int32RangeOf(output_, g_.N * g_.Ho * g_.Wo * g_.K);
      path_ = "reference";
    } else {
      std::shared_ptr<PreparedFilter> p;
      if (holder_) {
        std::lock_guard<std::mutex> lock(holder_->mutex);
        if (!holder_->BuiltFrom(g_, filter_, table_)) {
          holder_->prepared = PrepareFilter(g_, filter_, table_, threads_, rowBudget_);
          holder_->filter.assign(filter_, filter_ + g_.KH * g_.KW * g_.C * g_.K);
          holder_->table.assign(table_, table_ + 65536);
          prepareSeconds_ = Seconds(start);
        }
        p = holder_->prepared;
      } else {
        p = PrepareFilter(g_, filter_, table_, threads_, rowBudget_);
        prepareSeconds_ = Seconds(start);
      }
      path_ = AxConvFast(g_, q_, input_, *p, output_, threads_, isa_.empty() ? nullptr : isa_.c_str(), rowChunk_, windowBytes_, &range_);
      keptBytes_ = double(p->keptTiles) * double(g_.KH * g_.KW * g_.C) * 256.0 * double(p->KT) * 2.0;
    }
    seconds_ = Seconds(start);
    cpuSeconds_ = CpuSeconds() - cpuStart;
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("seconds", Napi::Number::New(env, seconds_));
    result.Set("prepareSeconds", Napi::Number::New(env, prepareSeconds_));
    result.Set("path", Napi::String::New(env, path_));
    result.Set("cpuSeconds", Napi::Number::New(env, cpuSeconds_));
    result.Set("rowBytes", Napi::Number::New(env, keptBytes_));
    Napi::Array range = Napi::Array::New(env, 2);
    range.Set(uint32_t(0), Napi::Number::New(env, range_.min));
    range.Set(uint32_t(1), Napi::Number::New(env, range_.max));
    result.Set("range", range);
    result.Set("isa", Napi::String::New(env, fast_ ? (isa_.empty() ? AxConvFastVariant() : isa_.c_str()) : "reference"));
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  // CPU time: of this thread when the kernel runs on it alone, else of the whole process (the
  // pool's threads included; other work of the process then counts too).
  double CpuSeconds() const {
#if defined(CLOCK_THREAD_CPUTIME_ID)
    if (threads_ == 1 || !fast_) {
      timespec ts;
      if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
    }
#endif
#if defined(__unix__) || defined(__APPLE__)
    rusage u;
    if (getrusage(RUSAGE_SELF, &u) == 0) {
      return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
    }
#endif
    return 0;
  }

  static double Seconds(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference keep_;
  std::vector<Napi::Reference<Napi::Value>> arrays_;
  ConvGeometry g_;
  ConvQuant q_;
  const uint8_t* input_ = nullptr;
  const uint8_t* filter_ = nullptr;
  const uint16_t* table_ = nullptr;
  int32_t* output_ = nullptr;
  PreparedHolder* holder_ = nullptr;
  bool fast_ = false;
  int threads_ = 1;
  double seconds_ = 0;
  double prepareSeconds_ = 0;
  double cpuSeconds_ = 0;
  double keptBytes_ = 0;
  Int32Range range_;
  double rowBudget_ = kMaxPreparedBytes;
  int64_t rowChunk_ = 0;
  double windowBytes_ = kWindowRowBytes;
  std::string isa_;
  const char* path_ = "";
};

Napi::Value Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "axconvRun: expected one argument object");
  auto* worker = new AxConvWorker(env, info[0].As<Napi::Object>());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Prepared(const Napi::CallbackInfo& info) {
  auto holder = Napi::External<PreparedHolder>::New(info.Env(), new PreparedHolder(),
                                                    [](Napi::Env, PreparedHolder* h) { delete h; });
  NAPI_THROW_IF_FAILED(info.Env(), napi_type_tag_object(info.Env(), holder, &kPreparedTag), Napi::Value());
  return holder;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("fastVariant", Napi::String::New(env, AxConvFastVariant()));
  const std::vector<std::string> variants = AxConvFastVariants();
  Napi::Array list = Napi::Array::New(env, variants.size());
  for (size_t i = 0; i < variants.size(); ++i) list.Set(static_cast<uint32_t>(i), Napi::String::New(env, variants[i]));
  o.Set("fastVariants", list);
  o.Set("hardwareThreads", Napi::Number::New(env, HardwareThreads()));
  return o;
}

}  // namespace

void RegisterAxConv(Napi::Env env, Napi::Object exports) {
  exports.Set("axconvRun", Napi::Function::New(env, Run));
  exports.Set("axconvPrepared", Napi::Function::New(env, Prepared));
  exports.Set("axconvInfo", Napi::Function::New(env, Info));
}

}  // namespace axq
