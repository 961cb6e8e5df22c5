// RegionShard: what changed in a mailbox since a modseq, from the change
// index that every write keeps in the same batch as the index entry, and the
// pruning that keeps its tombstones to a window.
#include <algorithm>

#include "common/big_endian.h"
#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_validation.h"

namespace mailvault {
namespace {

// Change rows one prune reads at most, beyond which it stops at the next
// modseq boundary: the floor must never fall inside a modseq, or a
// CHANGEDSINCE at the floor would miss the half that was pruned. One expunge
// of many uids shares one modseq, so a prune can read that many more; the
// expunge that wrote them did as much work.
constexpr size_t kPruneRowsPerBatch = 4096;

uint64_t ModseqOfChangeKey(std::string_view key) {
  return ReadBigEndian<uint64_t>(key.data() + shard_keys::kAccountNumberSize + 8);
}

}  // namespace

Status RegionShard::Impl::PruneTombstones(rocksdb::WriteBatch& batch, uint64_t number,
                                          shard_records::MailboxRecord& mailbox) {
  const uint64_t window = options.tombstone_window;
  if (window == 0 || mailbox.highest_modseq <= window) return Status::Ok();
  // Tombstones at or below `cutoff` go. The expunge calling this has just
  // written its own at highest_modseq, above the cutoff, so they stay.
  const uint64_t cutoff = mailbox.highest_modseq - window;
  if (cutoff <= mailbox.vanished_floor) return Status::Ok();
  // Rows at or below the floor were read by an earlier prune: each row is
  // read once as the floor moves up, so pruning costs O(1) per change.
  RangeIterator it = db->Scan(
      Cf::kChanges, shard_keys::ChangeKey(number, mailbox.mailbox_id, mailbox.vanished_floor + 1, 0),
      shard_keys::ChangeKey(number, mailbox.mailbox_id, cutoff + 1, 0));
  uint64_t floor = cutoff;
  uint64_t previous = 0;
  size_t read = 0;
  for (; it.Valid(); it.Next()) {
    if (it.key().size() != shard_keys::kChangeKeySize) {
      return Status(ErrorCode::kCorruption, "change key malformed");
    }
    const uint64_t modseq = ModseqOfChangeKey(it.key());
    if (read >= kPruneRowsPerBatch && modseq != previous) {
      floor = modseq - 1;  // every row below `modseq` was read
      break;
    }
    ++read;
    previous = modseq;
    MV_ASSIGN_OR_RETURN(shard_records::ChangeKind kind, shard_records::DecodeChange(it.value()));
    // A live uid's row stays whatever its age: it says what the uid is now,
    // which CHANGEDSINCE below the floor still needs for FETCH.
    if (kind == shard_records::ChangeKind::kExpunged) batch.Delete(db->cf(Cf::kChanges), it.key());
  }
  MV_RETURN_IF_ERROR(it.status());
  mailbox.vanished_floor = floor;
  return Status::Ok();
}

Result<MailboxChanges> RegionShard::ChangesSince(std::string_view account_id,
                                                 std::string_view mailbox_name, uint64_t modseq) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(mailbox_name));
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  // The status before the changes: a change committing during the scan may
  // show twice (now and at the next call), never not at all.
  MV_ASSIGN_OR_RETURN(shard_records::MailboxRecord mailbox,
                      impl_->RequireMailbox(number, mailbox_name));
  MailboxChanges changes;
  changes.mailbox = MailboxInfoOf(mailbox_name, mailbox);
  if (modseq == UINT64_MAX) return changes;
  if (modseq < mailbox.vanished_floor) {
    changes.resync_required = true;
    return changes;
  }
  const std::string prefix = shard_keys::IndexMailboxPrefix(number, mailbox.mailbox_id);
  RangeIterator it = impl_->db->Scan(Cf::kChanges,
                                     shard_keys::ChangeKey(number, mailbox.mailbox_id, modseq + 1, 0),
                                     shard_keys::PrefixSuccessor(prefix));
  // A prune that committed after the record was read but before the
  // iterator took its snapshot may have taken tombstones this read needs;
  // the record read again now has a floor at least as high as that prune's.
  if (impl_->options.tombstone_window != 0) {
    auto again = impl_->ReadMailbox(number, mailbox_name);
    if (again.ok() && again->has_value() && (*again)->mailbox_id == mailbox.mailbox_id &&
        modseq < (*again)->vanished_floor) {
      changes.resync_required = true;
      return changes;
    }
  }
  for (; it.Valid(); it.Next()) {
    if (it.key().size() != shard_keys::kChangeKeySize) {
      return Status(ErrorCode::kCorruption, "change key malformed");
    }
    const uint32_t uid = ReadBigEndian<uint32_t>(it.key().data() + it.key().size() - 4);
    MV_ASSIGN_OR_RETURN(shard_records::ChangeKind kind, shard_records::DecodeChange(it.value()));
    if (kind == shard_records::ChangeKind::kExpunged) {
      changes.expunged.push_back(uid);
      continue;
    }
    // Read as it is now: changed again meanwhile, its newer row is further
    // on (and de-duplicated below); expunged meanwhile, its tombstone is.
    MV_ASSIGN_OR_RETURN(std::optional<MessageEntry> entry,
                        impl_->ReadEntry(number, mailbox.mailbox_id, uid));
    if (entry.has_value()) changes.changed.push_back(std::move(*entry));
  }
  MV_RETURN_IF_ERROR(it.status());
  const auto by_uid = [](const MessageEntry& a, const MessageEntry& b) { return a.uid < b.uid; };
  std::sort(changes.changed.begin(), changes.changed.end(), by_uid);
  changes.changed.erase(std::unique(changes.changed.begin(), changes.changed.end(),
                                    [](const MessageEntry& a, const MessageEntry& b) {
                                      return a.uid == b.uid;
                                    }),
                        changes.changed.end());
  std::sort(changes.expunged.begin(), changes.expunged.end());
  changes.expunged.erase(std::unique(changes.expunged.begin(), changes.expunged.end()),
                         changes.expunged.end());
  return changes;
}

}  // namespace mailvault
