// Run-time CPU feature checks, so that one portable build picks vector code paths that the
// machine actually has (no -march=native at build time).
// AXQ_SIMD=generic in the environment forces the portable paths (to test them on any machine).
#pragma once

#include <cstdlib>
#include <cstring>

namespace axq {

inline bool SimdForcedGeneric() {
  const char* v = std::getenv("AXQ_SIMD");
  return v != nullptr && std::strcmp(v, "generic") == 0;
}

inline bool CpuHasAvx2() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  static const bool has = [] {
    if (SimdForcedGeneric()) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace axq
