// A mailbox of the vault as this device can read it: its messages, and for
// each the wrap of one of the device's key generations that opens. Data
// keys are unwrapped only for as long as one message is being opened: a
// large mailbox must not hold one locked secret per message (each is a
// sodium_malloc mapping, and 100,000 of them exhaust the process's maps).
// Bodies are fetched (or taken from the local cache) and opened on demand.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/vault/vault_session.h"
#include "common/crypto/key_wrap.h"
#include "common/crypto/keys.h"
#include "common/crypto/message_summary.h"
#include "common/crypto/secret_bytes.h"

namespace mailvault::client {

using KeyRing = std::vector<const EncryptionKeyPair*>;
// The encryption keys of the generations, newest first (after a rotation
// the newest holds every wrap).
KeyRing EncryptionKeysOf(const std::vector<DeviceKeys>& generations);

// A message's wrap for one of this device's keys, checked to open.
struct OwnWrap {
  BlobId blob_id;
  Wrap wrap;
  const EncryptionKeyPair* key = nullptr;

  Result<SecretBytes> DataKey() const { return UnwrapDataKey(wrap, *key); }
};

// For each message of `uid_set` in `mailbox`, the first wrap (keys tried in
// order) that opens, or with kPresent the first there is without trying it
// (each try is a crypto_box_seal_open: rotation does not pay for it twice).
enum class WrapCheck { kOpens, kPresent };
Result<std::map<uint32_t, OwnWrap>> FindOwnWraps(VaultSession& vault, const std::string& mailbox,
                                                 const KeyRing& keys, const std::string& uid_set,
                                                 WrapCheck check = WrapCheck::kOpens);

struct OpenedMessage {
  VaultMessage meta;
  std::optional<OwnWrap> wrap;  // none when no key of this device opens it
  bool readable() const { return wrap.has_value(); }
};

class OpenedMailbox {
 public:
  // Selects the mailbox (read-only unless `writable`) and finds every wrap.
  static Result<OpenedMailbox> Open(VaultSession& vault, const std::string& account,
                                    const std::string& mailbox,
                                    const KeyRing& keys, const std::string& cache_dir,
                                    bool writable = false);

  const std::string& name() const { return name_; }
  std::vector<OpenedMessage>& messages() { return messages_; }
  const OpenedMessage* Find(uint32_t uid) const;

  // The decrypted summary records of `uid_set` (one XSUMMARIES round trip).
  Result<std::map<uint32_t, MessageSummary>> Summaries(const std::string& uid_set = "1:*");
  // The plaintext message: from the cache of sealed bodies or the vault;
  // `sealed_body_hash` gets the hash of the sealed body that opened.
  Result<std::string> ReadBody(const OpenedMessage& message,
                               std::string* sealed_body_hash = nullptr);

 private:
  VaultSession* vault_ = nullptr;
  std::string account_;
  std::string name_;
  std::string cache_dir_;
  std::vector<OpenedMessage> messages_;
};

// The plaintext of message `uid` of the vault's selected mailbox. The sealed
// body comes from the local cache, or from the vault and is then cached.
// The cache holds sealed bodies only: opening one still takes the message's
// data key, which only the vault's wrap and this device's key give. A cached
// body that does not open (damaged on disk) is fetched again.
Result<std::string> OpenMessageBody(VaultSession& vault, const std::string& cache_dir,
                                    const std::string& account, const BlobId& blob_id,
                                    uint32_t uid, const SecretBytes& data_key,
                                    std::string* sealed_body_hash = nullptr);

}  // namespace mailvault::client
