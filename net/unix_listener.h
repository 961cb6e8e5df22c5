// Unix socket listeners: the admin socket (0600) and LMTP for an MTA on the
// same machine (0660, so the MTA's group may connect).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "common/status.h"
#include "net/asio.h"
#include "net/io_context_pool.h"

namespace mailvault {

using UnixAcceptor = asio::local::stream_protocol::acceptor;
using UnixSocket = asio::local::stream_protocol::socket;

// Binds and listens at `path`, replacing a stale socket file, which is
// created with permission bits `mode` (never wider for a moment).
Status BindUnixSocket(UnixAcceptor& acceptor, const std::string& path, mode_t mode);

// Accepts until the acceptor is closed; each connection runs on the next
// context of `contexts`.
asio::awaitable<void> UnixAcceptLoop(UnixAcceptor& acceptor, IoContextPool& contexts,
                                     std::function<asio::awaitable<void>(UnixSocket)> session);

}  // namespace mailvault
