// The admin socket: a unix socket (mode 0600, peer uid checked) on which
// mailvault-admin sends one JSON request per line and reads one JSON reply
// per line. docs/OPERATIONS.md lists the requests.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "server/accounts.h"
#include "server/net/asio.h"
#include "server/net/storage_pool.h"

namespace mailvault {

class AdminServer {
 public:
  static Result<std::unique_ptr<AdminServer>> Bind(asio::io_context& io, const std::string& path,
                                                   Accounts& accounts, StoragePool& pool);
  ~AdminServer();

  asio::awaitable<void> AcceptLoop();
  void Close();

 private:
  AdminServer(asio::io_context& io, std::string path, Accounts& accounts, StoragePool& pool);
  asio::awaitable<void> Serve(asio::local::stream_protocol::socket socket);

  asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  Accounts& accounts_;
  StoragePool& pool_;
};

// Handles one request (a JSON object) and returns the reply object as JSON.
// Separate from the socket so it can be tested directly.
std::string HandleAdminRequest(Accounts& accounts, std::string_view request_line);

}  // namespace mailvault
