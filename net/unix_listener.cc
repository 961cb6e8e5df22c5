#include "net/unix_listener.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace mailvault {

Status BindUnixSocket(UnixAcceptor& acceptor, const std::string& path, mode_t mode) {
  std::error_code fs_ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), fs_ec);
  ::unlink(path.c_str());  // a stale socket of a previous run
  boost::system::error_code ec;
  const asio::local::stream_protocol::endpoint endpoint(path);
  acceptor.open(endpoint.protocol(), ec);
  const mode_t old_mask = ::umask(~mode & 0777);
  if (!ec) acceptor.bind(endpoint, ec);
  ::umask(old_mask);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status(ErrorCode::kIOError, "cannot listen on " + path + ": " + ec.message());
  return Status::Ok();
}

asio::awaitable<void> UnixAcceptLoop(UnixAcceptor& acceptor, IoContextPool& contexts,
                                     std::function<asio::awaitable<void>(UnixSocket)> session) {
  for (;;) {
    boost::system::error_code ec;
    UnixSocket socket = co_await acceptor.async_accept(
        contexts.next(), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

}  // namespace mailvault
