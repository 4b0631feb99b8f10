// N-API entry point: registers the coarse native functions that src/native/binding.ts exposes.
#include <napi.h>

namespace axq {
void RegisterAxConv(Napi::Env env, Napi::Object exports);
void RegisterFloatOps(Napi::Env env, Napi::Object exports);
void RegisterQuantizedOps(Napi::Env env, Napi::Object exports);
void RegisterOnnxOps(Napi::Env env, Napi::Object exports);
void RegisterOnnxFloatOps(Napi::Env env, Napi::Object exports);
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), "axq_native 1");
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version));
  axq::RegisterAxConv(env, exports);
  axq::RegisterFloatOps(env, exports);
  axq::RegisterQuantizedOps(env, exports);
  axq::RegisterOnnxOps(env, exports);
  axq::RegisterOnnxFloatOps(env, exports);
  return exports;
}

NODE_API_MODULE(axq_native, Init)
