// A small persistent pool of std::threads for the native kernels. ParallelFor(n, threads, fn)
// calls fn(i) once for every i in [0, n) on up to `threads` threads (the caller's thread is one
// of them) and returns when all calls have finished. Several ParallelFor calls may run at the
// same time (from different libuv workers); each only ever uses its own index counter, so which
// thread computes which index never changes a result. At most 256 pool threads are ever started.
// An exception thrown by fn is caught on the thread that ran it; the remaining indices are
// skipped and ParallelFor rethrows the first exception on the calling thread (reported once).
#pragma once

#include <cstdint>
#include <functional>

namespace axq {

void ParallelFor(int64_t n, int threads, const std::function<void(int64_t)>& fn);

/** Number of hardware threads (at least 1). */
int HardwareThreads();

}  // namespace axq
