// Requantization of int32 accumulators to 8-bit codes as onnxruntime's MlasRequantizeOutput
// does it (float32 product without FMA: -ffp-contract=off; round half to even; clamp; + zero
// point), shared by the ONNX convolution kernels. Twin: requantize() in
// src/runtime/ops/onnx/onnxQuantization.ts.
#pragma once

#include <cstdint>

namespace axq {

// One requantized code (MlasRequantizeOutput's arithmetic; see Requantize below). Round half to
// even: adding and removing 1.5·2^23 leaves the float rounded to an integer in the default
// rounding mode (|v| ≤ 510 here), as nearbyint does but without a library call.
inline uint8_t RequantizedCode(int32_t a, uint32_t bias, float scale, int32_t zp, float flo, float fhi) {
  constexpr float kRound = 12582912.0f;
  float v = static_cast<float>(static_cast<int32_t>(static_cast<uint32_t>(a) + bias)) * scale;
  v = v < flo ? flo : v;
  v = v > fhi ? fhi : v;
  return static_cast<uint8_t>(static_cast<int32_t>((v + kRound) - kRound) + zp);
}

// n accumulators of one channel (one bias and scale). Every parameter is a local value: byte
// stores may alias anything, and values read through pointers would keep the compiler from
// vectorising.
inline void RequantizeRun(const int32_t* __restrict acc, int64_t n, uint32_t bias, float scale, int32_t zp, float flo, float fhi, uint8_t* __restrict out) {
  for (int64_t p = 0; p < n; p++) out[p] = RequantizedCode(acc[p], bias, scale, zp, flo, fhi);
}

// The M channels of one pixel (channel-contiguous accumulators), each with its own bias and scale.
inline void RequantizeAcross(const int32_t* __restrict acc, int64_t M, const uint32_t* __restrict bias, const float* __restrict scales, int32_t zp, float flo,
                      float fhi, uint8_t* __restrict out) {
  for (int64_t m = 0; m < M; m++) out[m] = RequantizedCode(acc[m], bias[m], scales[m], zp, flo, fhi);
}

}  // namespace axq
