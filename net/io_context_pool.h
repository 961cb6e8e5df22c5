// One io_context per network thread, each run by exactly one thread; a
// connection lives on one of them from accept to close. No strands are
// needed (a connection's handlers never run concurrently), and an executor
// is a plain io_context executor stored inline, never a heap-shared one.
// (Strands with C++20 coroutines in Boost 1.74 corrupted the executor's
// reference count under AddressSanitizer when a session ended.)
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "net/asio.h"

namespace mailvault {

class IoContextPool {
 public:
  explicit IoContextPool(unsigned size) {
    for (unsigned i = 0; i < std::max(1u, size); ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(asio::make_work_guard(*contexts_.back()));
    }
  }

  // The context that listeners, signals and the admin socket use.
  asio::io_context& main() { return *contexts_.front(); }
  // Round-robin, for new connections.
  asio::io_context& next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
  }

  // Runs every context, the first on the calling thread, until Stop().
  void Run() {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < contexts_.size(); ++i) {
      threads.emplace_back([context = contexts_[i].get()] { context->run(); });
    }
    contexts_.front()->run();
    for (std::thread& t : threads) t.join();
  }

  void Stop() {
    for (auto& context : contexts_) context->stop();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::atomic<size_t> next_{0};
};

}  // namespace mailvault
