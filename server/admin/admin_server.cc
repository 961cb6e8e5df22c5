#include "server/admin/admin_server.h"

#include "server/net/unix_listener.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

namespace mailvault {
namespace {

using json = nlohmann::json;
constexpr size_t kMaxRequest = 64 << 10;
constexpr size_t kMaxListPage = 10000;

json Fail(const Status& status) {
  return {{"ok", false}, {"error", status.message()}, {"code", ErrorCodeName(status.code())}};
}

json Dispatch(Accounts& accounts, const json& request) {
  const std::string op = request.value("op", "");
  if (op == "account.create") {
    auto token = accounts.Create(request.value("account", ""), request.value("region", ""));
    if (!token.ok()) return Fail(token.status());
    return {{"ok", true}, {"token", token->token}, {"expires_at", token->expires_at}};
  }
  if (op == "account.list") {
    const size_t limit = std::min<size_t>(request.value("limit", kMaxListPage), kMaxListPage);
    auto page = accounts.List(request.value("region", ""), request.value("after", ""), limit);
    if (!page.ok()) return Fail(page.status());
    json list = json::array();
    for (const Placement& p : *page) list.push_back({{"account", p.account_id}, {"region", p.home_region}});
    return {{"ok", true}, {"accounts", list}};
  }
  if (op == "password.set") {
    const Status status =
        accounts.SetPassword(request.value("account", ""), request.value("password", ""));
    if (!status.ok()) return Fail(status);
    return {{"ok", true}};
  }
  return Fail(Status(ErrorCode::kInvalidArgument, "unknown op '" + op.substr(0, 64) + "'"));
}

}  // namespace

std::string HandleAdminRequest(Accounts& accounts, std::string_view request_line) {
  json request = json::parse(request_line, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object()) {
    return Fail(Status(ErrorCode::kInvalidArgument, "request is not a JSON object")).dump();
  }
  try {
    return Dispatch(accounts, request).dump();
  } catch (const json::exception&) {  // a field of the wrong type
    return Fail(Status(ErrorCode::kInvalidArgument, "request has a field of the wrong type"))
        .dump();
  }
}

AdminServer::AdminServer(asio::io_context& io, std::string path, Accounts& accounts,
                         StoragePool& pool)
    : acceptor_(io), path_(std::move(path)), accounts_(accounts), pool_(pool) {}

AdminServer::~AdminServer() { Close(); }

Result<std::unique_ptr<AdminServer>> AdminServer::Bind(asio::io_context& io,
                                                       const std::string& path,
                                                       Accounts& accounts, StoragePool& pool) {
  std::unique_ptr<AdminServer> server(new AdminServer(io, path, accounts, pool));
  // 0600: only the operator's user may connect.
  MV_RETURN_IF_ERROR(BindUnixSocket(server->acceptor_, path, 0600));
  return server;
}

void AdminServer::Close() {
  if (!acceptor_.is_open()) return;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  ::unlink(path_.c_str());
}

asio::awaitable<void> AdminServer::AcceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    // Mode 0600 already keeps other users out; the uid check also covers a
    // socket directory with looser permissions.
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 ||
        (peer.uid != ::geteuid() && peer.uid != 0)) {
      spdlog::warn("admin: refused a connection from uid {}", peer.uid);
      continue;
    }
    asio::co_spawn(acceptor_.get_executor(), Serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> AdminServer::Serve(asio::local::stream_protocol::socket socket) {
  std::string buffer;
  for (;;) {
    boost::system::error_code ec;
    const size_t n = co_await asio::async_read_until(
        socket, asio::dynamic_buffer(buffer, kMaxRequest), '\n',
        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    std::string reply = co_await pool_.Run([&] { return HandleAdminRequest(accounts_, line); });
    sodium_memzero(line.data(), line.size());  // may hold a password
    reply.push_back('\n');
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

}  // namespace mailvault
