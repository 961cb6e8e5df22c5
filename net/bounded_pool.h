// A small pool of threads for costly work that peers can ask for at will
// (Argon2id password verification: ~0.1 s of CPU and 64 MiB each), apart
// from the storage pool so that deliveries and mailbox work never wait
// behind it. Its queue is bounded: when `capacity` jobs are running or
// waiting, TryRun refuses at once instead of queueing, and the caller
// answers "try again later".
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <optional>
#include <type_traits>

#include "net/asio.h"

namespace mailvault {

class BoundedPool {
 public:
  // `threads` run jobs; at most `capacity` (>= threads) are admitted at once.
  BoundedPool(unsigned threads, size_t capacity)
      : pool_(threads), capacity_(std::max<size_t>(capacity, threads)) {}
  ~BoundedPool() { Stop(); }

  // Lets admitted work finish, then joins the threads.
  void Stop() { pool_.join(); }

  size_t capacity() const { return capacity_; }
  size_t admitted() const { return admitted_.load(); }

  // Runs `work` on the pool and resumes on the caller's executor with its
  // result, or with nullopt at once (work not run) when the pool is full.
  template <typename F, typename R = std::invoke_result_t<F>>
  asio::awaitable<std::optional<R>> TryRun(F work) {
    if (admitted_.fetch_add(1) >= capacity_) {
      admitted_.fetch_sub(1);
      co_return std::nullopt;
    }
    auto executor = co_await asio::this_coro::executor;
    // Asio 1.74's awaitable handlers need a default-constructible result:
    // carry it in an optional.
    std::optional<R> result = co_await asio::async_initiate<
        decltype(asio::use_awaitable), void(std::optional<R>)>(
        [this, executor, &work](auto handler) {
          asio::post(pool_, [this, executor, &work, handler = std::move(handler)]() mutable {
            std::optional<R> r(work());
            admitted_.fetch_sub(1);
            asio::post(executor, [handler = std::move(handler), r = std::move(r)]() mutable {
              handler(std::move(r));
            });
          });
        },
        asio::use_awaitable);
    co_return result;
  }

 private:
  asio::thread_pool pool_;
  const size_t capacity_;
  std::atomic<size_t> admitted_{0};
};

}  // namespace mailvault
