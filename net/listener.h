// Accept loop shared by every TCP listener: each connection gets the next
// single-threaded io_context, a per-address slot, and a session coroutine.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/asio.h"
#include "net/endpoint.h"
#include "net/per_key_limit.h"
#include "net/io_context_pool.h"

namespace mailvault {

using SessionFactory = std::function<asio::awaitable<void>(tcp::socket)>;

// Binds (SO_REUSEADDR) and listens; kIOError naming the endpoint on failure.
Result<std::unique_ptr<tcp::acceptor>> BindListener(asio::io_context& io, const Endpoint& endpoint);

// Accepts until the acceptor is closed; each connection is placed on the
// next context of `contexts` and its session runs there. A connection over
// the per-address limit gets `refusal` written to it and is closed. A peer
// that vanishes is noticed within `dead_peer_after` (dead_peer.h; zero:
// not looked for).
asio::awaitable<void> AcceptLoop(tcp::acceptor& acceptor, IoContextPool& contexts,
                                 PerKeyLimit& limiter, std::string refusal,
                                 std::chrono::seconds dead_peer_after,
                                 SessionFactory make_session);

}  // namespace mailvault
