// Who sealed a message, as this device can prove it: the customer's own
// device (import, the bridge's Sent and Drafts sign what they seal), or the
// vault on delivery (mail from outside, which nobody but the vault could
// have sealed; docs/THREAT-MODEL.md states what that leaves open).
#pragma once

#include <string>

#include "common/crypto/account_log.h"
#include "common/crypto/message_summary.h"

namespace mailvault::client {

struct Provenance {
  bool by_device = false;  // else: by the vault, on delivery
  KeyId signer;            // when by_device
};

// kTampered when the summary claims a device seal that no signing key in
// the (verified) key log made over this sealed body.
Result<Provenance> CheckProvenance(const MessageSummary& summary, const KeyLogState& key_log,
                                   const std::string& account, const BlobId& blob_id,
                                   const std::string& sealed_body_hash);

}  // namespace mailvault::client
