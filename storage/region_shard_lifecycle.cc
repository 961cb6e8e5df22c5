// An account's life after creation: suspension, what it holds, deletion.
#include <algorithm>
#include <iterator>

#include "common/big_endian.h"
#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_records.h"
#include "storage/shard_validation.h"

namespace mailvault {
namespace {

// The families that hold an account's records under its number.
constexpr Cf kAccountFamilies[] = {Cf::kKeys,        Cf::kMailboxes, Cf::kIndex,   Cf::kBodies,
                                   Cf::kBlobMeta,    Cf::kWraps,     Cf::kLogs,    Cf::kCredentials,
                                   Cf::kChanges,     Cf::kSubscriptions};

// Entries of one family under the account's prefix.
Result<uint64_t> CountRange(ShardDb& db, Cf family, const std::string& begin,
                            const std::string& end) {
  uint64_t count = 0;
  RangeIterator it = db.Scan(family, begin, end);
  for (; it.Valid(); it.Next()) ++count;
  MV_RETURN_IF_ERROR(it.status());
  return count;
}

}  // namespace

Status RegionShard::SetSuspended(std::string_view account_id, bool suspended) {
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->LockAccount(account_id));
  account.record.suspended = suspended;
  rocksdb::WriteBatch batch;
  impl_->PutAccount(batch, account);
  return impl_->db->Commit(&batch);
}

Result<AccountUsage> RegionShard::Usage(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  const std::string begin = shard_keys::AccountPrefix(number);
  const std::string end = shard_keys::PrefixSuccessor(begin);
  AccountUsage usage;
  MV_ASSIGN_OR_RETURN(usage.mailboxes, CountRange(*impl_->db, Cf::kMailboxes, begin, end));
  MV_ASSIGN_OR_RETURN(usage.messages, CountRange(*impl_->db, Cf::kIndex, begin, end));
  // Sizes from blobmeta, one record per body: the bodies are never read.
  RangeIterator meta = impl_->db->Scan(Cf::kBlobMeta, begin, end);
  for (; meta.Valid(); meta.Next()) {
    MV_ASSIGN_OR_RETURN(shard_records::BlobMetaRecord record,
                        shard_records::DecodeBlobMeta(meta.value()));
    ++usage.bodies;
    usage.sealed_bytes += record.sealed_size;
  }
  MV_RETURN_IF_ERROR(meta.status());
  return usage;
}

Result<DeleteReport> RegionShard::DeleteAccount(std::string_view account_id) {
  DeleteReport report;
  std::string begin;
  std::string end;
  {
    // No region check: an account that moved away is deleted here too.
    MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->LockAccount(account_id));
    begin = shard_keys::AccountPrefix(account.number());
    end = shard_keys::PrefixSuccessor(begin);
    ShardDb& db = *impl_->db;
    // Counted under the lock, so the report is exact.
    MV_ASSIGN_OR_RETURN(report.bodies, CountRange(db, Cf::kBlobMeta, begin, end));
    MV_ASSIGN_OR_RETURN(report.wraps, CountRange(db, Cf::kWraps, begin, end));
    MV_ASSIGN_OR_RETURN(report.messages, CountRange(db, Cf::kIndex, begin, end));
    MV_ASSIGN_OR_RETURN(report.mailboxes, CountRange(db, Cf::kMailboxes, begin, end));
    MV_ASSIGN_OR_RETURN(report.public_keys, CountRange(db, Cf::kKeys, begin, end));
    MV_ASSIGN_OR_RETURN(report.credentials, CountRange(db, Cf::kCredentials, begin, end));

    rocksdb::WriteBatch batch;
    // The logs family stays: placement and disclosure records outlive the
    // account they are about.
    for (Cf family : kAccountFamilies) {
      if (family != Cf::kLogs) batch.DeleteRange(db.cf(family), begin, end);
    }
    batch.Delete(db.cf(Cf::kAccounts), shard_keys::AccountKey(account_id));
    MV_RETURN_IF_ERROR(db.Commit(&batch));
    impl_->numbers.Erase(account_id);
    std::lock_guard<std::mutex> lock(impl_->frozen_mutex);
    impl_->frozen.erase(account.number());
  }
  // Done after the lock is released: the deletion is durable already, and
  // this takes a while. Flushing first retires the WAL segments that still
  // hold the account's writes; compaction then drops the values from the
  // SST files, and for bodies, whose blob files mix accounts, the whole
  // family is rewritten with blob garbage collection forced.
  ShardDb& db = *impl_->db;
  MV_RETURN_IF_ERROR(db.FlushAll());
  for (Cf family : kAccountFamilies) {
    if (family == Cf::kBodies) {
      MV_RETURN_IF_ERROR(db.CompactAll(family));
    } else if (family != Cf::kLogs) {
      MV_RETURN_IF_ERROR(db.CompactRange(family, begin, end));
    }
  }
  const std::string key = shard_keys::AccountKey(account_id);
  MV_RETURN_IF_ERROR(db.CompactRange(Cf::kAccounts, key, key + '\0'));
  return report;
}


Status RegionShard::AppendLog(std::string_view account_id, const LogAppend& log) {
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  rocksdb::WriteBatch batch;
  MV_RETURN_IF_ERROR(impl_->AppendLogEntry(account.number(), log, batch));
  return impl_->db->Commit(&batch);
}

Status RegionShard::Freeze(std::string_view account_id) {
  // Taking the account's lock waits for the change under way to commit.
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->LockAccount(account_id));
  std::lock_guard<std::mutex> lock(impl_->frozen_mutex);
  impl_->frozen.insert(account.number());
  return Status::Ok();
}

void RegionShard::Thaw(std::string_view account_id) {
  auto number = impl_->FindAccount(account_id);
  if (!number.ok()) return;
  std::lock_guard<std::mutex> lock(impl_->frozen_mutex);
  impl_->frozen.erase(*number);
}

Result<AccountDump> RegionShard::ExportAccount(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->LockAccount(account_id));
  AccountDump dump;
  dump.account_id = std::string(account_id);
  dump.account_record = shard_records::EncodeAccount(account.record);
  const std::string begin = shard_keys::AccountPrefix(account.number());
  const std::string end = shard_keys::PrefixSuccessor(begin);
  for (Cf family : kAccountFamilies) {
    RangeIterator it = impl_->db->Scan(family, begin, end);
    for (; it.Valid(); it.Next()) {
      dump.rows.push_back({static_cast<uint8_t>(family),
                           std::string(it.key().substr(begin.size())), std::string(it.value())});
    }
    MV_RETURN_IF_ERROR(it.status());
  }
  return dump;
}

Status RegionShard::ImportAccount(const AccountDump& dump, const LogAppend* log) {
  MV_RETURN_IF_ERROR(ValidateAccountId(dump.account_id));
  MV_ASSIGN_OR_RETURN(shard_records::AccountRecord record,
                      shard_records::DecodeAccount(dump.account_record));
  std::lock_guard<std::mutex> lock(impl_->create_mutex);
  MV_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                      impl_->db->Get(Cf::kAccounts, shard_keys::AccountKey(dump.account_id)));
  if (existing.has_value()) {
    return Status(ErrorCode::kAlreadyExists, "account " + dump.account_id + " exists here");
  }
  record.number = impl_->next_account_number;
  record.home_region = impl_->options.region;
  record.suspended = false;
  const std::string prefix = shard_keys::AccountPrefix(record.number);

  std::string next_number;
  next_number.push_back(static_cast<char>(shard_records::kVersion1));
  AppendBigEndian<uint64_t>(next_number, record.number + 1);

  rocksdb::WriteBatch batch;
  batch.Put(impl_->db->cf(Cf::kAccounts), shard_keys::AccountKey(dump.account_id),
            shard_records::EncodeAccount(record));
  batch.Put(impl_->db->cf(Cf::kDefault), kNextAccountNumberKey, next_number);
  std::string last_entry;  // of `log`'s kind, to chain the new entry to
  for (const AccountDump::Row& row : dump.rows) {
    const Cf family = static_cast<Cf>(row.family);
    if (std::find(std::begin(kAccountFamilies), std::end(kAccountFamilies), family) ==
        std::end(kAccountFamilies)) {
      return Status(ErrorCode::kInvalidArgument, "an account dump row of an unknown family");
    }
    batch.Put(impl_->db->cf(family), prefix + row.key_suffix, row.value);
    if (log != nullptr && family == Cf::kLogs && !row.key_suffix.empty() &&
        static_cast<uint8_t>(row.key_suffix[0]) == static_cast<uint8_t>(log->log)) {
      last_entry = row.value;  // rows come in key order: the last one wins
    }
  }
  if (log != nullptr) {
    const LogEntry entry = NextLogEntry(log->log, last_entry, UnixNow(), log->type, log->payload);
    batch.Put(impl_->db->cf(Cf::kLogs),
              shard_keys::LogKey(record.number, static_cast<uint8_t>(log->log), entry.seq),
              EncodeLogEntry(entry));
  }
  ++impl_->next_account_number;
  MV_RETURN_IF_ERROR(impl_->db->Commit(&batch));
  // A dump from a shard that predates the mailbox counts brings records
  // without them: count now, before any write adjusts a count of 0. (Its
  // messages have no change rows either; changes from here on get them.)
  // Its subscriptions may still be bits of the mailbox records.
  MV_RETURN_IF_ERROR(impl_->BackfillCounts());
  return impl_->BackfillSubscriptions();
}

}  // namespace mailvault
