// Run-time CPU feature checks, so that one portable build picks vector code paths that the
// machine actually has (no -march=native at build time).
#pragma once

namespace axq {

inline bool CpuHasAvx2() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace axq
