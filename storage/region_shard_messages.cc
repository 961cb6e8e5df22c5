// RegionShard: appending, reading and flagging messages.
#include <set>

#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_validation.h"

namespace mailvault {

using shard_records::BlobMetaRecord;
using shard_records::MailboxRecord;

namespace {

Status ValidateAppend(const AppendRequest& request) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(request.mailbox));
  if (request.sealed_body.empty()) {
    return Status(ErrorCode::kInvalidArgument, "sealed body is empty");
  }
  if (request.sealed_summary.empty()) {
    return Status(ErrorCode::kInvalidArgument, "sealed summary is empty");
  }
  // A message without a wrap could never be opened by anyone.
  if (request.wraps.empty()) return Status(ErrorCode::kInvalidArgument, "message has no wrap");
  std::set<KeyId> key_ids;
  for (const Wrap& wrap : request.wraps) {
    if (wrap.sealed_key.size() != kWrapSize) {
      return Status(ErrorCode::kInvalidArgument, "wrap for key " + wrap.key_id.ToHex() +
                                                     " is not " + std::to_string(kWrapSize) +
                                                     " bytes");
    }
    if (!key_ids.insert(wrap.key_id).second) {
      return Status(ErrorCode::kInvalidArgument, "two wraps for key " + wrap.key_id.ToHex());
    }
  }
  return Status::Ok();
}

std::vector<std::string> ApplyFlagOp(const std::vector<std::string>& current, FlagOp op,
                                     const std::vector<std::string>& flags) {
  std::set<std::string> result(current.begin(), current.end());
  switch (op) {
    case FlagOp::kSet:
      result = std::set<std::string>(flags.begin(), flags.end());
      break;
    case FlagOp::kAdd:
      result.insert(flags.begin(), flags.end());
      break;
    case FlagOp::kRemove:
      for (const std::string& flag : flags) result.erase(flag);
      break;
  }
  return std::vector<std::string>(result.begin(), result.end());
}

}  // namespace

Result<AppendResult> RegionShard::Append(std::string_view account_id, AppendRequest request) {
  std::vector<AppendRequest> one;
  one.push_back(std::move(request));
  MV_ASSIGN_OR_RETURN(std::vector<AppendResult> results, AppendAll(account_id, std::move(one)));
  return results.front();
}

Result<std::vector<AppendResult>> RegionShard::AppendAll(std::string_view account_id,
                                                         std::vector<AppendRequest> requests) {
  if (requests.empty()) return Status(ErrorCode::kInvalidArgument, "no message to append");
  const std::string mailbox_name = requests.front().mailbox;
  std::vector<std::vector<std::string>> flags(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].mailbox != mailbox_name) {
      return Status(ErrorCode::kInvalidArgument, "the messages of one append name two mailboxes");
    }
    MV_RETURN_IF_ERROR(ValidateAppend(requests[i]));
    MV_ASSIGN_OR_RETURN(flags[i], NormalizeFlags(requests[i].flags));
  }

  // Held until the batch is durable, so that the next append to this account
  // reads the uidnext this one wrote (see account_locks.h).
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  const uint64_t number = account.number();
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(number, mailbox_name));
  std::set<BlobId> blob_ids;
  for (const AppendRequest& request : requests) {
    // A blob id twice in one batch would be one body with two entries and a
    // refcount of one: refused like a blob id already stored.
    MV_ASSIGN_OR_RETURN(std::optional<BlobMetaRecord> existing,
                        impl_->ReadBlobMeta(number, request.blob_id));
    if (existing.has_value() || !blob_ids.insert(request.blob_id).second) {
      return Status(ErrorCode::kAlreadyExists, "blob " + request.blob_id.ToHex() + " exists");
    }
    for (const Wrap& wrap : request.wraps) {
      MV_RETURN_IF_ERROR(impl_->CheckActiveEncryptionKey(number, wrap.key_id));
    }
  }

  // Uids and modseqs are taken from the record in memory and everything
  // goes into one batch: whatever fails before the commit (or the commit
  // itself) leaves no message stored and no uid used.
  rocksdb::WriteBatch batch;
  std::vector<AppendResult> results;
  results.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    AppendRequest& request = requests[i];
    MessageEntry entry;
    MV_ASSIGN_OR_RETURN(entry.uid, TakeUid(mailbox, mailbox_name));
    entry.modseq = ++mailbox.highest_modseq;
    entry.blob_id = request.blob_id;
    entry.internal_date = request.internal_date;
    entry.sealed_size = request.sealed_body.size();
    entry.flags = std::move(flags[i]);

    BlobMetaRecord meta;
    meta.refcount = 1;
    meta.sealed_size = entry.sealed_size;
    meta.sealed_summary = std::move(request.sealed_summary);

    const std::string blob_key = shard_keys::BlobKey(number, request.blob_id);
    // The version byte and the body go in as two slices: a large body is
    // copied once, into the batch, and never concatenated first.
    const rocksdb::Slice key_part(blob_key);
    const rocksdb::Slice body_parts[2] = {rocksdb::Slice(&shard_records::kBodyVersionByte, 1),
                                          rocksdb::Slice(request.sealed_body)};
    batch.Put(impl_->db->cf(Cf::kBodies), rocksdb::SliceParts(&key_part, 1),
              rocksdb::SliceParts(body_parts, 2));
    batch.Put(impl_->db->cf(Cf::kBlobMeta), blob_key, shard_records::EncodeBlobMeta(meta));
    for (const Wrap& wrap : request.wraps) {
      batch.Put(impl_->db->cf(Cf::kWraps),
                shard_keys::WrapKey(number, wrap.key_id, request.blob_id),
                shard_records::EncodeWrap(wrap.sealed_key));
    }
    impl_->PutEntry(batch, number, mailbox.mailbox_id, entry);
    CountEntry(mailbox, entry, +1);
    results.push_back(AppendResult{0, entry.uid, entry.modseq});
  }
  impl_->PutMailbox(batch, number, mailbox_name, mailbox);
  MV_RETURN_IF_ERROR(impl_->db->Commit(&batch));
  for (AppendResult& result : results) result.uidvalidity = mailbox.uidvalidity;
  return results;
}

Result<std::vector<MessageEntry>> RegionShard::ListMessages(std::string_view account_id,
                                                            std::string_view mailbox_name,
                                                            uint32_t uid_first, uint32_t uid_last) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(mailbox_name));
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(number, mailbox_name));
  std::vector<MessageEntry> entries;
  if (uid_first > uid_last) return entries;
  // Index keys of one mailbox differ only in their big-endian uid, so the
  // uid range is exactly this key range.
  RangeIterator it = impl_->db->Scan(
      Cf::kIndex, shard_keys::IndexKey(number, mailbox.mailbox_id, uid_first),
      shard_keys::PrefixSuccessor(shard_keys::IndexKey(number, mailbox.mailbox_id, uid_last)));
  for (; it.Valid(); it.Next()) {
    std::optional<uint32_t> uid = shard_keys::UidOf(it.key());
    if (!uid.has_value()) return Status(ErrorCode::kCorruption, "index key malformed");
    MV_ASSIGN_OR_RETURN(MessageEntry entry, shard_records::DecodeIndexEntry(*uid, it.value()));
    entries.push_back(std::move(entry));
  }
  MV_RETURN_IF_ERROR(it.status());
  return entries;
}

Result<MessageEntry> RegionShard::GetMessage(std::string_view account_id,
                                             std::string_view mailbox_name, uint32_t uid) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(mailbox_name));
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(number, mailbox_name));
  MV_ASSIGN_OR_RETURN(std::optional<MessageEntry> entry,
                      impl_->ReadEntry(number, mailbox.mailbox_id, uid));
  if (!entry.has_value()) {
    return Status(ErrorCode::kNotFound, "no message with uid " + std::to_string(uid) + " in " +
                                            std::string(mailbox_name));
  }
  return std::move(*entry);
}

Result<std::string> RegionShard::FetchBody(std::string_view account_id, const BlobId& blob_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  rocksdb::PinnableSlice value;
  MV_ASSIGN_OR_RETURN(
      bool found, impl_->db->GetPinned(Cf::kBodies, shard_keys::BlobKey(number, blob_id), &value));
  if (!found) return Status(ErrorCode::kNotFound, "no body for blob " + blob_id.ToHex());
  MV_ASSIGN_OR_RETURN(std::string_view body, shard_records::DecodeBody(value.ToStringView()));
  return std::string(body);
}

Result<std::string> RegionShard::FetchSummary(std::string_view account_id, const BlobId& blob_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(std::optional<BlobMetaRecord> meta, impl_->ReadBlobMeta(number, blob_id));
  if (!meta.has_value()) {
    return Status(ErrorCode::kNotFound, "no summary for blob " + blob_id.ToHex());
  }
  return std::move(meta->sealed_summary);
}

Result<std::vector<MessageEntry>> RegionShard::StoreFlags(std::string_view account_id,
                                                          std::string_view mailbox_name,
                                                          const std::vector<uint32_t>& uids,
                                                          FlagOp op,
                                                          const std::vector<std::string>& flags,
                                                          std::optional<uint64_t> unchanged_since,
                                                          std::vector<uint32_t>* modified) {
  MV_RETURN_IF_ERROR(ValidateMailboxName(mailbox_name));
  MV_ASSIGN_OR_RETURN(std::vector<std::string> normalized, NormalizeFlags(flags));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  const uint64_t number = account.number();
  MV_ASSIGN_OR_RETURN(MailboxRecord mailbox, impl_->RequireMailbox(number, mailbox_name));

  std::vector<MessageEntry> entries;
  rocksdb::WriteBatch batch;
  bool changed_any = false;
  for (uint32_t uid : SortedUniqueUids(uids)) {
    MV_ASSIGN_OR_RETURN(std::optional<MessageEntry> entry,
                        impl_->ReadEntry(number, mailbox.mailbox_id, uid));
    if (!entry.has_value()) continue;
    // RFC 7162 3.1.3, checked under the account lock so no other change can
    // slip in between the check and the write.
    if (unchanged_since && entry->modseq > *unchanged_since) {
      if (modified != nullptr) modified->push_back(uid);
      continue;
    }
    std::vector<std::string> updated = ApplyFlagOp(entry->flags, op, normalized);
    // RFC 7162 3.1: a message's mod-sequence changes only when its metadata
    // does; a STORE that changes nothing leaves it alone.
    if (updated != entry->flags) {
      const uint64_t previous_modseq = entry->modseq;
      CountEntry(mailbox, *entry, -1);
      entry->flags = std::move(updated);
      CountEntry(mailbox, *entry, +1);
      entry->modseq = ++mailbox.highest_modseq;
      impl_->PutEntry(batch, number, mailbox.mailbox_id, *entry, previous_modseq);
      changed_any = true;
    }
    entries.push_back(std::move(*entry));
  }
  if (changed_any) {
    impl_->PutMailbox(batch, number, mailbox_name, mailbox);
    MV_RETURN_IF_ERROR(impl_->db->Commit(&batch));
  }
  return entries;
}

}  // namespace mailvault
