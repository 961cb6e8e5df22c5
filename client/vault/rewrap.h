// Giving a key the existing mail: for every message this device can open,
// the data key is sealed to the target encryption key and stored with
// XWRAPS PUT. Bodies never move. Used by `key add-device` (the target is
// another device's key) and `key rotate` (this device's next generation).
// Messages that hold a wrap for the target already are skipped, so an
// interrupted run is simply run again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "client/vault/opened_mailbox.h"
#include "client/vault/vault_session.h"
#include "common/crypto/keys.h"

namespace mailvault::client {

struct RewrapReport {
  uint64_t messages = 0;    // in all mailboxes
  uint64_t written = 0;     // wraps stored by this run (one per blob)
  uint64_t had_wrap = 0;    // messages whose blob had a target wrap already
  uint64_t unreadable = 0;  // messages none of this device's keys opens
};

// The number of messages in all mailboxes (for progress totals).
Result<uint64_t> CountMessages(VaultSession& vault);

Result<RewrapReport> RewrapAll(VaultSession& vault, const KeyRing& readers,
                               std::string_view target_public_key,
                               const std::function<void(uint64_t messages)>& on_progress);

// Messages (over all mailboxes) that `readers` can open but `target` cannot:
// 0 means `target` reads everything `readers` read.
Result<uint64_t> CountNotReadableBy(VaultSession& vault, const KeyRing& readers,
                                    const EncryptionKeyPair& target);

}  // namespace mailvault::client
