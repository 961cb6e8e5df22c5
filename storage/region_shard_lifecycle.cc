// An account's life after creation: suspension, what it holds, deletion.
#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_records.h"

namespace mailvault {
namespace {

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
    for (Cf family : {Cf::kWraps, Cf::kBodies, Cf::kBlobMeta, Cf::kIndex, Cf::kMailboxes,
                      Cf::kKeys, Cf::kCredentials}) {
      batch.DeleteRange(db.cf(family), begin, end);
    }
    batch.Delete(db.cf(Cf::kAccounts), shard_keys::AccountKey(account_id));
    MV_RETURN_IF_ERROR(db.Commit(&batch));
    impl_->numbers.Erase(account_id);
  }
  // Done after the lock is released: the deletion is durable already, and
  // this takes a while. Flushing first retires the WAL segments that still
  // hold the account's writes; compaction then drops the values from the
  // SST files, and for bodies, whose blob files mix accounts, the whole
  // family is rewritten with blob garbage collection forced.
  ShardDb& db = *impl_->db;
  MV_RETURN_IF_ERROR(db.FlushAll());
  for (Cf family : {Cf::kWraps, Cf::kBlobMeta, Cf::kIndex, Cf::kMailboxes, Cf::kKeys,
                    Cf::kCredentials}) {
    MV_RETURN_IF_ERROR(db.CompactRange(family, begin, end));
  }
  MV_RETURN_IF_ERROR(db.CompactAll(Cf::kBodies));
  const std::string key = shard_keys::AccountKey(account_id);
  MV_RETURN_IF_ERROR(db.CompactRange(Cf::kAccounts, key, key + '\0'));
  return report;
}

}  // namespace mailvault
