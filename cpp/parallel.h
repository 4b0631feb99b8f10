// The native kernels' one way to run work on several threads: the shared persistent pool of
// axconv_thread_pool.h (started once, at most kMaxThreads workers), with
// - thread counts clamped to [1, kMaxThreads] (a larger request behaves like kMaxThreads: results
//   never depend on the thread count anyway);
// - exceptions thrown by a task caught by the pool on the thread that ran it; the first one is
//   rethrown on the calling thread (see axconv_thread_pool.h) and becomes the rejection of the
//   binding's Promise (napi_args.h Worker).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

#include "axconv_thread_pool.h"

namespace axq {

constexpr int kMaxThreads = 256;

inline int ClampThreads(int64_t threads) {
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, kMaxThreads)));
}

// fn(i) for every i in [0, n), on up to `threads` threads (the caller's included); the first
// exception a task throws is rethrown here once all tasks have finished or been skipped.
template <class Fn>
void Parallel(int64_t n, int64_t threads, Fn&& fn) {
  if (n <= 0) return;
  const std::function<void(int64_t)> task = [&](int64_t i) { fn(i); };
  ParallelFor(n, ClampThreads(threads), task);
}

// fn(begin, end) over [0, items) cut into at most `threads` contiguous ranges of equal size
// (the last may be shorter); every item is visited exactly once.
template <class Fn>
void ParallelRanges(int64_t items, int64_t threads, Fn&& fn) {
  if (items <= 0) return;
  const int64_t t = std::min<int64_t>(ClampThreads(threads), items);
  const int64_t chunk = (items + t - 1) / t;
  const int64_t ranges = (items + chunk - 1) / chunk;
  Parallel(ranges, t, [&](int64_t k) { fn(k * chunk, std::min(items, (k + 1) * chunk)); });
}

}  // namespace axq
