// The state behind a RegionShard and the helpers its methods share. Private to
// storage/: the methods are split by concern over region_shard*.cc.
#pragma once

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/account_locks.h"
#include "storage/account_numbers.h"
#include "storage/region_shard.h"
#include "storage/shard_db.h"
#include "storage/shard_records.h"

namespace mailvault {

inline constexpr std::string_view kInbox = "INBOX";
// Shard metadata in the default family: the number the next account gets.
inline constexpr std::string_view kNextAccountNumberKey = "shard/next_account_number";

// The right to change one account: its stripe lock, held until the batch is
// committed, and its record as read under that lock.
struct AccountWrite {
  std::unique_lock<std::mutex> lock;
  std::string account_id;
  shard_records::AccountRecord record;
  uint64_t number() const { return record.number; }
};

// Net change of each blob's reference count within one batch.
using RefcountChanges = std::map<BlobId, int64_t>;

struct RegionShard::Impl {
  ShardOptions options;
  std::unique_ptr<ShardDb> db;
  AccountLocks locks;
  AccountNumberCache numbers;

  // Account creation allocates account numbers; it is rare, so one mutex.
  std::mutex create_mutex;
  uint64_t next_account_number = 1;  // guarded by create_mutex

  Status LoadNextAccountNumber();

  // Accounts being moved away (RegionShard::Freeze), by number.
  std::mutex frozen_mutex;
  std::set<uint64_t> frozen;  // guarded by frozen_mutex
  bool IsFrozen(uint64_t number);

  // The account's number; kNotFound for an unknown account.
  Result<uint64_t> FindAccount(std::string_view account_id);
  Result<shard_records::AccountRecord> ReadAccount(std::string_view account_id);
  // Locks the account and checks that it is homed here (kWrongRegion if not)
  // and not frozen for a move (kUnavailable).
  Result<AccountWrite> BeginWrite(std::string_view account_id);
  // Locks the account without the region check: only SetHomeRegion uses it.
  Result<AccountWrite> LockAccount(std::string_view account_id);

  Result<std::optional<shard_records::MailboxRecord>> ReadMailbox(uint64_t number,
                                                                  std::string_view name);
  // kNotFound naming the mailbox when there is none.
  Result<shard_records::MailboxRecord> RequireMailbox(uint64_t number, std::string_view name);
  Result<std::optional<MessageEntry>> ReadEntry(uint64_t number, uint64_t mailbox_id, uint32_t uid);
  Result<std::optional<shard_records::BlobMetaRecord>> ReadBlobMeta(uint64_t number,
                                                                    const BlobId& blob_id);
  Result<std::optional<PublicKeyRecord>> ReadPublicKey(uint64_t number, const KeyId& key_id);
  Result<std::vector<PublicKeyRecord>> ReadPublicKeys(uint64_t number);
  // ok for a registered, non-revoked encryption key; kKeyNotActive otherwise.
  Status CheckActiveEncryptionKey(uint64_t number, const KeyId& key_id);

  // Adds the next entry of `append.log` to `batch` (the caller holds the
  // account's lock, so nothing else appends meanwhile).
  Status AppendLogEntry(uint64_t number, const LogAppend& append, rocksdb::WriteBatch& batch);
  Result<std::vector<std::string>> ReadLogEntries(uint64_t number, LogKind log);

  // Adds the reference count changes to `batch`; a blob whose count reaches
  // zero loses its body, blobmeta (with the summary) and every wrap.
  Status ApplyRefcountChanges(const AccountWrite& account, const RefcountChanges& changes,
                              rocksdb::WriteBatch& batch);

  // Copy and Move: new uids in `to` that reference the same bodies; a move
  // also expunges the source entries, all in one batch.
  Result<CopyResult> Transfer(std::string_view account_id, std::string_view from,
                              const std::vector<uint32_t>& uids, std::string_view to, bool move);

  void PutMailbox(rocksdb::WriteBatch& batch, uint64_t number, std::string_view name,
                  const shard_records::MailboxRecord& record);
  void PutAccount(rocksdb::WriteBatch& batch, const AccountWrite& account);
  // The index entry and its row in the change index (docs/STORAGE.md,
  // "Changes"): one row per uid, at its latest modseq. `previous_modseq` is
  // the entry's modseq before this change (0 for a new uid), whose row goes.
  void PutEntry(rocksdb::WriteBatch& batch, uint64_t number, uint64_t mailbox_id,
                const MessageEntry& entry, uint64_t previous_modseq = 0);
  // Removes the index entry and leaves a tombstone at `modseq` in its place.
  void ExpungeEntry(rocksdb::WriteBatch& batch, uint64_t number, uint64_t mailbox_id,
                    const MessageEntry& entry, uint64_t modseq);
  // Adds to `batch` the deletion of the mailbox's tombstones that fell out
  // of options.tombstone_window, and raises mailbox.vanished_floor past
  // them. Bounded: it reads about kPruneRowsPerBatch change rows and leaves
  // the rest to the next expunge (docs/STORAGE.md, "Changes").
  Status PruneTombstones(rocksdb::WriteBatch& batch, uint64_t number,
                         shard_records::MailboxRecord& mailbox);
  // Writes the change rows of a shard made before the change index existed.
  Status BackfillChanges();
  // Counts the messages of mailboxes whose records predate the counts.
  Status BackfillCounts();
  // Moves subscriptions kept as a bit of the mailbox record into the
  // `subscriptions` family.
  Status BackfillSubscriptions();
};

// The public view of a mailbox record.
MailboxInfo MailboxInfoOf(std::string_view name, const shard_records::MailboxRecord& record);

// Adds `entry` to the mailbox's STATUS counts (sign +1) or takes it away (-1).
void CountEntry(shard_records::MailboxRecord& mailbox, const MessageEntry& entry, int sign);

// The refusal every write for an account homed elsewhere gets.
Status WrongRegion(std::string_view account_id, std::string_view home_region,
                   std::string_view shard_region);

// Uids as IMAP commands give them may repeat and come in any order; the shard
// works on them ascending, once each. Uid 0 never names a message.
std::vector<uint32_t> SortedUniqueUids(std::vector<uint32_t> uids);

// Takes the mailbox's next uid (RFC 9051: strictly ascending, never reused
// under one uidvalidity). Fails once the 32-bit uid space is used up.
Result<uint32_t> TakeUid(shard_records::MailboxRecord& mailbox, std::string_view name);

// Current time in unix seconds.
int64_t UnixNow();

// A uidvalidity counter never yields 0 (RFC 9051: a valid UIDVALIDITY is
// non-zero); past 2^32 - 1 it wraps to 1.
uint32_t NextUidValidity(uint32_t current);

}  // namespace mailvault
