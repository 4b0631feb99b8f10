// Portable variant of the SGEMM micro-tiles: baseline flags of the build, std::fma per element
// (one instruction where the target has FMA, e.g. ARM64; a correctly rounded library call
// elsewhere).
#define AXQ_SGEMM_NAME "generic"
#define AXQ_SGEMM_ENTRY SgemmIsaGeneric
#define AXQ_SGEMM_LANES 4
#include "sgemm_isa_impl.h"
