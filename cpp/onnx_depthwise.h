// Planes of a depthwise (one input channel per output channel) quantized convolution, the hot
// loop of ONNX depthwise QLinearConv layers (cpp/onnx_qconv.cc), in instruction-set variants
// chosen at run time like the AxConv2D kernels' (AxConvFastVariant: AXQ_SIMD picks one).
//
// For every output pixel (oh, ow) of one channel's plane:
//   acc[oh·Wo + ow] = Σ_t row_t[x_t] − zw·Σ_t op(x_t) + constant      (wrapping int32)
// over the taps t, where x_t = base[oh·rowStep + ow·stride + offsets[t]] is the input code (a
// byte of a frame already padded with zx's code), row_t the 256 products of tap t's weight with
// every code (uint16, or int16 when `rowSigned`), op(x) the code's value (int8 when `xSigned`)
// and `constant` = taps·zx·zw − zx·Σ_t op(w_t), all as the caller computed it.
#pragma once

#include <cstdint>

namespace axq {

struct DepthwisePlaneArgs {
  int32_t* acc;            // [Ho][Wo]
  int64_t Ho, Wo;
  const uint8_t* base;     // frame byte of tap offset 0 for output (0, 0); readable 128 bytes past the frame
  int64_t rowStep;         // frame bytes from one output row's windows to the next (strideH · frame width)
  const int64_t* offsets;  // [taps]
  int64_t taps;
  const uint16_t* rows;    // [taps][256]: 16-bit products (bit patterns of int16 when rowSigned)
  int32_t zw;
  uint32_t constant;
  // With `codes` (the output plane [Ho][Wo] as bytes), the accumulators are requantized there
  // instead of written to acc (onnx_requantize.h's RequantizedCode, lane by lane).
  uint8_t* codes;
  uint32_t bias;
  float scale, flo, fhi;
  int32_t zp;
};

using DepthwisePlaneFn = void (*)(const DepthwisePlaneArgs&);

/**
 * The AVX-512 (F + BW) loop for these arguments (horizontal stride, taps, output width,
 * signedness), or nullptr when it cannot take them (stride other than 1 or 2, more than 128
 * taps) or was not built. The caller checks the CPU first. (The plain loop these must equal is
 * SumTaps in onnx_qconv.cc, on int32 rows.)
 */
DepthwisePlaneFn DepthwisePlaneAvx512Pick(int64_t stride, int64_t taps, int64_t Wo, bool rowSigned, bool xSigned);

/**
 * The AVX-512 VBMI loop (stride 1, more than 8 output columns, at most 128 taps; else nullptr). Its `rows` hold each
 * tap's products as bytes: [taps][256 low bytes, then 256 high bytes] (the same 512 bytes per tap).
 */
DepthwisePlaneFn DepthwisePlaneVbmiPick(int64_t stride, int64_t taps, int64_t Wo, bool rowSigned, bool xSigned);

/** True when this CPU runs the VBMI loop (AVX-512 F, BW and VBMI) and the build has it. */
bool DepthwiseVbmiAvailable();

}  // namespace axq
