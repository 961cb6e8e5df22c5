// RegionShard: what changed in a mailbox since a modseq, from the change
// index that every write keeps in the same batch as the index entry.
#include <algorithm>

#include "common/big_endian.h"
#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_validation.h"

namespace mailvault {

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
  const std::string prefix = shard_keys::IndexMailboxPrefix(number, mailbox.mailbox_id);
  RangeIterator it = impl_->db->Scan(Cf::kChanges,
                                     shard_keys::ChangeKey(number, mailbox.mailbox_id, modseq + 1, 0),
                                     shard_keys::PrefixSuccessor(prefix));
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
