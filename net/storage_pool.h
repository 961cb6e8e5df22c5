// RocksDB calls and sealing run here, never on the network threads: a
// session co_awaits Run(), the work happens on a pool thread, and the
// session resumes on its own executor with the result.
#pragma once

#include <optional>
#include <type_traits>

#include "net/asio.h"

namespace mailvault {

class StoragePool {
 public:
  explicit StoragePool(unsigned threads) : pool_(threads) {}
  ~StoragePool() { Stop(); }

  // Lets queued work finish, then joins the threads.
  void Stop() {
    pool_.join();
  }

  template <typename F, typename R = std::invoke_result_t<F>>
  asio::awaitable<R> Run(F work) {
    auto executor = co_await asio::this_coro::executor;
    // Asio 1.74's awaitable handlers need a default-constructible result, and
    // Result<T> is not one: carry it in an optional.
    std::optional<R> result = co_await asio::async_initiate<
        decltype(asio::use_awaitable), void(std::optional<R>)>(
        [this, executor, &work](auto handler) {
          asio::post(pool_, [executor, &work, handler = std::move(handler)]() mutable {
            std::optional<R> r(work());
            asio::post(executor, [handler = std::move(handler), r = std::move(r)]() mutable {
              handler(std::move(r));
            });
          });
        },
        asio::use_awaitable);
    co_return std::move(*result);
  }

 private:
  asio::thread_pool pool_;
};

}  // namespace mailvault
