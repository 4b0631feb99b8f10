// AVX2 variant of the fast AxConv2D loops (CMakeLists.txt compiles this file with -mavx2; only
// called after a run-time check that the CPU has AVX2).
#if defined(__AVX2__) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_ISA_NAME "avx2"
#define AXQ_ISA_ENTRY AxConvIsaAvx2
#define AXQ_ISA_VECTOR_BYTES 32
#include "axconv_isa_impl.h"
#else
#include "axconv_isa.h"
namespace axq {
const AxConvIsa* AxConvIsaAvx2() { return nullptr; }
}  // namespace axq
#endif
