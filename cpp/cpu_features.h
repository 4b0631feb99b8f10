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

// AVX2 + FMA (fused multiply-add); AXQ_SIMD=generic turns it off.
inline bool CpuHasAvx2Fma() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  static const bool has = [] {
    if (SimdForcedGeneric()) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
  }();
  return has;
#else
  return false;
#endif
}

// AVX-512 F + DQ + BW (64-bit lane multiplies and conversions); AXQ_SIMD=generic or avx2 turns it off.
inline bool CpuHasAvx512Dq() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  static const bool has = [] {
    const char* v = std::getenv("AXQ_SIMD");
    if (SimdForcedGeneric() || (v != nullptr && std::strcmp(v, "avx2") == 0)) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512dq") != 0 &&
           __builtin_cpu_supports("avx512bw") != 0;
  }();
  return has;
#else
  return false;
#endif
}

// AVX-512 F + BW + VBMI (byte permutes across a whole register: 128-entry byte look-ups);
// AXQ_SIMD=generic or avx2 turns it off.
inline bool CpuHasAvx512Vbmi() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  static const bool has = [] {
    const char* v = std::getenv("AXQ_SIMD");
    if (SimdForcedGeneric() || (v != nullptr && std::strcmp(v, "avx2") == 0)) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
           __builtin_cpu_supports("avx512vbmi") != 0;
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace axq
