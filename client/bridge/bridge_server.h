// `mailvault bridge`: serves IMAP4rev2 on loopback to the customer's own
// mail clients, with the engine mailvaultd runs and BridgeBackend behind it.
// Clients log in with the account's address and a password derived from the
// device's key (stable until the next key rotation, never stored); STARTTLS
// is offered with a certificate made for the bridge on first start.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "client/device/device.h"
#include "common/status.h"

namespace mailvault::client {

struct BridgeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 1143;  // 0: any free port (tests)
  // The engine's limits, as mailvaultd's [limits] (docs/PROTOCOL.md).
  size_t max_line_pre_auth = 64 << 10;
  size_t max_line = 64 << 10;
  uint64_t max_message = 50ull << 20;
};

struct BridgeReady {
  uint16_t port = 0;
  std::string username;
  std::string password;
  std::string certificate_fingerprint;
};

// The password mail clients use on the bridge.
std::string BridgePassword(const Device& device);

// Runs until SIGINT or SIGTERM. `on_ready` runs once the port is bound.
Status RunBridge(const Device& device, const BridgeOptions& options,
                 const std::function<void(const BridgeReady&)>& on_ready);

}  // namespace mailvault::client
