// RegionShard: copying, moving and expunging messages, the operations that
// change body reference counts.
#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_validation.h"

namespace mailvault {

using shard_records::MailboxRecord;

Result<CopyResult> RegionShard::Impl::Transfer(std::string_view account_id, std::string_view from,
                                               const std::vector<uint32_t>& uids,
                                               std::string_view to, bool move) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(from));
  MV_RETURN_IF_ERROR(ValidateMailboxName(to));
  MV_ASSIGN_OR_RETURN(AccountWrite account, BeginWrite(account_id));
  const uint64_t number = account.number();
  MV_ASSIGN_OR_RETURN(MailboxRecord source, RequireMailbox(number, from));
  // COPY and MOVE into the same mailbox are legal IMAP: the message gets a
  // new uid there. Both names must then update one and the same record.
  MailboxRecord target_storage;
  MailboxRecord* target = &source;
  if (to != from) {
    MV_ASSIGN_OR_RETURN(target_storage, RequireMailbox(number, to));
    target = &target_storage;
  }

  // Read every source entry before writing any target entry, so that a copy
  // into the same mailbox never sees its own new entries.
  std::vector<MessageEntry> originals;
  for (uint32_t uid : SortedUniqueUids(uids)) {
    MV_ASSIGN_OR_RETURN(std::optional<MessageEntry> entry,
                        ReadEntry(number, source.mailbox_id, uid));
    if (entry.has_value()) originals.push_back(std::move(*entry));
  }

  CopyResult result;
  result.uidvalidity = target->uidvalidity;
  if (originals.empty()) return result;

  rocksdb::WriteBatch batch;
  RefcountChanges changes;
  for (const MessageEntry& original : originals) {
    MessageEntry copy = original;
    MV_ASSIGN_OR_RETURN(copy.uid, TakeUid(*target, to));
    copy.modseq = ++target->highest_modseq;
    PutEntry(batch, number, target->mailbox_id, copy);
    CountEntry(*target, copy, +1);
    ++changes[copy.blob_id];
    result.source_uids.push_back(original.uid);
    result.target_uids.push_back(copy.uid);
    if (move) --changes[original.blob_id];
  }
  // RFC 7162 (QRESYNC): an expunge raises the mailbox's HIGHESTMODSEQ; the
  // moved uids' tombstones carry it.
  if (move) {
    ++source.highest_modseq;
    for (const MessageEntry& original : originals) {
      ExpungeEntry(batch, number, source.mailbox_id, original, source.highest_modseq);
      CountEntry(source, original, -1);
    }
    // Tombstones only ever appear here and in Expunge: pruning with them
    // keeps their number bounded without any background work.
    MV_RETURN_IF_ERROR(PruneTombstones(batch, number, source));
  }
  PutMailbox(batch, number, from, source);
  if (target != &source) PutMailbox(batch, number, to, *target);
  MV_RETURN_IF_ERROR(ApplyRefcountChanges(account, changes, batch));
  MV_RETURN_IF_ERROR(db->Commit(&batch));
  return result;
}

Result<CopyResult> RegionShard::Copy(std::string_view account_id, std::string_view from_mailbox,
                                     const std::vector<uint32_t>& uids,
                                     std::string_view to_mailbox) {
  return impl_->Transfer(account_id, from_mailbox, uids, to_mailbox, /*move=*/false);
}

Result<CopyResult> RegionShard::Move(std::string_view account_id, std::string_view from_mailbox,
                                     const std::vector<uint32_t>& uids,
                                     std::string_view to_mailbox) {
  return impl_->Transfer(account_id, from_mailbox, uids, to_mailbox, /*move=*/true);
}

Result<std::vector<uint32_t>> RegionShard::Expunge(std::string_view account_id,
                                                   std::string_view mailbox_name,
                                                   const std::vector<uint32_t>& uids) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(mailbox_name));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  const uint64_t number = account.number();
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(number, mailbox_name));

  std::vector<uint32_t> expunged;
  rocksdb::WriteBatch batch;
  RefcountChanges changes;
  // uidnext stays: an expunged uid is never handed out again. The expunge
  // raises HIGHESTMODSEQ (RFC 7162), and its tombstones carry the new one.
  const uint64_t modseq = mailbox.highest_modseq + 1;
  for (uint32_t uid : SortedUniqueUids(uids)) {
    MV_ASSIGN_OR_RETURN(std::optional<MessageEntry> entry,
                        impl_->ReadEntry(number, mailbox.mailbox_id, uid));
    if (!entry.has_value()) continue;
    impl_->ExpungeEntry(batch, number, mailbox.mailbox_id, *entry, modseq);
    CountEntry(mailbox, *entry, -1);
    --changes[entry->blob_id];
    expunged.push_back(uid);
  }
  if (expunged.empty()) return expunged;
  mailbox.highest_modseq = modseq;
  MV_RETURN_IF_ERROR(impl_->PruneTombstones(batch, number, mailbox));
  impl_->PutMailbox(batch, number, mailbox_name, mailbox);
  MV_RETURN_IF_ERROR(impl_->ApplyRefcountChanges(account, changes, batch));
  MV_RETURN_IF_ERROR(impl_->db->Commit(&batch));
  return expunged;
}

}  // namespace mailvault
