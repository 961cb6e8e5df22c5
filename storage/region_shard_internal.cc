// RegionShard::Impl: account resolution, locking and the record helpers that
// the method files share.
#include <algorithm>
#include <chrono>

#include "common/big_endian.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_validation.h"

namespace mailvault {

using shard_records::AccountRecord;
using shard_records::BlobMetaRecord;
using shard_records::MailboxRecord;

Status WrongRegion(std::string_view account_id, std::string_view home_region,
                   std::string_view shard_region) {
  return Status(ErrorCode::kWrongRegion, "account " + std::string(account_id) +
                                             " is homed in region " + std::string(home_region) +
                                             "; this shard serves region " +
                                             std::string(shard_region));
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<uint32_t> SortedUniqueUids(std::vector<uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  if (!uids.empty() && uids.front() == 0) uids.erase(uids.begin());
  return uids;
}

Result<uint32_t> TakeUid(MailboxRecord& mailbox, std::string_view name) {
  if (mailbox.uidnext == 0 || mailbox.uidnext == UINT32_MAX) {
    return Status(ErrorCode::kInvalidArgument,
                  "mailbox " + std::string(name) + " has used up its uids; recreate it");
  }
  return mailbox.uidnext++;
}

uint32_t NextUidValidity(uint32_t current) { return current == UINT32_MAX ? 1 : current + 1; }

Status RegionShard::Impl::LoadNextAccountNumber() {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      db->Get(Cf::kDefault, kNextAccountNumberKey));
  if (!value.has_value()) {
    next_account_number = 1;
    return Status::Ok();
  }
  ByteReader reader(*value);
  uint8_t version = 0;
  uint64_t number = 0;
  if (!reader.Read(version) || version != shard_records::kVersion1 || !reader.Read(number) ||
      !reader.empty() || number == 0) {
    return Status(ErrorCode::kCorruption, "next account number record does not decode");
  }
  next_account_number = number;
  return Status::Ok();
}

Result<AccountRecord> RegionShard::Impl::ReadAccount(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      db->Get(Cf::kAccounts, shard_keys::AccountKey(account_id)));
  if (!value.has_value()) {
    return Status(ErrorCode::kNotFound, "unknown account " + std::string(account_id));
  }
  return shard_records::DecodeAccount(*value);
}

Result<uint64_t> RegionShard::Impl::FindAccount(std::string_view account_id) {
  MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
  if (std::optional<uint64_t> number = numbers.Find(account_id)) return *number;
  MV_ASSIGN_OR_RETURN(AccountRecord record, ReadAccount(account_id));
  numbers.Insert(account_id, record.number);
  return record.number;
}

Result<AccountWrite> RegionShard::Impl::LockAccount(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, FindAccount(account_id));
  AccountWrite account;
  account.lock = std::unique_lock<std::mutex>(locks.For(number));
  account.account_id = std::string(account_id);
  // Re-read under the lock: the counters and the home region may have been
  // changed by the previous holder.
  MV_ASSIGN_OR_RETURN(account.record, ReadAccount(account_id));
  return account;
}

Result<AccountWrite> RegionShard::Impl::BeginWrite(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(AccountWrite account, LockAccount(account_id));
  if (account.record.home_region != options.region) {
    return WrongRegion(account_id, account.record.home_region, options.region);
  }
  if (IsFrozen(account.number())) {
    return Status(ErrorCode::kUnavailable,
                  "account " + std::string(account_id) + " is being moved; try again later");
  }
  return account;
}

bool RegionShard::Impl::IsFrozen(uint64_t number) {
  std::lock_guard<std::mutex> lock(frozen_mutex);
  return frozen.contains(number);
}

Result<std::optional<MailboxRecord>> RegionShard::Impl::ReadMailbox(uint64_t number,
                                                                    std::string_view name) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      db->Get(Cf::kMailboxes, shard_keys::MailboxKey(number, name)));
  if (!value.has_value()) return std::optional<MailboxRecord>();
  MV_ASSIGN_OR_RETURN(MailboxRecord record, shard_records::DecodeMailbox(*value));
  return std::optional<MailboxRecord>(record);
}

Result<MailboxRecord> RegionShard::Impl::RequireMailbox(uint64_t number, std::string_view name) {
  MV_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record, ReadMailbox(number, name));
  if (!record.has_value()) {
    return Status(ErrorCode::kNotFound, "no mailbox " + std::string(name));
  }
  return *record;
}

Result<std::optional<MessageEntry>> RegionShard::Impl::ReadEntry(uint64_t number,
                                                                 uint64_t mailbox_id,
                                                                 uint32_t uid) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      db->Get(Cf::kIndex, shard_keys::IndexKey(number, mailbox_id, uid)));
  if (!value.has_value()) return std::optional<MessageEntry>();
  MV_ASSIGN_OR_RETURN(MessageEntry entry, shard_records::DecodeIndexEntry(uid, *value));
  return std::optional<MessageEntry>(std::move(entry));
}

Result<std::optional<BlobMetaRecord>> RegionShard::Impl::ReadBlobMeta(uint64_t number,
                                                                      const BlobId& blob_id) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      db->Get(Cf::kBlobMeta, shard_keys::BlobKey(number, blob_id)));
  if (!value.has_value()) return std::optional<BlobMetaRecord>();
  MV_ASSIGN_OR_RETURN(BlobMetaRecord record, shard_records::DecodeBlobMeta(*value));
  return std::optional<BlobMetaRecord>(std::move(record));
}

Result<std::optional<PublicKeyRecord>> RegionShard::Impl::ReadPublicKey(uint64_t number,
                                                                        const KeyId& key_id) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      db->Get(Cf::kKeys, shard_keys::PublicKeyKey(number, key_id)));
  if (!value.has_value()) return std::optional<PublicKeyRecord>();
  MV_ASSIGN_OR_RETURN(PublicKeyRecord record, shard_records::DecodePublicKey(key_id, *value));
  return std::optional<PublicKeyRecord>(std::move(record));
}

Result<std::vector<PublicKeyRecord>> RegionShard::Impl::ReadPublicKeys(uint64_t number) {
  std::vector<PublicKeyRecord> keys;
  RangeIterator it = db->ScanPrefix(Cf::kKeys, shard_keys::AccountPrefix(number));
  for (; it.Valid(); it.Next()) {
    std::optional<KeyId> key_id = KeyId::FromBytes(it.key().substr(shard_keys::kAccountNumberSize));
    if (!key_id.has_value()) return Status(ErrorCode::kCorruption, "public key key malformed");
    MV_ASSIGN_OR_RETURN(PublicKeyRecord record,
                        shard_records::DecodePublicKey(*key_id, it.value()));
    keys.push_back(std::move(record));
  }
  MV_RETURN_IF_ERROR(it.status());
  return keys;
}

Status RegionShard::Impl::CheckActiveEncryptionKey(uint64_t number, const KeyId& key_id) {
  MV_ASSIGN_OR_RETURN(std::optional<PublicKeyRecord> key, ReadPublicKey(number, key_id));
  if (!key.has_value()) {
    return Status(ErrorCode::kKeyNotActive, "key " + key_id.ToHex() + " is not registered");
  }
  if (key->kind != PublicKeyKind::kEncryption) {
    return Status(ErrorCode::kKeyNotActive, "key " + key_id.ToHex() + " is not an encryption key");
  }
  if (key->revoked) {
    return Status(ErrorCode::kKeyNotActive, "key " + key_id.ToHex() + " is revoked");
  }
  return Status::Ok();
}

Status RegionShard::Impl::ApplyRefcountChanges(const AccountWrite& account,
                                               const RefcountChanges& changes,
                                               rocksdb::WriteBatch& batch) {
  std::optional<std::vector<PublicKeyRecord>> keys;  // read once, only if a blob dies
  for (const auto& [blob_id, change] : changes) {
    if (change == 0) continue;  // a move: one reference gained, one lost
    MV_ASSIGN_OR_RETURN(std::optional<BlobMetaRecord> meta,
                        ReadBlobMeta(account.number(), blob_id));
    if (!meta.has_value()) {
      return Status(ErrorCode::kCorruption,
                    "index names blob " + blob_id.ToHex() + " which has no blobmeta record");
    }
    int64_t count = static_cast<int64_t>(meta->refcount) + change;
    if (count < 0 || count > UINT32_MAX) {
      return Status(ErrorCode::kCorruption,
                    "reference count of blob " + blob_id.ToHex() + " out of range");
    }
    std::string blob_key = shard_keys::BlobKey(account.number(), blob_id);
    if (count > 0) {
      meta->refcount = static_cast<uint32_t>(count);
      batch.Put(db->cf(Cf::kBlobMeta), blob_key, shard_records::EncodeBlobMeta(*meta));
      continue;
    }
    if (!keys.has_value()) {
      MV_ASSIGN_OR_RETURN(keys, ReadPublicKeys(account.number()));
    }
    batch.Delete(db->cf(Cf::kBodies), blob_key);
    batch.Delete(db->cf(Cf::kBlobMeta), blob_key);
    // Wraps are keyed by key id first; a point delete per key the account
    // ever registered reaches every wrap the blob can have.
    for (const PublicKeyRecord& key : *keys) {
      if (key.kind != PublicKeyKind::kEncryption) continue;
      batch.Delete(db->cf(Cf::kWraps), shard_keys::WrapKey(account.number(), key.key_id, blob_id));
    }
  }
  return Status::Ok();
}

void RegionShard::Impl::PutMailbox(rocksdb::WriteBatch& batch, uint64_t number,
                                   std::string_view name, const MailboxRecord& record) {
  batch.Put(db->cf(Cf::kMailboxes), shard_keys::MailboxKey(number, name),
            shard_records::EncodeMailbox(record));
}

void RegionShard::Impl::PutAccount(rocksdb::WriteBatch& batch, const AccountWrite& account) {
  batch.Put(db->cf(Cf::kAccounts), shard_keys::AccountKey(account.account_id),
            shard_records::EncodeAccount(account.record));
}

void RegionShard::Impl::PutEntry(rocksdb::WriteBatch& batch, uint64_t number, uint64_t mailbox_id,
                                 const MessageEntry& entry, uint64_t previous_modseq) {
  batch.Put(db->cf(Cf::kIndex), shard_keys::IndexKey(number, mailbox_id, entry.uid),
            shard_records::EncodeIndexEntry(entry));
  if (previous_modseq != 0) {
    batch.Delete(db->cf(Cf::kChanges),
                 shard_keys::ChangeKey(number, mailbox_id, previous_modseq, entry.uid));
  }
  batch.Put(db->cf(Cf::kChanges), shard_keys::ChangeKey(number, mailbox_id, entry.modseq, entry.uid),
            shard_records::EncodeChange(shard_records::ChangeKind::kChanged));
}

void RegionShard::Impl::ExpungeEntry(rocksdb::WriteBatch& batch, uint64_t number,
                                     uint64_t mailbox_id, const MessageEntry& entry,
                                     uint64_t modseq) {
  batch.Delete(db->cf(Cf::kIndex), shard_keys::IndexKey(number, mailbox_id, entry.uid));
  batch.Delete(db->cf(Cf::kChanges),
               shard_keys::ChangeKey(number, mailbox_id, entry.modseq, entry.uid));
  batch.Put(db->cf(Cf::kChanges), shard_keys::ChangeKey(number, mailbox_id, modseq, entry.uid),
            shard_records::EncodeChange(shard_records::ChangeKind::kExpunged));
}

void CountEntry(shard_records::MailboxRecord& mailbox, const MessageEntry& entry, int sign) {
  const auto has = [&](std::string_view flag) {
    return std::binary_search(entry.flags.begin(), entry.flags.end(), flag);
  };
  const auto add = [sign](uint32_t& counter) {
    counter = sign > 0 ? counter + 1 : (counter > 0 ? counter - 1 : 0);
  };
  add(mailbox.messages);
  if (!has("\\Seen")) add(mailbox.unseen);
  if (has("\\Deleted")) add(mailbox.deleted);
}

Status RegionShard::Impl::BackfillCounts() {
  rocksdb::WriteBatch batch;
  RangeIterator mailboxes = db->Scan(Cf::kMailboxes, "", "");
  for (; mailboxes.Valid(); mailboxes.Next()) {
    MV_ASSIGN_OR_RETURN(shard_records::MailboxRecord record,
                        shard_records::DecodeMailbox(mailboxes.value()));
    if (record.counted) continue;
    const std::string_view key = mailboxes.key();
    const uint64_t number = ReadBigEndian<uint64_t>(key.data());
    RangeIterator index =
        db->ScanPrefix(Cf::kIndex, shard_keys::IndexMailboxPrefix(number, record.mailbox_id));
    for (; index.Valid(); index.Next()) {
      auto uid = shard_keys::UidOf(index.key());
      if (!uid) return Status(ErrorCode::kCorruption, "index key malformed");
      MV_ASSIGN_OR_RETURN(MessageEntry entry, shard_records::DecodeIndexEntry(*uid, index.value()));
      CountEntry(record, entry, +1);
    }
    MV_RETURN_IF_ERROR(index.status());
    batch.Put(db->cf(Cf::kMailboxes), key, shard_records::EncodeMailbox(record));
  }
  MV_RETURN_IF_ERROR(mailboxes.status());
  if (batch.Count() == 0) return Status::Ok();
  return db->Commit(&batch);
}

Status RegionShard::Impl::BackfillSubscriptions() {
  rocksdb::WriteBatch batch;
  RangeIterator mailboxes = db->Scan(Cf::kMailboxes, "", "");
  for (; mailboxes.Valid(); mailboxes.Next()) {
    MV_ASSIGN_OR_RETURN(shard_records::MailboxRecord record,
                        shard_records::DecodeMailbox(mailboxes.value()));
    if (!record.subscribed) continue;
    // The mailbox key is the subscription's key too: account number ‖ name.
    batch.Put(db->cf(Cf::kSubscriptions), mailboxes.key(), "");
    record.subscribed = false;
    batch.Put(db->cf(Cf::kMailboxes), mailboxes.key(), shard_records::EncodeMailbox(record));
  }
  MV_RETURN_IF_ERROR(mailboxes.status());
  if (batch.Count() == 0) return Status::Ok();
  return db->Commit(&batch);
}

Status RegionShard::Impl::BackfillChanges() {
  RangeIterator changes = db->Scan(Cf::kChanges, "", "");
  MV_RETURN_IF_ERROR(changes.status());
  if (changes.Valid()) return Status::Ok();  // written from the start
  rocksdb::WriteBatch batch;
  RangeIterator index = db->Scan(Cf::kIndex, "", "");
  for (; index.Valid(); index.Next()) {
    const std::string_view key = index.key();
    auto uid = shard_keys::UidOf(key);
    if (!uid) return Status(ErrorCode::kCorruption, "index key malformed");
    MV_ASSIGN_OR_RETURN(MessageEntry entry, shard_records::DecodeIndexEntry(*uid, index.value()));
    std::string change_key(key.substr(0, key.size() - 4));
    AppendBigEndian<uint64_t>(change_key, entry.modseq);
    AppendBigEndian<uint32_t>(change_key, *uid);
    batch.Put(db->cf(Cf::kChanges), change_key,
              shard_records::EncodeChange(shard_records::ChangeKind::kChanged));
  }
  MV_RETURN_IF_ERROR(index.status());
  // Nothing recorded what was expunged before now: a client's modseq from
  // then would miss those expunges, so each mailbox's vanished floor starts
  // at its present HIGHESTMODSEQ and an older modseq gets a full resync.
  RangeIterator mailboxes = db->Scan(Cf::kMailboxes, "", "");
  for (; mailboxes.Valid(); mailboxes.Next()) {
    MV_ASSIGN_OR_RETURN(shard_records::MailboxRecord record,
                        shard_records::DecodeMailbox(mailboxes.value()));
    if (record.vanished_floor >= record.highest_modseq) continue;
    record.vanished_floor = record.highest_modseq;
    batch.Put(db->cf(Cf::kMailboxes), mailboxes.key(), shard_records::EncodeMailbox(record));
  }
  MV_RETURN_IF_ERROR(mailboxes.status());
  if (batch.Count() == 0) return Status::Ok();
  return db->Commit(&batch);
}

Result<std::vector<std::string>> RegionShard::Impl::ReadLogEntries(uint64_t number, LogKind log) {
  const std::string begin = shard_keys::LogPrefix(number, static_cast<uint8_t>(log));
  std::vector<std::string> entries;
  RangeIterator it = db->Scan(Cf::kLogs, begin, shard_keys::PrefixSuccessor(begin));
  for (; it.Valid(); it.Next()) entries.emplace_back(it.value());
  MV_RETURN_IF_ERROR(it.status());
  return entries;
}

Status RegionShard::Impl::AppendLogEntry(uint64_t number, const LogAppend& append,
                                         rocksdb::WriteBatch& batch) {
  MV_ASSIGN_OR_RETURN(auto entries, ReadLogEntries(number, append.log));
  const LogEntry entry = NextLogEntry(append.log, entries.empty() ? "" : entries.back(), UnixNow(),
                                      append.type, append.payload);
  batch.Put(db->cf(Cf::kLogs), shard_keys::LogKey(number, static_cast<uint8_t>(append.log), entry.seq),
            EncodeLogEntry(entry));
  return Status::Ok();
}

}  // namespace mailvault
