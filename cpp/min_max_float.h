// Minimum and maximum of a float32 array in one pass (the Min/Max range nodes of quantized graphs
// reduce whole activations). Semantics of a sequential scan from FLT_MAX / -FLT_MAX that replaces
// only on a strictly smaller / greater value: NaNs are skipped, and of equal values (+0 and -0)
// the first in memory order is kept. Chunks run on threads and are combined in order, with the
// sign of a zero result fixed by the first zero in memory order, so any thread count gives the
// same bits.
#pragma once
#include <cstdint>

namespace axq {

void MinMaxFloat(const float* x, int64_t n, float* min, float* max, int threads);
void MinMaxFloatReference(const float* x, int64_t n, float* min, float* max);

}  // namespace axq
