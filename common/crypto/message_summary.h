// The summary record: the few headers a client needs to list a mailbox,
// sealed separately from the body so that listing downloads no bodies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/crypto/ids.h"
#include "common/crypto/seal_binding.h"
#include "common/crypto/secret_bytes.h"
#include "common/status.h"

namespace mailvault {

// The customer's device sealed this message (import, Sent, Drafts) and
// signed it: an Ed25519 signature by one of the account's signing keys over
// DeviceSealStatement (key_statements.h), which names the sealed body's
// hash. Mail sealed by the vault on delivery has none.
struct DeviceSeal {
  KeyId signer;
  std::string signature;  // 64 bytes

  bool operator==(const DeviceSeal&) const = default;
};

struct MessageSummary {
  std::string from;
  std::string to;
  std::string subject;
  std::string date;        // the Date header as written by the sender
  std::string message_id;  // the Message-ID header
  uint64_t size = 0;       // exact plaintext size in bytes
  bool has_attachment = false;
  std::optional<DeviceSeal> device_seal;

  bool operator==(const MessageSummary&) const = default;
};

// Wipes the header fields' bytes (plaintext) and empties them.
void WipeSummary(MessageSummary& summary);

// Sealed summary bytes (layout in docs/FORMAT.md), encrypted under a subkey
// of the message's data key.
Result<std::string> SealSummary(const MessageSummary& summary, const SecretBytes& data_key,
                                const SealBinding& binding);

Result<MessageSummary> OpenSummary(std::string_view sealed, const SecretBytes& data_key,
                                   const SealBinding& binding);

}  // namespace mailvault
