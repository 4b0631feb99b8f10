// Pad (constant 0) of a row-major tensor of any element size, the native twin of
// src/runtime/ops/pad.ts: every output element outside the copied input region is zero.
#pragma once

#include <cstdint>

namespace axq {

// in: the input's bytes; out: the output's bytes (fully written); shape/before/after: rank entries.
// Every padding byte is `fill` (0: zeros of any type; 8-bit codes pad with a code).
void PadZeroBytes(const uint8_t* in, uint8_t* out, int64_t elemBytes, int rank, const int64_t* shape,
                  const int64_t* before, const int64_t* after, int threads, uint8_t fill = 0);

}  // namespace axq
