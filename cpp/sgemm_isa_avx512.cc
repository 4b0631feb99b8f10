// AVX-512 variant of the SGEMM micro-tiles (CMakeLists.txt compiles this file with -mavx512f;
// only chosen after a run-time check that the CPU has AVX-512F).
#if defined(__AVX512F__) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_SGEMM_NAME "avx512"
#define AXQ_SGEMM_ENTRY SgemmIsaAvx512
#define AXQ_SGEMM_LANES 16
#include "sgemm_isa_impl.h"
#else
#include "sgemm.h"
namespace axq {
const SgemmIsa* SgemmIsaAvx512() { return nullptr; }
}  // namespace axq
#endif
