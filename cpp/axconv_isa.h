// The instruction-set-specific part of the fast AxConv2D path: three small loops, compiled once per
// instruction set from one template (axconv_isa_impl.h) in their own translation units, each
// with its own compiler flags (CMakeLists.txt). axconv_fast.cc picks one at run time.
//
// Product rows of one k-tile (KT output channels): rows[t][x][k] = T[x][w(t, k)] as uint16, for
// every tap t (dy, dx, c) of the window and every activation code x (256 rows of KT per tap).
#pragma once

#include <cstdint>

namespace axq {

struct AxConvIsa {
  const char* name;
  /**
   * acc[i][0..KT) += rows[c][xs[i][c0 + c]] over c in [0, G), for each of the np pixels i
   * (with `init`, acc starts from 0 instead of its contents).
   * `tile` points at the rows of tap c0 (G taps of 256 x KT uint16); acc is [np][KT] uint32.
   * Index 0, 1, 2, 3: KT = 8, 16, 32, 64.
   */
  void (*accumulate[4])(uint32_t* acc, int64_t np, const uint16_t* tile,
                        const uint8_t* const* xs, int64_t c0, int64_t G, bool init);
  /**
   * Product rows of taps [t0, t1) for one k-tile: dst[t - t0][x][k] = table[x*256 + w[t*wStride + k]]
   * for k in [0, KT). Index as above.
   */
  void (*buildRows[4])(uint16_t* dst, const uint8_t* w, int64_t wStride, int64_t t0, int64_t t1,
                       const uint16_t* table);
  /**
   * Whole windows at once (layers with few taps), finished outputs: for each of the np pixels i
   * and k in [0, width), out[i * outStride + k] = bias[k] - zf * sx + sum over the taps t in
   * [0, taps) of rows[t][x_t], where x_t = x[i * step + off[t]] and sx = the sum of those codes
   * (uint32 arithmetic). `rows` holds all taps of one k-tile (taps x 256 x KT uint16), bias has
   * KT entries, width <= KT. `range` (may be null): {min, max} as int32, widened by every output
   * written. Index as above.
   */
  void (*windows[4])(int32_t* out, int64_t outStride, int64_t width, int64_t np, const uint16_t* rows,
                     const uint8_t* x, int64_t step, const int32_t* off, int64_t taps,
                     const uint32_t* bias, uint32_t zf, int32_t* range);
};

/** Index into AxConvIsa's arrays for a k-tile width (8, 16, 32 or 64). */
inline int KtIndex(int64_t kt) { return kt == 8 ? 0 : kt == 16 ? 1 : kt == 32 ? 2 : 3; }

/** The variants; nullptr when not compiled for this target (then never chosen). */
const AxConvIsa* AxConvIsaGeneric();  // portable C++ vectors: SSE2 on x86-64, NEON on ARM64
const AxConvIsa* AxConvIsaAvx2();     // x86-64 with -mavx2
const AxConvIsa* AxConvIsaAvx512();   // x86-64 with -mavx512f -mavx512bw
// The variant named "avx512", "avx2" or "generic" when this CPU runs it, else null (axconv_fast.cc).
const AxConvIsa* AxConvIsaRunnable(const char* name);

}  // namespace axq
