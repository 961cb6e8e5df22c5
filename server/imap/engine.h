// The IMAP engine's entry point: run one session over a connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "net/per_key_limit.h"
#include "server/imap/authenticator.h"
#include "server/imap/command_extension.h"
#include "server/imap/login_throttle.h"
#include "server/imap/connection.h"
#include "server/imap/mailbox_events.h"
#include "server/imap/shared_views.h"
#include "server/imap/shutdown_notice.h"
#include "net/bounded_pool.h"
#include "net/storage_pool.h"

namespace mailvault::imap {

struct EngineOptions {
  std::string greeting_name = "mailvault";
  size_t max_line_pre_auth = 64 << 10;  // RFC 2971's largest ID (ReceiverLimits::PreAuth)
  size_t max_line = 64 << 10;
  uint64_t max_literal = 50ull << 20;
  uint32_t max_nesting = 16;
  uint32_t max_bad_commands_pre_auth = 3;
  uint32_t max_bad_commands = 20;
  // The time from accept to a successful login, TLS handshake included:
  // a fixed deadline, so a client trickling a byte at a time (slowloris)
  // holds a connection no longer than one that sends nothing.
  std::chrono::seconds idle_pre_auth{60};
  // After login, the inactivity timeout, counted from the last read or write.
  std::chrono::seconds idle_authenticated{30 * 60};
  std::chrono::seconds idle_keepalive{2 * 60};  // "* OK Still here" during IDLE
  uint32_t max_failed_logins = 3;  // per connection, then BYE
  // LOGIN and AUTHENTICATE without TLS. Only the customer's bridge sets it:
  // it listens on loopback alone, where mail clients commonly log in
  // without TLS; mailvaultd never does.
  bool login_without_tls = false;
  // The back-end serves plaintext (MailBackend::CanSearchContent): the
  // bridge sets it, and the capabilities that need the content are
  // advertised (SORT=DISPLAY, THREAD=..., and CATENATE, whose URL parts are
  // read and joined). mailvaultd never does: its messages are sealed.
  bool content_visible = false;
};

struct EngineContext {
  EngineOptions options;
  Authenticator& authenticator;
  StoragePool& pool;
  MailboxEvents& events;
  PerKeyLimit& account_sessions;  // sessions per account
  LoginThrottle& login_throttle;
  SharedViews& views;                     // the selected views' shared bases
  CommandExtension* extension = nullptr;  // optional
  // Password verification (Argon2id) runs here, not on `pool`, when set: a
  // flood of logins gets NO [UNAVAILABLE] instead of delaying mail work.
  BoundedPool* login_pool = nullptr;
  // Announced at SIGTERM: idle and IDLE-ing sessions say BYE at once.
  ShutdownNotice* shutdown = nullptr;
};

// Runs the session to its end. With `implicit_tls` the TLS handshake comes
// first; otherwise STARTTLS is offered (if the connection has a TLS context)
// and LOGIN is refused until it has run.
asio::awaitable<void> RunImapSession(Connection connection, bool implicit_tls,
                                     EngineContext& context);

}  // namespace mailvault::imap
