// The summary record: the few headers a client needs to list a mailbox,
// sealed separately from the body so that listing downloads no bodies.
#pragma once

#include <cstdint>
#include <string>

#include "common/crypto/seal_binding.h"
#include "common/crypto/secret_bytes.h"
#include "common/status.h"

namespace mailvault {

struct MessageSummary {
  std::string from;
  std::string to;
  std::string subject;
  std::string date;        // the Date header as written by the sender
  std::string message_id;  // the Message-ID header
  uint64_t size = 0;       // exact plaintext size in bytes
  bool has_attachment = false;

  bool operator==(const MessageSummary&) const = default;
};

// Sealed summary bytes (layout in docs/FORMAT.md), encrypted under a subkey
// of the message's data key.
Result<std::string> SealSummary(const MessageSummary& summary, const SecretBytes& data_key,
                                const SealBinding& binding);

Result<MessageSummary> OpenSummary(std::string_view sealed, const SecretBytes& data_key,
                                   const SealBinding& binding);

}  // namespace mailvault
