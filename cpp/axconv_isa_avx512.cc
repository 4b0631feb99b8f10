// AVX-512 (F + BW) variant of the fast AxConv2D loops (CMakeLists.txt compiles this file with
// -mavx512f -mavx512bw; only called after a run-time check that the CPU has both).
#if defined(__AVX512F__) && defined(__AVX512BW__) && (defined(__GNUC__) || defined(__clang__))
#define AXQ_ISA_NAME "avx512"
#define AXQ_ISA_ENTRY AxConvIsaAvx512
#define AXQ_ISA_VECTOR_BYTES 64
#include "axconv_isa_impl.h"
#else
#include "axconv_isa.h"
namespace axq {
const AxConvIsa* AxConvIsaAvx512() { return nullptr; }
}  // namespace axq
#endif
