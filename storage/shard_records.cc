#include "storage/shard_records.h"

#include "common/big_endian.h"
#include "common/crypto/key_wrap.h"

namespace mailvault::shard_records {
namespace {

Status Corrupt(std::string_view what) {
  return Status(ErrorCode::kCorruption, std::string(what) + " record does not decode");
}

// Checks and strips the leading version byte.
Status ReadVersion(ByteReader& reader, std::string_view what) {
  uint8_t version = 0;
  if (!reader.Read(version)) return Corrupt(what);
  if (version != kVersion1) {
    return Status(ErrorCode::kCorruption,
                  std::string(what) + " record has unknown version " + std::to_string(version));
  }
  return Status::Ok();
}

// The last check of every decoder: nothing short, nothing left over.
Status Finish(const ByteReader& reader, std::string_view what) {
  if (!reader.ok() || !reader.empty()) return Corrupt(what);
  return Status::Ok();
}

void AppendVersion(std::string& out) { out.push_back(static_cast<char>(kVersion1)); }

}  // namespace

std::string EncodeAccount(const AccountRecord& record) {
  std::string out;
  AppendVersion(out);
  AppendBigEndian<uint64_t>(out, record.number);
  AppendLengthPrefixed(out, record.home_region);
  AppendBigEndian<uint64_t>(out, static_cast<uint64_t>(record.created_at));
  AppendBigEndian<uint32_t>(out, record.next_uidvalidity);
  AppendBigEndian<uint64_t>(out, record.next_mailbox_id);
  if (record.suspended) out.push_back(1);
  return out;
}

Result<AccountRecord> DecodeAccount(std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "account"));
  AccountRecord record;
  std::string_view region;
  uint64_t created_at = 0;
  reader.Read(record.number);
  reader.ReadLengthPrefixed(region);
  reader.Read(created_at);
  reader.Read(record.next_uidvalidity);
  reader.Read(record.next_mailbox_id);
  if (reader.ok() && !reader.rest().empty()) {
    uint8_t suspended = 0;
    reader.Read(suspended);
    record.suspended = suspended == 1;
  }
  MV_RETURN_IF_ERROR(Finish(reader, "account"));
  record.home_region = std::string(region);
  record.created_at = static_cast<int64_t>(created_at);
  return record;
}

std::string EncodeMailbox(const MailboxRecord& record) {
  std::string out;
  AppendVersion(out);
  AppendBigEndian<uint64_t>(out, record.mailbox_id);
  AppendBigEndian<uint32_t>(out, record.uidvalidity);
  AppendBigEndian<uint32_t>(out, record.uidnext);
  AppendBigEndian<uint64_t>(out, record.highest_modseq);
  AppendBigEndian<uint8_t>(out, record.subscribed ? 1 : 0);
  AppendBigEndian<uint32_t>(out, record.messages);
  AppendBigEndian<uint32_t>(out, record.unseen);
  AppendBigEndian<uint32_t>(out, record.deleted);
  AppendBigEndian<uint64_t>(out, record.vanished_floor);
  AppendBigEndian<uint32_t>(out, record.recent_from);
  return out;
}

Result<MailboxRecord> DecodeMailbox(std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "mailbox"));
  MailboxRecord record;
  uint8_t subscribed = 0;
  reader.Read(record.mailbox_id);
  reader.Read(record.uidvalidity);
  reader.Read(record.uidnext);
  reader.Read(record.highest_modseq);
  reader.Read(subscribed);
  if (!reader.empty()) {  // the counts, absent from records written before them
    reader.Read(record.messages);
    reader.Read(record.unseen);
    reader.Read(record.deleted);
    record.counted = true;
  }
  if (reader.ok() && !reader.empty()) {  // the floor, absent from records before pruning
    reader.Read(record.vanished_floor);
  }
  record.recent_from = record.uidnext;  // absent from records before \Recent: none is
  if (reader.ok() && !reader.empty()) reader.Read(record.recent_from);
  MV_RETURN_IF_ERROR(Finish(reader, "mailbox"));
  if (subscribed > 1) return Corrupt("mailbox");
  record.subscribed = subscribed == 1;
  return record;
}

std::string EncodeIndexEntry(const MessageEntry& entry) {
  std::string out;
  AppendVersion(out);
  out.append(entry.blob_id.view());
  AppendBigEndian<uint64_t>(out, static_cast<uint64_t>(entry.internal_date));
  AppendBigEndian<uint64_t>(out, entry.sealed_size);
  AppendBigEndian<uint64_t>(out, entry.modseq);
  AppendBigEndian<uint32_t>(out, static_cast<uint32_t>(entry.flags.size()));
  for (const std::string& flag : entry.flags) AppendLengthPrefixed(out, flag);
  return out;
}

std::string EncodeChange(ChangeKind kind) {
  return std::string{static_cast<char>(kVersion1), static_cast<char>(kind)};
}

Result<ChangeKind> DecodeChange(std::string_view value) {
  if (value.size() != 2 || static_cast<uint8_t>(value[0]) != kVersion1 ||
      (value[1] != static_cast<char>(ChangeKind::kChanged) &&
       value[1] != static_cast<char>(ChangeKind::kExpunged))) {
    return Status(ErrorCode::kCorruption, "change record malformed");
  }
  return static_cast<ChangeKind>(value[1]);
}

Result<MessageEntry> DecodeIndexEntry(uint32_t uid, std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "index"));
  MessageEntry entry;
  entry.uid = uid;
  std::string_view blob_id;
  uint64_t internal_date = 0;
  uint32_t flag_count = 0;
  reader.ReadBytes(BlobId::kSize, blob_id);
  reader.Read(internal_date);
  reader.Read(entry.sealed_size);
  reader.Read(entry.modseq);
  reader.Read(flag_count);
  // Each flag takes at least its 4-byte length, which bounds the reservation
  // by the bytes actually present rather than by a count that may be garbage.
  if (!reader.ok() || flag_count > reader.rest().size() / 4) return Corrupt("index");
  entry.flags.reserve(flag_count);
  for (uint32_t i = 0; i < flag_count; ++i) {
    std::string_view flag;
    if (!reader.ReadLengthPrefixed(flag)) break;
    entry.flags.emplace_back(flag);
  }
  MV_RETURN_IF_ERROR(Finish(reader, "index"));
  entry.blob_id = *BlobId::FromBytes(blob_id);
  entry.internal_date = static_cast<int64_t>(internal_date);
  return entry;
}

std::string EncodeBlobMeta(const BlobMetaRecord& record) {
  std::string out;
  out.reserve(1 + 4 + 8 + 4 + record.sealed_summary.size());
  AppendVersion(out);
  AppendBigEndian<uint32_t>(out, record.refcount);
  AppendBigEndian<uint64_t>(out, record.sealed_size);
  AppendLengthPrefixed(out, record.sealed_summary);
  return out;
}

Result<BlobMetaRecord> DecodeBlobMeta(std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "blobmeta"));
  BlobMetaRecord record;
  std::string_view summary;
  reader.Read(record.refcount);
  reader.Read(record.sealed_size);
  reader.ReadLengthPrefixed(summary);
  MV_RETURN_IF_ERROR(Finish(reader, "blobmeta"));
  record.sealed_summary = std::string(summary);
  return record;
}

std::string EncodePublicKey(const PublicKeyRecord& record) {
  std::string out;
  AppendVersion(out);
  AppendBigEndian<uint8_t>(out, static_cast<uint8_t>(record.kind));
  AppendLengthPrefixed(out, record.public_key);
  AppendBigEndian<uint64_t>(out, static_cast<uint64_t>(record.registered_at));
  AppendBigEndian<uint8_t>(out, record.revoked ? 1 : 0);
  return out;
}

Result<PublicKeyRecord> DecodePublicKey(const KeyId& key_id, std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "public key"));
  PublicKeyRecord record;
  record.key_id = key_id;
  uint8_t kind = 0;
  std::string_view public_key;
  uint64_t registered_at = 0;
  uint8_t revoked = 0;
  reader.Read(kind);
  reader.ReadLengthPrefixed(public_key);
  reader.Read(registered_at);
  reader.Read(revoked);
  MV_RETURN_IF_ERROR(Finish(reader, "public key"));
  if (kind != static_cast<uint8_t>(PublicKeyKind::kEncryption) &&
      kind != static_cast<uint8_t>(PublicKeyKind::kSigning)) {
    return Corrupt("public key");
  }
  if (revoked > 1) return Corrupt("public key");
  record.kind = static_cast<PublicKeyKind>(kind);
  record.public_key = std::string(public_key);
  record.registered_at = static_cast<int64_t>(registered_at);
  record.revoked = revoked == 1;
  return record;
}

std::string EncodeCredential(const Credential& credential) {
  std::string out;
  AppendVersion(out);
  AppendBigEndian<uint64_t>(out, static_cast<uint64_t>(credential.expires_at));
  out.append(credential.value);
  return out;
}

Result<Credential> DecodeCredential(std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "credential"));
  uint64_t expires_at = 0;
  if (!reader.Read(expires_at)) return Corrupt("credential");
  return Credential{std::string(reader.rest()), static_cast<int64_t>(expires_at)};
}

std::string EncodeWrap(std::string_view sealed_key) {
  std::string out;
  out.reserve(1 + sealed_key.size());
  AppendVersion(out);
  out.append(sealed_key);
  return out;
}

Result<std::string> DecodeWrap(std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "wrap"));
  if (reader.rest().size() != kWrapSize) return Corrupt("wrap");
  return std::string(reader.rest());
}

Result<std::string_view> DecodeBody(std::string_view value) {
  ByteReader reader(value);
  MV_RETURN_IF_ERROR(ReadVersion(reader, "body"));
  return reader.rest();
}

}  // namespace mailvault::shard_records
