#include "axconv_thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace axq {

namespace {

struct Job {
  const std::function<void(int64_t)>* fn = nullptr;
  int64_t n = 0;
  int maxHelpers = 0;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<int> helpers{0};
  std::mutex mutex;
  std::condition_variable finished;
  // The first exception a task threw (guarded by mutex); later tasks are skipped, Run rethrows it.
  std::exception_ptr error;
  std::atomic<bool> failed{false};

  void Work() {
    for (;;) {
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      if (!failed.load(std::memory_order_relaxed)) {
        try {
          (*fn)(i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex);
          if (!error) error = std::current_exception();
          failed.store(true);
        }
      }
      if (done.fetch_add(1) + 1 == n) {
        std::lock_guard<std::mutex> lock(mutex);
        finished.notify_all();
      }
    }
  }
};

class Pool {
 public:
  void Run(int64_t n, int threads, const std::function<void(int64_t)>& fn) {
    auto job = std::make_shared<Job>();
    job->fn = &fn;
    job->n = n;
    job->maxHelpers = static_cast<int>(std::min<int64_t>(threads - 1, n - 1));
    if (job->maxHelpers > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      Grow(job->maxHelpers);
      queue_.push_back(job);
      wake_.notify_all();
    }
    job->Work();
    std::unique_lock<std::mutex> lock(job->mutex);
    job->finished.wait(lock, [&] { return job->done.load() >= job->n; });
    if (job->error) std::rethrow_exception(job->error);
  }

 private:
  // Called with mutex_ held.
  void Grow(int wanted) {
    while (static_cast<int>(workers_) < wanted && workers_ < 256) {
      std::thread([this] { Loop(); }).detach();
      ++workers_;
    }
  }

  void Loop() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return !queue_.empty(); });
        job = queue_.front();
        const int helpers = job->helpers.fetch_add(1) + 1;
        if (helpers >= job->maxHelpers || job->next.load() >= job->n) queue_.pop_front();
        if (helpers > job->maxHelpers) continue;
      }
      job->Work();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  size_t workers_ = 0;
};

Pool& ThePool() {
  // Never destroyed: detached workers may still wait on it while the process exits.
  static Pool* pool = new Pool();
  return *pool;
}

}  // namespace

int HardwareThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void ParallelFor(int64_t n, int threads, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  if (threads <= 1 || n == 1) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  ThePool().Run(n, threads, fn);
}

}  // namespace axq
