// Backups and the scrub: a shard copied while it serves, and read back in
// full to find damage (mailvault-admin backup and verify).
#include <map>
#include <set>

#include "common/big_endian.h"
#include "common/crypto/sealed_upload.h"
#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/rocksdb_status.h"
#include "storage/shard_keys.h"
#include "storage/shard_records.h"

namespace mailvault {

Status RegionShard::Checkpoint(const std::string& dir) {
  return CreateCheckpoint(impl_->db->db(), dir);
}

namespace {

// Checks one account's index entries against its blobmeta, bodies and wraps.
Status ScrubAccount(ShardDb& db, const std::string& account_id, uint64_t number,
                    ScrubReport& report) {
  const std::string begin = shard_keys::AccountPrefix(number);
  const std::string end = shard_keys::PrefixSuccessor(begin);

  std::map<uint64_t, std::string> mailbox_names;
  RangeIterator mailboxes = db.Scan(Cf::kMailboxes, begin, end);
  for (; mailboxes.Valid(); mailboxes.Next()) {
    MV_ASSIGN_OR_RETURN(shard_records::MailboxRecord record,
                        shard_records::DecodeMailbox(mailboxes.value()));
    mailbox_names[record.mailbox_id] =
        std::string(shard_keys::MailboxNameOf(mailboxes.key()).value_or("?"));
  }
  MV_RETURN_IF_ERROR(mailboxes.status());

  std::set<BlobId> wrapped;
  RangeIterator wraps = db.Scan(Cf::kWraps, begin, end);
  for (; wraps.Valid(); wraps.Next()) {
    const std::string_view key = wraps.key();
    auto blob = BlobId::FromBytes(key.substr(key.size() - BlobId::kSize));
    if (blob) wrapped.insert(*blob);
    ++report.wraps;
  }
  MV_RETURN_IF_ERROR(wraps.status());

  std::set<BlobId> checked;
  RangeIterator index = db.Scan(Cf::kIndex, begin, end);
  for (; index.Valid(); index.Next()) {
    ++report.messages;
    const std::string_view key = index.key();
    const auto uid = shard_keys::UidOf(key);
    const uint64_t mailbox_id = key.size() == shard_keys::kIndexKeySize
                                    ? ReadBigEndian<uint64_t>(key.data() + 8)
                                    : 0;
    const std::string where = account_id + " " + mailbox_names[mailbox_id] + " uid " +
                              std::to_string(uid.value_or(0));
    auto entry = shard_records::DecodeIndexEntry(uid.value_or(0), index.value());
    if (!uid || !entry.ok()) {
      report.problems.push_back(where + ": index entry does not parse");
      continue;
    }
    const BlobId& blob = entry->blob_id;
    MV_ASSIGN_OR_RETURN(auto meta, db.Get(Cf::kBlobMeta, shard_keys::BlobKey(number, blob)));
    if (!meta) report.problems.push_back(where + ": blob " + blob.ToHex() + " has no blobmeta");
    if (!wrapped.count(blob)) {
      report.problems.push_back(where + ": blob " + blob.ToHex() + " has no wrap");
    }
    if (!checked.insert(blob).second) continue;
    ++report.bodies;
    MV_ASSIGN_OR_RETURN(auto body, db.Get(Cf::kBodies, shard_keys::BlobKey(number, blob)));
    if (!body) {
      report.problems.push_back(where + ": body of blob " + blob.ToHex() + " is missing");
      continue;
    }
    auto stored = shard_records::DecodeBody(*body);
    const Status sealed = stored.ok() ? CheckSealedBody(*stored, SealBinding{account_id, blob})
                                      : stored.status();
    if (!sealed.ok()) {
      report.problems.push_back(where + ": body of blob " + blob.ToHex() +
                                " is damaged (" + sealed.ToString() + ")");
    }
  }
  return index.status();
}

}  // namespace

Result<ScrubReport> RegionShard::Scrub() {
  ScrubReport report;
  ShardDb& db = *impl_->db;
  // Every SST and blob file's block checksums.
  const rocksdb::Status checksums = db.db()->VerifyChecksum();
  if (!checksums.ok()) {
    report.problems.push_back("RocksDB checksum verification failed: " + checksums.ToString());
  }
  RangeIterator accounts = db.Scan(Cf::kAccounts, "", "");
  for (; accounts.Valid(); accounts.Next()) {
    ++report.accounts;
    const std::string account_id(accounts.key());
    auto record = shard_records::DecodeAccount(accounts.value());
    if (!record.ok()) {
      report.problems.push_back(account_id + ": account record does not parse");
      continue;
    }
    MV_RETURN_IF_ERROR(ScrubAccount(db, account_id, record->number, report));
  }
  MV_RETURN_IF_ERROR(accounts.status());
  return report;
}

}  // namespace mailvault
