// A watchdog per connection: the session moves the deadline before each read
// or write; when it passes, the watchdog closes the socket, which makes the
// pending operation fail and the session end. (Asio 1.74 has no per-operation
// cancellation or cancel_after; see ../shared/PLATFORM.md.)
#pragma once

#include <chrono>
#include <functional>

#include "server/net/asio.h"

namespace mailvault {

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_expiry` runs on the connection's executor, once.
  ConnectionDeadline(const asio::any_io_executor& executor, std::function<void()> on_expiry)
      : timer_(executor, Clock::time_point::max()), on_expiry_(std::move(on_expiry)) {}

  void ExpireAfter(Clock::duration timeout) { timer_.expires_at(Clock::now() + timeout); }
  // Ends the watchdog (the session is over).
  void Stop() {
    stopped_ = true;
    timer_.cancel();
  }
  bool expired() const { return expired_; }

  // co_spawn this beside the session, on the same executor.
  asio::awaitable<void> Watch() {
    while (!stopped_) {
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!stopped_ && timer_.expiry() <= Clock::now()) {
        expired_ = true;
        on_expiry_();
        co_return;
      }
    }
  }

 private:
  asio::steady_timer timer_;
  std::function<void()> on_expiry_;
  bool stopped_ = false;
  bool expired_ = false;
};

}  // namespace mailvault
