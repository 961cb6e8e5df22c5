#include "net/listener.h"

#include <spdlog/spdlog.h>

#include "net/dead_peer.h"

namespace mailvault {

Result<std::unique_ptr<tcp::acceptor>> BindListener(asio::io_context& io,
                                                    const Endpoint& endpoint) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(endpoint.host, ec);
  if (ec) {
    return Result<std::unique_ptr<tcp::acceptor>>(
        ErrorCode::kInvalidArgument, "'" + endpoint.host + "' is not an IP address");
  }
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  const tcp::endpoint where(address, endpoint.port);
  acceptor->open(where.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(where, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Result<std::unique_ptr<tcp::acceptor>>(
        ErrorCode::kIOError,
        "cannot listen on " + endpoint.host + ":" + std::to_string(endpoint.port) + ": " +
            ec.message());
  }
  return acceptor;
}

asio::awaitable<void> AcceptLoop(tcp::acceptor& acceptor, IoContextPool& contexts,
                                 PerKeyLimit& limiter, std::string refusal,
                                 std::chrono::seconds dead_peer_after,
                                 SessionFactory make_session) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(
        contexts.next(), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: log, breathe, go on serving the open sessions.
      spdlog::warn("accept: {}", ec.message());
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    DetectDeadPeer(socket, dead_peer_after, ec);
    if (ec) spdlog::warn("accept: cannot set TCP keepalive: {}", ec.message());
    const std::string peer = socket.remote_endpoint(ec).address().to_string();
    auto slot = limiter.TryAcquire(peer);
    if (!slot) {
      asio::write(socket, asio::buffer(refusal), ec);  // small: the kernel buffer takes it
      socket.close(ec);
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(
        executor,
        [session = make_session(std::move(socket)), slot = std::move(slot)]() mutable
        -> asio::awaitable<void> { co_await std::move(session); },
        asio::detached);
  }
}

}  // namespace mailvault
