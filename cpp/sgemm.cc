// Run-time choice among the SGEMM micro-tile variants (sgemm.h).
#include <cstdlib>
#include <cstring>

#include "sgemm.h"

namespace axq {
namespace {

bool CpuCanRun(const char* name) {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  const bool fma = __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
  if (std::strcmp(name, "avx2") == 0) return fma;
  if (std::strcmp(name, "avx512") == 0) return fma && __builtin_cpu_supports("avx512f") != 0;
#endif
  return std::strcmp(name, "generic") == 0;
}

constexpr const char* kFastestFirst[] = {"avx512", "avx2", "generic"};

}  // namespace

const SgemmIsa* SgemmIsaNamed(const char* name) {
  const SgemmIsa* isa = nullptr;
  if (std::strcmp(name, "avx512") == 0) isa = SgemmIsaAvx512();
  else if (std::strcmp(name, "avx2") == 0) isa = SgemmIsaAvx2();
  else if (std::strcmp(name, "generic") == 0) isa = SgemmIsaGeneric();
  return isa != nullptr && CpuCanRun(name) ? isa : nullptr;
}

const SgemmIsa* SgemmIsaDefault() {
  static const SgemmIsa* chosen = [] {
    if (const char* want = std::getenv("AXQ_SIMD")) {
      if (const SgemmIsa* isa = SgemmIsaNamed(want)) return isa;
    }
    for (const char* name : kFastestFirst) {
      if (const SgemmIsa* isa = SgemmIsaNamed(name)) return isa;
    }
    return SgemmIsaGeneric();
  }();
  return chosen;
}

std::vector<std::string> SgemmIsaVariants() {
  std::vector<std::string> out;
  for (const char* name : kFastestFirst) {
    if (SgemmIsaNamed(name)) out.emplace_back(name);
  }
  return out;
}

}  // namespace axq
