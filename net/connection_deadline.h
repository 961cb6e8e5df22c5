// A watchdog per connection: the session moves the deadline before each read
// or write; when it passes, the watchdog closes the socket, which makes the
// pending operation fail and the session end. (Asio 1.74 has no per-operation
// cancellation or cancel_after; see ../shared/PLATFORM.md.)
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "net/asio.h"

namespace mailvault {

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_expiry` runs on the connection's executor, at most once, and never
  // after Stop() or destruction.
  ConnectionDeadline(const asio::any_io_executor& executor, std::function<void()> on_expiry)
      : state_(std::make_shared<State>(executor, std::move(on_expiry))) {}
  ~ConnectionDeadline() { Stop(); }
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  void ExpireAfter(Clock::duration timeout) { state_->timer.expires_at(Clock::now() + timeout); }
  void ExpireAt(Clock::time_point when) { state_->timer.expires_at(when); }
  // Ends the watchdog (the session is over).
  void Stop() {
    state_->stopped = true;
    state_->on_expiry = nullptr;
    state_->timer.cancel();
  }
  bool expired() const { return state_->expired; }

  // Starts watching. A plain completion handler, not a coroutine: Asio
  // 1.74 frees a co_spawned coroutine's executor while its finished timer
  // handler still refers to it (seen under AddressSanitizer as a
  // heap-use-after-free when a watchdog coroutine ended), so the watchdog
  // re-arms itself with callbacks. The handler holds the state, not this
  // object: a wait completing after the session has gone finds `stopped`.
  void Start() { Arm(state_); }

 private:
  struct State {
    State(const asio::any_io_executor& executor, std::function<void()> callback)
        : timer(executor, Clock::time_point::max()), on_expiry(std::move(callback)) {}
    asio::steady_timer timer;
    std::function<void()> on_expiry;
    bool stopped = false;
    bool expired = false;
  };
  static void Arm(std::shared_ptr<State> state) {
    state->timer.async_wait([state](const boost::system::error_code&) {
      if (state->stopped) return;
      if (state->timer.expiry() <= Clock::now()) {
        state->expired = true;
        if (state->on_expiry) state->on_expiry();
        return;
      }
      Arm(state);  // the deadline moved: wait for the new one
    });
  }

  std::shared_ptr<State> state_;
};

}  // namespace mailvault
