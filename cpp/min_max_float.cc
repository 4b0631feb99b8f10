// Minimum and maximum of a float32 array; see min_max_float.h.
#include "min_max_float.h"

#include <algorithm>
#include <cfloat>
#include <cstring>
#include <vector>

#include "parallel.h"

namespace axq {

void MinMaxFloatReference(const float* x, int64_t n, float* min, float* max) {
  float lo = FLT_MAX, hi = -FLT_MAX;
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  *min = lo;
  *max = hi;
}

namespace {

// 8 independent lanes (vectorisable selects); equal values may come from any lane, which only
// matters for the sign of zero, fixed afterwards.
void Chunk(const float* x, int64_t n, float* min, float* max) {
  constexpr int L = 8;
  float lo[L], hi[L];
  for (int k = 0; k < L; ++k) lo[k] = FLT_MAX, hi[k] = -FLT_MAX;
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int k = 0; k < L; ++k) {
      const float v = x[i + k];
      lo[k] = v < lo[k] ? v : lo[k];
      hi[k] = v > hi[k] ? v : hi[k];
    }
  float a = FLT_MAX, b = -FLT_MAX;
  for (int k = 0; k < L; ++k) {
    if (lo[k] < a) a = lo[k];
    if (hi[k] > b) b = hi[k];
  }
  for (; i < n; ++i) {
    if (x[i] < a) a = x[i];
    if (x[i] > b) b = x[i];
  }
  *min = a;
  *max = b;
}

// The first zero in memory order (its sign is what a sequential scan returns for a zero result).
float FirstZero(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (x[i] == 0.0f) return x[i];
  return 0.0f;
}

}  // namespace

void MinMaxFloat(const float* x, int64_t n, float* min, float* max, int threads) {
  int64_t t = ClampThreads(threads);
  if (n < (int64_t{1} << 16)) t = 1;
  std::vector<float> lo(t), hi(t);
  const int64_t chunk = (n + t - 1) / t;
  Parallel(t, t, [&](int64_t k) {
    const int64_t b = std::min(n, k * chunk), e = std::min(n, (k + 1) * chunk);
    Chunk(x + b, e - b, &lo[k], &hi[k]);
  });
  float a = FLT_MAX, b = -FLT_MAX;
  for (int64_t k = 0; k < t; ++k) {
    if (lo[k] < a) a = lo[k];
    if (hi[k] > b) b = hi[k];
  }
  if (a == 0.0f || b == 0.0f) {
    const float z = FirstZero(x, n);
    if (a == 0.0f) a = z;
    if (b == 0.0f) b = z;
  }
  *min = a;
  *max = b;
}

}  // namespace axq
