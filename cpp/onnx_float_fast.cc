// The fast ONNX float kernels, portable build (see onnx_float_fast_impl.h).
#define AXQ_ONNX_FLOAT_NAME(f) f##Generic
#include "onnx_float_fast_impl.h"
