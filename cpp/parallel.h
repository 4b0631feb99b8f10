// The native kernels' one way to run work on several threads: the shared persistent pool of
// axconv_thread_pool.h (started once, at most kMaxThreads workers), with
// - thread counts clamped to [1, kMaxThreads] (a larger request behaves like kMaxThreads: results
//   never depend on the thread count anyway);
// - exceptions thrown by a task caught on the thread that ran it (a throw on a pool thread would
//   otherwise end the process); the first one is rethrown on the calling thread once every task
//   has finished, the others are dropped (reported once).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>

#include "axconv_thread_pool.h"

namespace axq {

constexpr int kMaxThreads = 256;

inline int ClampThreads(int64_t threads) {
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, kMaxThreads)));
}

// fn(i) for every i in [0, n), on up to `threads` threads (the caller's included).
template <class Fn>
void Parallel(int64_t n, int64_t threads, Fn&& fn) {
  if (n <= 0) return;
  const int t = ClampThreads(threads);
  std::exception_ptr first;
  std::atomic<bool> failed{false};
  std::mutex mutex;
  const std::function<void(int64_t)> task = [&](int64_t i) {
    if (failed.load(std::memory_order_relaxed)) return;  // skip the rest after a failure
    try {
      fn(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!first) first = std::current_exception();
      failed.store(true);
    }
  };
  ParallelFor(n, t, task);
  if (first) std::rethrow_exception(first);
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
