// Counts the live sessions of mailvaultd's listeners, so that shutdown can
// wait for them, and keeps each listener's connection metrics.
#pragma once

#include <atomic>
#include <functional>
#include <utility>

#include "net/asio.h"
#include "server/metrics/metrics.h"

namespace mailvault {

class SessionCounter {
 public:
  // Wraps a listener's session factory so that each session is counted
  // while it runs. The returned function is not itself a coroutine: a
  // lambda coroutine reads its captures from the closure, which lives in
  // the accept loop's frame, and at SIGTERM that loop ends and frees it
  // while a session accepted last may not yet have started on its own
  // thread (ASan saw the heap-use-after-free). The session is made here,
  // and Counted's frame holds everything it uses.
  template <typename Socket>
  std::function<asio::awaitable<void>(Socket)> Wrap(
      Metrics::Listener& metrics, std::function<asio::awaitable<void>(Socket)> inner) {
    return [this, &metrics, inner](Socket socket) {
      return Counted(live_, metrics, inner(std::move(socket)));
    };
  }
  int live() const { return live_.load(); }

 private:
  template <typename Count>
  struct Guard {
    explicit Guard(std::atomic<Count>& n) : n_(n) { ++n_; }
    ~Guard() { --n_; }
    std::atomic<Count>& n_;
  };

  static asio::awaitable<void> Counted(std::atomic<int>& live, Metrics::Listener& metrics,
                                       asio::awaitable<void> session) {
    Guard guard(live);
    metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
    Guard open(metrics.connections_open);
    co_await std::move(session);
  }

  std::atomic<int> live_{0};
};

}  // namespace mailvault
