// RegionShard: one region's mail on one RocksDB instance in its own directory.
//
// It stores only what the operator may hold (docs/THREAT-MODEL.md): sealed
// bodies, sealed summaries, wraps, public keys and per-message metadata. Every
// mutating call that returns ok is durable (synced WAL) and survives kill -9;
// see docs/STORAGE.md for the guarantee and the options that give it.
//
// A shard refuses every write for an account whose home region is not the
// shard's own (kWrongRegion): region pinning is enforced here, not by callers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/account_log.h"
#include "common/crypto/ids.h"
#include "common/crypto/key_wrap.h"
#include "common/crypto/sealed_message.h"
#include "common/status.h"

namespace mailvault {

// An entry to append to one of the account's hash-chained logs
// (common/crypto/account_log.h); the shard gives it its seq, time and link.
struct LogAppend {
  LogKind log = LogKind::kKeys;
  uint8_t type = 0;
  std::string payload;
};

// Every record of one account, keys without its 8-byte number.
struct AccountDump {
  std::string account_id;
  std::string account_record;  // encoded; the importing shard gives a new number
  struct Row {
    uint8_t family = 0;
    std::string key_suffix;
    std::string value;
  };
  std::vector<Row> rows;
};

// A dump as bytes, for a move between nodes (storage/account_dump.cc), and
// back: kCorruption when the bytes were cut or changed.
std::string EncodeAccountDump(const AccountDump& dump);
Result<AccountDump> DecodeAccountDump(std::string_view bytes);
// The entries of one of the dumped account's logs, in order.
std::vector<std::string> DumpedLog(const AccountDump& dump, LogKind log);

// What a scrub found (mailvault-admin verify).
struct ScrubReport {
  uint64_t accounts = 0;
  uint64_t messages = 0;  // index entries checked
  uint64_t bodies = 0;    // bodies checked (each once)
  uint64_t wraps = 0;
  // One line per damage found: which account, mailbox, uid or blob, and what.
  std::vector<std::string> problems;
};

struct ShardOptions {
  std::string path;    // directory of this shard's RocksDB instance
  std::string region;  // the region this shard serves, e.g. "eu"
  bool create_if_missing = true;
  // Bodies at least this large go to BlobDB blob files rather than SSTs.
  uint64_t min_blob_size = 4096;
  // Block cache for the small column families (index, mailboxes, keys).
  size_t block_cache_bytes = 64 << 20;
  // Tombstones of expunged uids are kept while their modseq is among the
  // newest `tombstone_window` modseqs of their mailbox; older ones are pruned
  // by a later expunge, and a CHANGEDSINCE from before them gets a full
  // resync (docs/STORAGE.md, "Changes"). 0 keeps every tombstone.
  uint64_t tombstone_window = 100'000;
};

enum class PublicKeyKind : uint8_t { kEncryption = 1, kSigning = 2 };

struct PublicKeyRecord {
  KeyId key_id;
  PublicKeyKind kind = PublicKeyKind::kEncryption;
  std::string public_key;  // 32 bytes
  int64_t registered_at = 0;
  bool revoked = false;
};

struct AccountInfo {
  std::string account_id;
  std::string home_region;
  int64_t created_at = 0;
  bool suspended = false;
};

// What an account holds, from its records (no body is read).
struct AccountUsage {
  uint64_t mailboxes = 0;
  uint64_t messages = 0;     // index entries: a message in two mailboxes counts twice
  uint64_t bodies = 0;       // stored sealed bodies
  uint64_t sealed_bytes = 0; // their sizes
};

// What deleting an account removed.
struct DeleteReport {
  uint64_t bodies = 0;
  uint64_t wraps = 0;
  uint64_t messages = 0;
  uint64_t mailboxes = 0;
  uint64_t public_keys = 0;
  uint64_t credentials = 0;
};

struct MailboxInfo {
  std::string name;
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 0;
  bool subscribed = false;  // ListMailboxes: the name is subscribed
  // Counted as the entries change (docs/STORAGE.md), never by a scan.
  uint32_t messages = 0;
  uint32_t unseen = 0;   // without \Seen
  uint32_t deleted = 0;  // with \Deleted
  // The oldest modseq whose changes are still all known: tombstones at or
  // below it were pruned (docs/STORAGE.md, "Changes").
  uint64_t vanished_floor = 0;
  // Uids from here to uidnext are \Recent to the next session that claims them.
  uint32_t recent_from = 1;
};

// The metadata the operator holds for one message in one mailbox.
struct MessageEntry {
  uint32_t uid = 0;
  BlobId blob_id;
  int64_t internal_date = 0;  // unix seconds
  uint64_t sealed_size = 0;   // bytes of the sealed body
  uint64_t modseq = 0;
  std::vector<std::string> flags;  // sorted, unique; "\\Seen", keywords...
};

struct AppendRequest {
  std::string mailbox;
  BlobId blob_id;
  std::string sealed_body;
  std::string sealed_summary;
  std::vector<Wrap> wraps;  // each must name a registered, active encryption key
  std::vector<std::string> flags;
  int64_t internal_date = 0;

  // Stores the three parts of `sealed` as they are.
  static AppendRequest FromSealed(std::string mailbox, SealedMessage sealed,
                                  std::vector<std::string> flags, int64_t internal_date) {
    return {std::move(mailbox),       sealed.blob_id,          std::move(sealed.body),
            std::move(sealed.summary), std::move(sealed.wraps), std::move(flags),
            internal_date};
  }
};

struct AppendResult {
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
  uint64_t modseq = 0;
};

enum class FlagOp { kSet, kAdd, kRemove };

// What changed in a mailbox after a modseq (RFC 7162's CHANGEDSINCE): the
// entries added or changed since, and the uids expunged since (from their
// tombstones), each ascending by uid. `mailbox` is read first, so a change
// that commits during the read may show in the lists as well (with a modseq
// above mailbox.highest_modseq), never be missed.
//
// `resync_required` when the modseq is below the mailbox's vanished floor:
// tombstones it would need were pruned, so which uids went is not known
// here and the lists are empty; the caller lists the mailbox instead.
struct MailboxChanges {
  MailboxInfo mailbox;
  std::vector<MessageEntry> changed;
  std::vector<uint32_t> expunged;
  bool resync_required = false;
};

struct CopyResult {
  uint32_t uidvalidity = 0;            // of the target mailbox
  std::vector<uint32_t> source_uids;   // in the order copied
  std::vector<uint32_t> target_uids;   // same order
};

// Server-side secrets of an account, never a customer's key: a password
// hash (Argon2id, for generic IMAP clients) and the hash of the one-time
// enrollment token.
enum class CredentialKind : uint8_t { kPasswordHash = 1, kEnrollmentToken = 2 };

struct Credential {
  std::string value;
  int64_t expires_at = 0;  // unix seconds; 0 = never
};

// What the storage engine reports about itself, for monitoring.
struct EngineStats {
  uint64_t stall_micros = 0;               // total time writes were stalled
  uint64_t write_stopped = 0;              // 1 while writes are stopped
  // 1 after an error RocksDB cannot recover from while open (a failed WAL
  // sync): writes are refused until mailvaultd restarts.
  uint64_t needs_restart = 0;
  uint64_t delayed_write_rate = 0;         // bytes/s while writes are slowed, else 0
  uint64_t running_compactions = 0;
  uint64_t pending_compaction_bytes = 0;   // estimate
  uint64_t compaction_read_bytes = 0;      // totals since open
  uint64_t compaction_write_bytes = 0;
  uint64_t live_sst_bytes = 0;
  uint64_t live_blob_bytes = 0;
};

class RegionShard {
 public:
  static Result<std::unique_ptr<RegionShard>> Open(const ShardOptions& options);
  ~RegionShard();
  RegionShard(const RegionShard&) = delete;
  RegionShard& operator=(const RegionShard&) = delete;

  const std::string& region() const;

  // Accounts. CreateAccount makes INBOX (and nothing else: special-use
  // mailboxes are the server's business). kWrongRegion if home_region is not
  // this shard's region; kAlreadyExists for a second create.
  Status CreateAccount(std::string_view account_id, std::string_view home_region,
                       const LogAppend* log = nullptr);
  Result<AccountInfo> GetAccount(std::string_view account_id);
  // Marks the account as homed elsewhere (after a move): from then on every
  // write for it fails with kWrongRegion naming the new region.
  Status SetHomeRegion(std::string_view account_id, std::string_view home_region);

  // A suspended account keeps everything but takes no logins and no mail
  // (the server's policy; the shard only records it).
  Status SetSuspended(std::string_view account_id, bool suspended);
  Result<AccountUsage> Usage(std::string_view account_id);
  // Crypto-shredding and more: every record of the account (bodies, wraps,
  // summaries, index, mailboxes, keys, credentials, the account itself) is
  // removed in one batch, then the ranges are compacted, blob files
  // included, so the ciphertext does not linger on disk.
  Result<DeleteReport> DeleteAccount(std::string_view account_id);

  // Credentials (synced like everything else). GetCredential: kNotFound if
  // none is stored.
  Status PutCredential(std::string_view account_id, CredentialKind kind, std::string_view value,
                       int64_t expires_at);
  Result<Credential> GetCredential(std::string_view account_id, CredentialKind kind);
  Status DeleteCredential(std::string_view account_id, CredentialKind kind);
  // The first keys of an account, authorised by a one-time credential, all
  // under the account's lock and in one batch, so of two attempts with the
  // same credential exactly one succeeds: the key log must be empty
  // (kAlreadyExists otherwise), the credential of `kind` stored (kNotFound
  // otherwise), equal to `value` (compared in constant time) and not
  // expired at `now` (kWrongPassphrase otherwise; an expired one is deleted).
  // Then it is deleted, `keys` are registered and `log` appended.
  Status RegisterFirstKeys(std::string_view account_id, CredentialKind kind,
                           std::string_view value, int64_t now,
                           const std::vector<std::pair<PublicKeyKind, std::string>>& keys,
                           const LogAppend& log);
  // Deletes credentials whose expiry (non-zero) is before `now`, walking the
  // credentials in key order from `*cursor` (empty: the start) and reading
  // at most `max_rows` of them; `*cursor` is left where the next call goes
  // on, empty once the walk reached the end. Returns how many it deleted.
  Result<size_t> PurgeExpiredCredentials(int64_t now, size_t max_rows, std::string* cursor);

  // Public keys: the key id is derived from the key (KeyIdOf). With `log`,
  // its key log entry is appended in the same batch.
  Status RegisterPublicKey(std::string_view account_id, PublicKeyKind kind,
                           std::string_view public_key, const LogAppend* log = nullptr);
  // Marks the key revoked and deletes every wrap made for it.
  Status RevokePublicKey(std::string_view account_id, const KeyId& key_id,
                         const LogAppend* log = nullptr);

  // The account's log, every entry encoded, in order.
  Result<std::vector<std::string>> ReadLog(std::string_view account_id, LogKind log);
  Status AppendLog(std::string_view account_id, const LogAppend& log);

  // Moving an account between shards: every record of it (logs included),
  // read under its lock, and recreated in another shard under a new
  // number, homed in that shard's region, with `log` appended in the same
  // batch. kAlreadyExists if the account is there already.
  Result<AccountDump> ExportAccount(std::string_view account_id);
  Status ImportAccount(const AccountDump& dump, const LogAppend* log);
  // Before a move's export: from here on every change to the account is
  // refused (kUnavailable; a delivery gets 451 and is retried), so the dump
  // holds everything ever acknowledged. Waits for the change under way.
  // Until Thaw, DeleteAccount or a restart (the account stays suspended).
  Status Freeze(std::string_view account_id);
  void Thaw(std::string_view account_id);
  Result<std::vector<PublicKeyRecord>> ListPublicKeys(std::string_view account_id);
  // The public keys of the account's registered, non-revoked encryption
  // keys: what a new message is sealed to.
  Result<std::vector<std::string>> ActiveEncryptionKeys(std::string_view account_id);

  // Mailboxes. Names are the IMAP names as the server normalises them;
  // "INBOX" always exists and cannot be deleted; renaming INBOX is refused
  // here (RFC 9051's special INBOX rename is done by the server as a move).
  Status CreateMailbox(std::string_view account_id, std::string_view name);
  Status RenameMailbox(std::string_view account_id, std::string_view from, std::string_view to);
  // Deletes the mailbox and expunges its messages.
  Status DeleteMailbox(std::string_view account_id, std::string_view name);
  // Subscriptions are names, apart from the mailboxes (RFC 9051 6.3.7): a
  // name may be subscribed before it exists, and stays subscribed after its
  // mailbox is deleted or renamed. CREATE does not subscribe.
  Status SetSubscribed(std::string_view account_id, std::string_view name, bool subscribed);
  Result<std::vector<std::string>> ListSubscriptions(std::string_view account_id);
  // RFC 3501's \Recent: moves the mailbox's mark of the first uid no session
  // was told of yet to UIDNEXT, and returns the mailbox as it was before: the
  // caller's session sees [recent_from, uidnext) as recent, no other does.
  Result<MailboxInfo> ClaimRecent(std::string_view account_id, std::string_view name);
  Result<std::vector<MailboxInfo>> ListMailboxes(std::string_view account_id);
  Result<MailboxInfo> GetMailbox(std::string_view account_id, std::string_view name);

  // Messages. Append is one WriteBatch (body, summary, wraps, index entry,
  // uidnext, modseq), acknowledged only once synced.
  Result<AppendResult> Append(std::string_view account_id, AppendRequest request);
  // Several messages into one mailbox in one WriteBatch (MULTIAPPEND,
  // RFC 3502): all stored, with consecutive uids in the order given, or
  // none, whichever message is refused. Every request names the same mailbox.
  Result<std::vector<AppendResult>> AppendAll(std::string_view account_id,
                                              std::vector<AppendRequest> requests);
  // Entries with uid in [uid_first, uid_last], ascending.
  Result<std::vector<MessageEntry>> ListMessages(std::string_view account_id,
                                                 std::string_view mailbox, uint32_t uid_first,
                                                 uint32_t uid_last);
  Result<MessageEntry> GetMessage(std::string_view account_id, std::string_view mailbox,
                                  uint32_t uid);
  Result<std::string> FetchBody(std::string_view account_id, const BlobId& blob_id);
  Result<std::string> FetchSummary(std::string_view account_id, const BlobId& blob_id);
  // Every wrap of the blob, one per active key that has one.
  Result<std::vector<Wrap>> FetchWraps(std::string_view account_id, const BlobId& blob_id);
  // The wrap for one key id; kNoWrapForKey if there is none.
  Result<Wrap> FetchWrap(std::string_view account_id, const BlobId& blob_id, const KeyId& key_id);

  // One range read of the change index: it costs the number of changes,
  // not the size of the mailbox (docs/STORAGE.md, "Changes"). Below the
  // mailbox's vanished floor it reads nothing and says resync_required.
  Result<MailboxChanges> ChangesSince(std::string_view account_id, std::string_view mailbox,
                                      uint64_t modseq);

  // Flags on the given uids (missing uids are skipped); each changed message
  // gets a new modseq. Returns the entries as they are after the change.
  // With `unchanged_since` (RFC 7162 UNCHANGEDSINCE), a message whose modseq
  // is higher is left alone and its uid added to `modified`.
  Result<std::vector<MessageEntry>> StoreFlags(std::string_view account_id,
                                               std::string_view mailbox,
                                               const std::vector<uint32_t>& uids, FlagOp op,
                                               const std::vector<std::string>& flags,
                                               std::optional<uint64_t> unchanged_since = {},
                                               std::vector<uint32_t>* modified = nullptr);
  // Copies reference the same body (no body copy); move = copy + expunge in
  // one batch.
  Result<CopyResult> Copy(std::string_view account_id, std::string_view from_mailbox,
                          const std::vector<uint32_t>& uids, std::string_view to_mailbox);
  Result<CopyResult> Move(std::string_view account_id, std::string_view from_mailbox,
                          const std::vector<uint32_t>& uids, std::string_view to_mailbox);
  // Removes the entries; a body (with its summary and wraps) is deleted when
  // no mailbox references it any more. Returns the uids actually expunged.
  Result<std::vector<uint32_t>> Expunge(std::string_view account_id, std::string_view mailbox,
                                        const std::vector<uint32_t>& uids);

  // Rotation: writes (or replaces) the wraps for `key_id`, in one batch.
  // Every blob must exist; key_id must be a registered, active key.
  Status PutWraps(std::string_view account_id, const KeyId& key_id,
                  const std::vector<std::pair<BlobId, std::string>>& sealed_keys);


  EngineStats Stats();

  // A hot, consistent copy of the shard in `dir` (RocksDB checkpoint).
  Status Checkpoint(const std::string& dir);
  // Reads everything back: RocksDB's checksums of every file, then every
  // index entry must have its blobmeta, its body (whose sealed structure,
  // blob id and account are checked without any key) and at least one wrap.
  Result<ScrubReport> Scrub();

  // Number of messages referencing the blob (0 if it is gone). For tests and
  // the scrub.
  Result<uint32_t> BodyReferenceCount(std::string_view account_id, const BlobId& blob_id);

 private:
  struct Impl;
  explicit RegionShard(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailvault
