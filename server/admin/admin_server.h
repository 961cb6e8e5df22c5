// The admin socket: a unix socket (mode 0600, peer uid checked) on which
// mailvault-admin sends one JSON request per line and reads one JSON reply
// per line; each mailvault-admin command (docs/OPERATIONS.md) is one request,
// a move between nodes a few on two sockets (tools/move_between_nodes.h).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "server/accounts.h"
#include "server/admin/move_transfers.h"
#include "server/region_shards.h"
#include "net/asio.h"
#include "net/storage_pool.h"

namespace mailvault {

// What the admin requests work on.
struct AdminContext {
  Accounts& accounts;
  const RegionShards& shards;
  // Postfix's transport to this node's LMTP, e.g. "lmtp:[10.0.0.5]:24".
  std::string local_lmtp_transport;
  // This node's IMAPS listener as configured, "host:port": the --server of
  // the `mailvault init` command that account create and token print.
  std::string imaps_endpoint;
  // Accounts in transit to or from another node.
  MoveTransfers transfers;
};

class AdminServer {
 public:
  static Result<std::unique_ptr<AdminServer>> Bind(asio::io_context& io, const std::string& path,
                                                   AdminContext& context, StoragePool& pool);
  ~AdminServer();

  asio::awaitable<void> AcceptLoop();
  void Close();

 private:
  AdminServer(asio::io_context& io, std::string path, AdminContext& context, StoragePool& pool);
  asio::awaitable<void> Serve(asio::local::stream_protocol::socket socket);

  asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  AdminContext& context_;
  StoragePool& pool_;
};

// Handles one request (a JSON object) and returns the reply object as JSON.
// Separate from the socket so it can be tested directly.
std::string HandleAdminRequest(AdminContext& context, std::string_view request_line);

// The Postfix transport for an LMTP endpoint "host:port".
std::string LmtpTransport(std::string_view host, uint16_t port);

}  // namespace mailvault
