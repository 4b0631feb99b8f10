// QLinearAdd's element loop for same-shape inputs: out[i] = table[a[i]·256 + b[i]], where the
// table (built by src/runtime/ops/onnx/quantizedOps.ts, qlinearAddTable) holds the output byte of
// every input code pair. Twin: the JavaScript loop in quantizedOps.ts. Threads split the
// elements; each element is one table read, so results never depend on the thread count.
#include <napi.h>

#include <cstdint>

#include "napi_args.h"
#include "parallel.h"

namespace axq {
namespace {

// onnxLookupPairs(a: Uint8Array, b: Uint8Array, table: Uint8Array(65536), out: Uint8Array, threads) → Promise<void>
Napi::Value LookupPairsJs(const Napi::CallbackInfo& info) {
  using namespace args;
  const char* fn = "onnxLookupPairs";
  Napi::Env env = info.Env();
  auto a = Array<uint8_t>(info, 0, fn, napi_uint8_array);
  const int64_t n = static_cast<int64_t>(a.ElementLength());
  auto b = Array<uint8_t>(info, 1, fn, napi_uint8_array, n);
  auto table = Array<uint8_t>(info, 2, fn, napi_uint8_array, 65536);
  auto out = Array<uint8_t>(info, 3, fn, napi_uint8_array, n);
  const int threads = Threads(info, 4, fn);
  const uint8_t* pa = a.Data();
  const uint8_t* pb = b.Data();
  const uint8_t* t = table.Data();
  uint8_t* o = out.Data();
  return Worker::Start(new Worker(env, fn, {a, b, table, out}, [=] {
    ParallelRanges(n, threads, [=](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; i++) o[i] = t[(static_cast<uint32_t>(pa[i]) << 8) | pb[i]];
    });
  }));
}

}  // namespace

void RegisterOnnxQLinearAdd(Napi::Env env, Napi::Object exports) { exports.Set("onnxLookupPairs", Napi::Function::New(env, LookupPairsJs)); }

}  // namespace axq
