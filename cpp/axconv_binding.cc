// Placeholder until the AxConv2D kernels land.
#include <napi.h>
namespace axq {
void RegisterAxConv(Napi::Env env, Napi::Object exports) {}
}
