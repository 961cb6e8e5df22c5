// One LMTP connection from an MTA (RFC 2033): PIPELINING, 8BITMIME, SIZE,
// ENHANCEDSTATUSCODES, one reply per accepted recipient after DATA.
#pragma once

#include "server/config.h"
#include "server/delivery.h"
#include "server/imap/shutdown_notice.h"
#include "net/asio.h"
#include "net/storage_pool.h"

namespace mailvault {

struct LmtpContext {
  const Config& config;
  const Deliverer& deliverer;
  StoragePool& pool;
  // Announced at SIGTERM: a session waiting for the MTA's next command
  // answers 421 and closes at once; one receiving a message delivers it
  // and answers first.
  imap::ShutdownNotice* shutdown = nullptr;
};

asio::awaitable<void> RunLmtpSession(tcp::socket socket, LmtpContext& context);
asio::awaitable<void> RunLmtpSession(asio::local::stream_protocol::socket socket,
                                     LmtpContext& context);

}  // namespace mailvault
