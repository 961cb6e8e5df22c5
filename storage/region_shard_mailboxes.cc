// RegionShard: mailboxes.
#include <algorithm>

#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_validation.h"

namespace mailvault {

using shard_records::MailboxRecord;

MailboxInfo MailboxInfoOf(std::string_view name, const MailboxRecord& record) {
  MailboxInfo info;
  info.name = std::string(name);
  info.uidvalidity = record.uidvalidity;
  info.uidnext = record.uidnext;
  info.highest_modseq = record.highest_modseq;
  info.subscribed = record.subscribed;
  info.messages = record.messages;
  info.unseen = record.unseen;
  info.deleted = record.deleted;
  info.vanished_floor = record.vanished_floor;
  info.recent_from = record.recent_from;
  return info;
}

namespace {

Status RefuseInbox(std::string_view name, std::string_view what) {
  if (name != kInbox) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument, "INBOX cannot be " + std::string(what));
}

}  // namespace

Status RegionShard::CreateMailbox(std::string_view account_id, std::string_view name) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(name));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  MV_ASSIGN_OR_RETURN(std::optional<MailboxRecord> existing,
                      impl_->ReadMailbox(account.number(), name));
  if (existing.has_value()) {
    return Status(ErrorCode::kAlreadyExists, "mailbox " + std::string(name) + " exists");
  }
  // A fresh mailbox id keeps a recreated mailbox's index apart from any
  // entries of an earlier one; a fresh uidvalidity tells clients so.
  MailboxRecord mailbox;
  mailbox.mailbox_id = account.record.next_mailbox_id++;
  mailbox.uidvalidity = account.record.next_uidvalidity;
  account.record.next_uidvalidity = NextUidValidity(account.record.next_uidvalidity);

  rocksdb::WriteBatch batch;
  impl_->PutMailbox(batch, account.number(), name, mailbox);
  impl_->PutAccount(batch, account);
  return impl_->db->Commit(&batch);
}

Status RegionShard::RenameMailbox(std::string_view account_id, std::string_view from,
                                  std::string_view to) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(from));
  MV_RETURN_IF_ERROR(ValidateMailboxName(to));
  MV_RETURN_IF_ERROR(RefuseInbox(from, "renamed"));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(account.number(), from));
  MV_ASSIGN_OR_RETURN(std::optional<MailboxRecord> target,
                      impl_->ReadMailbox(account.number(), to));
  if (target.has_value()) {
    return Status(ErrorCode::kAlreadyExists, "mailbox " + std::string(to) + " exists");
  }
  // The record moves with its mailbox id, uidvalidity and uid counters: the
  // index entries are keyed by the id, so none of them is rewritten.
  rocksdb::WriteBatch batch;
  batch.Delete(impl_->db->cf(Cf::kMailboxes), shard_keys::MailboxKey(account.number(), from));
  impl_->PutMailbox(batch, account.number(), to, mailbox);
  return impl_->db->Commit(&batch);
}

Status RegionShard::DeleteMailbox(std::string_view account_id, std::string_view name) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(name));
  MV_RETURN_IF_ERROR(RefuseInbox(name, "deleted"));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(account.number(), name));

  rocksdb::WriteBatch batch;
  RefcountChanges changes;
  // Point deletes rather than one range tombstone: the entries are read
  // anyway for their blob ids, and deleting mailboxes is common enough that
  // range tombstones would pile up in the family every read goes through.
  RangeIterator it = impl_->db->ScanPrefix(
      Cf::kIndex, shard_keys::IndexMailboxPrefix(account.number(), mailbox.mailbox_id));
  for (; it.Valid(); it.Next()) {
    std::optional<uint32_t> uid = shard_keys::UidOf(it.key());
    if (!uid.has_value()) return Status(ErrorCode::kCorruption, "index key malformed");
    MV_ASSIGN_OR_RETURN(MessageEntry entry, shard_records::DecodeIndexEntry(*uid, it.value()));
    batch.Delete(impl_->db->cf(Cf::kIndex), it.key());
    --changes[entry.blob_id];
  }
  MV_RETURN_IF_ERROR(it.status());
  // Its change rows and tombstones go too: the mailbox id is never reused.
  RangeIterator change = impl_->db->ScanPrefix(
      Cf::kChanges, shard_keys::IndexMailboxPrefix(account.number(), mailbox.mailbox_id));
  for (; change.Valid(); change.Next()) batch.Delete(impl_->db->cf(Cf::kChanges), change.key());
  MV_RETURN_IF_ERROR(change.status());
  batch.Delete(impl_->db->cf(Cf::kMailboxes), shard_keys::MailboxKey(account.number(), name));
  MV_RETURN_IF_ERROR(impl_->ApplyRefcountChanges(account, changes, batch));
  return impl_->db->Commit(&batch);
}

Status RegionShard::SetSubscribed(std::string_view account_id, std::string_view name,
                                  bool subscribed) {
  // A name, not a mailbox: it may not exist (yet, or any more).
  MV_RETURN_IF_ERROR(ValidateMailboxName(name));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  rocksdb::WriteBatch batch;
  const std::string key = shard_keys::MailboxKey(account.number(), name);
  if (subscribed) {
    batch.Put(impl_->db->cf(Cf::kSubscriptions), key, "");
  } else {
    batch.Delete(impl_->db->cf(Cf::kSubscriptions), key);
  }
  return impl_->db->Commit(&batch);
}

Result<std::vector<std::string>> RegionShard::ListSubscriptions(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  std::vector<std::string> names;
  RangeIterator it = impl_->db->ScanPrefix(Cf::kSubscriptions, shard_keys::AccountPrefix(number));
  for (; it.Valid(); it.Next()) {
    std::optional<std::string_view> name = shard_keys::MailboxNameOf(it.key());
    if (!name.has_value()) return Status(ErrorCode::kCorruption, "subscription key malformed");
    names.emplace_back(*name);
  }
  MV_RETURN_IF_ERROR(it.status());
  return names;
}

Result<MailboxInfo> RegionShard::ClaimRecent(std::string_view account_id,
                                             std::string_view name) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(name));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(account.number(), name));
  const MailboxInfo before = MailboxInfoOf(name, mailbox);
  if (mailbox.recent_from >= mailbox.uidnext) return before;
  mailbox.recent_from = mailbox.uidnext;
  rocksdb::WriteBatch batch;
  impl_->PutMailbox(batch, account.number(), name, mailbox);
  MV_RETURN_IF_ERROR(impl_->db->Commit(&batch));
  return before;
}

Result<std::vector<MailboxInfo>> RegionShard::ListMailboxes(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(std::vector<std::string> subscribed, ListSubscriptions(account_id));
  std::vector<MailboxInfo> mailboxes;
  RangeIterator it = impl_->db->ScanPrefix(Cf::kMailboxes, shard_keys::AccountPrefix(number));
  for (; it.Valid(); it.Next()) {
    std::optional<std::string_view> name = shard_keys::MailboxNameOf(it.key());
    if (!name.has_value()) return Status(ErrorCode::kCorruption, "mailbox key malformed");
    MV_ASSIGN_OR_RETURN(MailboxRecord record, shard_records::DecodeMailbox(it.value()));
    mailboxes.push_back(MailboxInfoOf(*name, record));
    // Subscriptions come in key order, which is the names' byte order.
    mailboxes.back().subscribed =
        std::binary_search(subscribed.begin(), subscribed.end(), mailboxes.back().name);
  }
  MV_RETURN_IF_ERROR(it.status());
  return mailboxes;
}

Result<MailboxInfo> RegionShard::GetMailbox(std::string_view account_id, std::string_view name) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(name));
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(MailboxRecord record, impl_->RequireMailbox(number, name));
  return MailboxInfoOf(name, record);
}

}  // namespace mailvault
