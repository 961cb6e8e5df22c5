// The one way this device learns which keys belong to the account. Every
// path that seals (import, the bridge's APPEND) and every path that changes
// keys or reports on them (key add-device, key rotate, verify) goes through
// FetchTrustedKeyLog, so a vault that serves a rewritten key log to any one
// of them is caught by all of them:
//
//   1. fetch the key log (XLOG KEYS);
//   2. replay it: the hash chain, and every registration and revocation
//      signed by a signing key active at that point (ReplayKeyLog);
//   3. require that it extends what this device pinned before: the same
//      first entry (the enrollment it saw) and, at the pinned seq, the same
//      entry hash, which by the chain fixes every entry before it;
//   4. require that a key of this device is active in it (a log that drops
//      this device is not one to seal this device's mail under);
//   5. advance the pins in the profile (under the profile's lock), and only
//      then return the keys.
#pragma once

#include <string>
#include <vector>

#include "client/device/device.h"
#include "client/vault/vault_session.h"
#include "common/crypto/account_log.h"

namespace mailvault::client {

struct TrustedKeyLog {
  std::vector<std::string> entries;  // encoded, as the vault served them
  KeyLogState state;
  bool first_pin = false;  // nothing was pinned before (a device that joined)

  // The encryption keys to seal new mail to: those the log shows active.
  std::vector<std::string> SealingKeys() const { return state.ActiveEncryptionKeys(); }
  // The device's newest signing key that the log shows active: it signs
  // what this device seals (common/crypto/device_seal.h).
  const SigningKeyPair* DeviceSigner(const Device& device) const;
};

// kTampered with one line starting "KEY LOG BROKEN" (the chain or a
// signature does not check), "KEY LOG REWRITTEN" (it does not extend the
// pinned history) or "KEY LOG WITHOUT THIS DEVICE"; nothing is pinned then.
Result<TrustedKeyLog> FetchTrustedKeyLog(VaultSession& vault, const Device& device);

}  // namespace mailvault::client
