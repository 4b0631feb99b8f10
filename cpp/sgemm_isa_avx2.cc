// AVX2 + FMA variant of the SGEMM micro-tiles (CMakeLists.txt compiles this file with -mavx2
// -mfma; only chosen after a run-time check that the CPU has both).
#if defined(__AVX2__) && defined(__FMA__) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_SGEMM_NAME "avx2"
#define AXQ_SGEMM_ENTRY SgemmIsaAvx2
#define AXQ_SGEMM_LANES 8
#include "sgemm_isa_impl.h"
#else
#include "sgemm.h"
namespace axq {
const SgemmIsa* SgemmIsaAvx2() { return nullptr; }
}  // namespace axq
#endif
