// Tells open sessions that the server is stopping, so that a session waiting
// for its client's next command, or in IDLE, says BYE and ends at once
// instead of holding the shutdown for its whole grace period. A session in
// the middle of a command (an APPEND's literal arriving) finishes it first.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "net/asio.h"

namespace mailvault::imap {

class ShutdownNotice {
 public:
  using Callback = std::function<void()>;

  // Unsubscribes when destroyed; the callback never runs after that.
  class Subscription {
   public:
    Subscription(ShutdownNotice* notice, uint64_t id) : notice_(notice), id_(id) {}
    ~Subscription() { notice_->Unsubscribe(id_); }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

   private:
    ShutdownNotice* notice_;
    uint64_t id_;
  };

  // `callback` runs once, with the notice locked, on the thread that calls
  // Announce, or here at once if that happened already: it must only post
  // work to the session's executor.
  std::unique_ptr<Subscription> Subscribe(Callback callback) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    if (announced_) {
      callback();
    } else {
      subscribers_.emplace(id, std::move(callback));
    }
    return std::make_unique<Subscription>(this, id);
  }

  // What a session does: `on_shutdown(state)` runs on the session's
  // `executor`, if the session, which alone owns `state`, is still there.
  template <typename State, typename OnShutdown>
  std::unique_ptr<Subscription> SubscribeOn(asio::any_io_executor executor,
                                            std::weak_ptr<State> state, OnShutdown on_shutdown) {
    return Subscribe([executor, state, on_shutdown] {
      asio::post(executor, [state, on_shutdown] {
        if (std::shared_ptr<State> alive = state.lock()) on_shutdown(*alive);
      });
    });
  }

  void Announce() {
    std::lock_guard lock(mutex_);
    announced_ = true;
    for (auto& [id, callback] : subscribers_) callback();
    subscribers_.clear();
  }

 private:
  void Unsubscribe(uint64_t id) {
    std::lock_guard lock(mutex_);
    subscribers_.erase(id);
  }

  std::mutex mutex_;
  bool announced_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Callback> subscribers_;
};

}  // namespace mailvault::imap
