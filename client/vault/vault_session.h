// The vault as the customer's side sees it: one logged-in IMAP connection
// and the vault's commands (docs/PROTOCOL.md) as typed calls. The CLI and
// the bridge do everything through this; sealing and opening happen above
// it, so nothing here ever holds plaintext.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/vault/imap_client.h"
#include "common/crypto/account_log.h"
#include "common/crypto/ids.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_message.h"
#include "common/imap/sequence_set.h"
#include "common/status.h"

namespace mailvault::client {

// Where the vault is and how it is trusted (from the device profile).
struct VaultAddress {
  std::string endpoint;  // host:port of IMAPS
  ServerTrust trust;
  std::chrono::seconds timeout{30};
};

struct VaultKey {
  KeyId id;
  bool encryption = false;  // else signing
  std::string public_key;
  int64_t registered_at = 0;
  bool active = false;
};

struct VaultMailbox {
  std::string name;  // UTF-8, '/'-separated
  std::string special_use;
  bool subscribed = false;
  bool selectable = true;
  uint32_t messages = 0;
  uint32_t unseen = 0;   // from STATUS only
  uint32_t deleted = 0;  // from STATUS only
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 0;
  uint64_t highest_modseq = 0;
};

struct VaultMessage {
  uint32_t uid = 0;
  int64_t internal_date = 0;
  uint64_t modseq = 0;
  std::vector<std::string> flags;
};

// A blob's wrap or sealed summary, as XWRAPS / XSUMMARIES list them.
// What changed in the selected mailbox since a modseq (QRESYNC).
struct VaultChanges {
  std::vector<VaultMessage> changed;  // added or flags changed; ascending uid
  imap::NumberSet vanished;           // expunged (uids the mailbox may have had)
};

struct VaultBlobItem {
  uint32_t uid = 0;
  BlobId blob_id;
  std::string bytes;
};

struct VaultAppend {
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
};

// One message of a MULTIAPPEND of sealed uploads.
struct SealedAppend {
  const SealedMessage* message = nullptr;
  std::vector<std::string> flags;
  int64_t internal_date = 0;
};

struct VaultAppendAll {
  uint32_t uidvalidity = 0;
  std::vector<uint32_t> uids;  // in the order appended; empty if the vault did not say
};

struct VaultCopy {
  uint32_t uidvalidity = 0;
  std::vector<std::pair<uint32_t, uint32_t>> uids;  // source → target
};

class VaultSession {
 public:
  // Connects and verifies the server's certificate (not logged in).
  static Result<std::unique_ptr<VaultSession>> Connect(const VaultAddress& address);

  const std::string& peer_fingerprint() const { return client_->peer_fingerprint(); }
  ImapClient& imap() { return *client_; }

  // XENROLL: the first device's public keys, with the one-time token.
  Status Enroll(std::string_view account, std::string_view token,
                std::string_view encryption_public_key, std::string_view signing_public_key);
  // AUTHENTICATE X-MAILVAULT-ED25519, then ENABLE IMAP4rev2 (UTF-8 names).
  Status Login(std::string_view account, const SigningKeyPair& signing_key);

  Result<std::vector<VaultKey>> ListKeys();
  // kAlreadyExists when the key was registered (or revoked) before.
  Status RegisterKey(bool encryption, std::string_view public_key, const SigningKeyPair& signer);
  // Ok also when the key was revoked already.
  Status RevokeKey(const KeyId& key_id, const SigningKeyPair& signer);

  // XLOG KEYS or PLACEMENT: the log's entries, encoded, in order (unchecked:
  // see the replays in common/crypto/account_log.h).
  Result<std::vector<std::string>> FetchLog(LogKind log);

  Result<std::vector<VaultMailbox>> ListMailboxes();
  Status CreateMailbox(std::string_view name);
  Status DeleteMailbox(std::string_view name);
  Status RenameMailbox(std::string_view from, std::string_view to);
  Status Subscribe(std::string_view name, bool subscribed);
  // Every subscribed name, whether its mailbox exists or not.
  Result<std::vector<std::string>> ListSubscriptions();

  // SELECT (or EXAMINE); later message commands apply to this mailbox.
  Result<VaultMailbox> Select(std::string_view mailbox, bool read_only);
  // STATUS (MESSAGES UNSEEN DELETED UIDVALIDITY UIDNEXT HIGHESTMODSEQ):
  // counts the vault keeps, so it does not read the mailbox.
  Result<VaultMailbox> MailboxStatus(std::string_view mailbox);
  // In the selected mailbox: UID FETCH 1:* (UID FLAGS INTERNALDATE MODSEQ)
  // (CHANGEDSINCE modseq VANISHED), which the vault answers from its change
  // index. Vanished uids above `max_uid` (UIDNEXT - 1) are ignored.
  Result<VaultChanges> FetchChangedSince(uint64_t modseq, uint32_t max_uid);
  // UID FETCH set (UID FLAGS INTERNALDATE MODSEQ) in the selected mailbox.
  Result<std::vector<VaultMessage>> FetchMessages(std::string_view uid_set);
  // The sealed body of one message of the selected mailbox (BINARY.PEEK[1]).
  Result<std::string> FetchSealedBody(uint32_t uid);

  Result<std::vector<VaultBlobItem>> FetchWraps(std::string_view mailbox, const KeyId& key,
                                                std::string_view uid_set);
  Result<std::vector<VaultBlobItem>> FetchSummaries(std::string_view mailbox,
                                                    std::string_view uid_set);
  // XWRAPS PUT in batches the vault accepts; all of one batch or none.
  Status PutWraps(const KeyId& key, const std::vector<std::pair<BlobId, std::string>>& wraps);

  // APPEND of a message sealed on this side (APPENDUID's values);
  // kAlreadyExists when the vault holds this blob id already.
  Result<VaultAppend> AppendSealed(std::string_view mailbox, const SealedMessage& message,
                                const std::vector<std::string>& flags, int64_t internal_date);
  // Several in one MULTIAPPEND (RFC 3502), which the vault stores all in one
  // commit or not at all; kAlreadyExists when it holds one of the blob ids.
  Result<VaultAppendAll> AppendSealedAll(std::string_view mailbox,
                                         const std::vector<SealedAppend>& messages);

  // In the selected mailbox. The metadata the vault reports back.
  Result<std::vector<VaultMessage>> StoreFlags(const std::vector<uint32_t>& uids,
                                               std::string_view operation,  // "FLAGS", "+FLAGS", "-FLAGS"
                                               const std::vector<std::string>& flags,
                                               std::optional<uint64_t> unchanged_since,
                                               std::vector<uint32_t>& modified);
  Result<VaultCopy> Copy(const std::vector<uint32_t>& uids, std::string_view to, bool move);
  Result<std::vector<uint32_t>> Expunge(const std::vector<uint32_t>& uids);

 private:
  explicit VaultSession(std::unique_ptr<ImapClient> client) : client_(std::move(client)) {}
  std::unique_ptr<ImapClient> client_;
  std::string account_;
};

// "1:3,7": the wire form of a uid list.
std::string UidSetOf(const std::vector<uint32_t>& uids);

}  // namespace mailvault::client
