// The fast ONNX float kernels built with AVX2 and FMA (CMakeLists.txt sets the flags; chosen at run
// time by onnx_float_reference.cc when the CPU has them). Same source and same results as the
// portable build: std::fmaf becomes one vfmadd instruction instead of a library call.
#define AXQ_ONNX_FLOAT_NAME(f) f##Fma
#include "onnx_float_fast_impl.h"
