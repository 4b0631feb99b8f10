// Element-wise and pooling kernels of axq's quantized ops (the TypeScript ops in
// src/runtime/ops/ are their reference twins; test/runtime/quantized/native.test.ts checks that
// both agree bit for bit). Every per-element constant (scales, offsets, lookup tables) is computed
// in TypeScript exactly as TensorFlow computes it and passed in, so these loops only repeat the
// per-element arithmetic. Each output element depends on its inputs alone: results never depend
// on the thread count.
#pragma once

#include <cstdint>

namespace axq {

// QUANTIZE_WITH_EIGEN for quint8: clamp(roundf(x * scale) - offset, lower, upper), float32.
void QuantizeU8(const float* x, int64_t n, float scale, float offset, float lower, float upper, uint8_t* out,
                int threads);
// out[i] = table[codes[i]] for 256-entry tables (Dequantize, the quint8 activations).
void LutU8ToF32(const uint8_t* codes, int64_t n, const float* table, float* out, int threads);
void LutU8ToU8(const uint8_t* codes, int64_t n, const uint8_t* table, uint8_t* out, int threads);
// out[i] = table[codes[i]·depth + i mod depth]: one 256-entry table per channel (code forms,
// src/runtime/codeForms.ts). minMax (may be null) receives [min, max] of out with the values of a
// sequential scan from ±FLT_MAX (strict comparisons, NaN skipped) except for the sign of a zero.
void LutByChannelF32(const uint8_t* codes, int64_t n, int64_t depth, const float* table, float* out, float* minMax,
                     int threads);
void LutByChannelU8(const uint8_t* codes, int64_t n, int64_t depth, const uint8_t* table, uint8_t* out, int threads);
// out[i] = tx[x[i]] + ty[y[i]] (int32, wrapping): QuantizedAdd's element-wise case. range (may be
// null) receives [min, max] of out (highest/lowest for n == 0), what RequantizationRange needs.
void AddLut(const uint8_t* x, const int32_t* tx, const uint8_t* y, const int32_t* ty, int64_t n, int32_t* out,
            int threads, int32_t* range = nullptr);
// out[i] = table[x[i]] + bias[i % c] (int32, wrapping): QuantizedBiasAdd.
void BiasAddLut(const uint8_t* x, int64_t n, const int32_t* table, const int32_t* bias, int64_t c, int32_t* out,
                int threads);
// Requantize qint32 → quint8, fixed point: t = ((int64)(float)x * rs) >> 32 (wrapping),
// q = clamp((t + offset) >> 16, 0, 255), all int64 arithmetic wrapping.
void RequantizeI32(const int32_t* x, int64_t n, int64_t rs, int64_t offset, uint8_t* out, int threads);
// Per channel of codes viewed as [n / depth, depth]: the smallest code (range[c]) and the largest
// (range[depth + c]); 255 and 0 for a channel without rows.
void ChannelCodeRange(const uint8_t* codes, int64_t n, int64_t depth, uint8_t* range, int threads);
// Sums over the middle axis of values looked up from codes viewed as [a, b, c]:
// out[i·c + k] = Σ_{j = 0..b−1} table[codes[(i·b + j)·c + k]], each a sequential float32 sum from 0
// (the float Sum/Mean of a Dequantize, without its float tensor). Split over i: thread-independent.
void SumMiddleLut(const uint8_t* codes, int64_t a, int64_t b, int64_t c, const float* table, float* out, int threads);
// Smallest and largest element (highest/lowest for n == 0).
void MinMaxI32(const int32_t* x, int64_t n, int32_t* mn, int32_t* mx, int threads);

struct PoolShape {
  int64_t n, h, w, c, kh, kw, sh, sw, oh, ow, padTop, padLeft;
};
// quint8 NHWC pooling over in-image taps: max (from 0) or truncated integer average.
void PoolU8(const PoolShape& s, bool average, const uint8_t* x, uint8_t* out, int threads);

}  // namespace axq
