// RegionShard: wraps (fetching, rotation), crypto-shredding and reference
// counts.
#include <set>

#include "storage/region_shard.h"
#include "storage/region_shard_impl.h"
#include "storage/rocksdb_status.h"
#include "storage/shard_keys.h"

namespace mailvault {

using shard_records::BlobMetaRecord;
using shard_records::MailboxRecord;

namespace {

Status NoBlob(const BlobId& blob_id) {
  return Status(ErrorCode::kNotFound, "no blob " + blob_id.ToHex());
}

}  // namespace

Result<std::vector<Wrap>> RegionShard::FetchWraps(std::string_view account_id,
                                                  const BlobId& blob_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(std::optional<BlobMetaRecord> meta, impl_->ReadBlobMeta(number, blob_id));
  if (!meta.has_value()) return NoBlob(blob_id);
  MV_ASSIGN_OR_RETURN(std::vector<PublicKeyRecord> keys, impl_->ReadPublicKeys(number));

  // One point get per active key, batched: an account has a handful of keys,
  // so this beats scanning the wraps family.
  std::vector<KeyId> key_ids;
  std::vector<std::string> wrap_keys;
  for (const PublicKeyRecord& key : keys) {
    if (key.kind != PublicKeyKind::kEncryption || key.revoked) continue;
    key_ids.push_back(key.key_id);
    wrap_keys.push_back(shard_keys::WrapKey(number, key.key_id, blob_id));
  }
  std::vector<rocksdb::Slice> slices(wrap_keys.begin(), wrap_keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(slices.size(), impl_->db->cf(Cf::kWraps));
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      impl_->db->db()->MultiGet(rocksdb::ReadOptions(), families, slices, &values);

  std::vector<Wrap> wraps;
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    MV_RETURN_IF_ERROR(FromRocksStatus(statuses[i], "read"));
    MV_ASSIGN_OR_RETURN(std::string sealed_key, shard_records::DecodeWrap(values[i]));
    wraps.push_back(Wrap{key_ids[i], std::move(sealed_key)});
  }
  return wraps;
}

Result<Wrap> RegionShard::FetchWrap(std::string_view account_id, const BlobId& blob_id,
                                    const KeyId& key_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      impl_->db->Get(Cf::kWraps, shard_keys::WrapKey(number, key_id, blob_id)));
  if (value.has_value()) {
    MV_ASSIGN_OR_RETURN(std::string sealed_key, shard_records::DecodeWrap(*value));
    return Wrap{key_id, std::move(sealed_key)};
  }
  // Tell a missing message apart from a message this key cannot open.
  MV_ASSIGN_OR_RETURN(std::optional<BlobMetaRecord> meta, impl_->ReadBlobMeta(number, blob_id));
  if (!meta.has_value()) return NoBlob(blob_id);
  return Status(ErrorCode::kNoWrapForKey,
                "blob " + blob_id.ToHex() + " has no wrap for key " + key_id.ToHex());
}

Status RegionShard::PutWraps(std::string_view account_id, const KeyId& key_id,
                             const std::vector<std::pair<BlobId, std::string>>& sealed_keys) {
  std::set<BlobId> blob_ids;
  for (const auto& [blob_id, sealed_key] : sealed_keys) {
    if (sealed_key.size() != kWrapSize) {
      return Status(ErrorCode::kInvalidArgument, "wrap for blob " + blob_id.ToHex() + " is not " +
                                                     std::to_string(kWrapSize) + " bytes");
    }
    if (!blob_ids.insert(blob_id).second) {
      return Status(ErrorCode::kInvalidArgument, "two wraps for blob " + blob_id.ToHex());
    }
  }
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  const uint64_t number = account.number();
  MV_RETURN_IF_ERROR(impl_->CheckActiveEncryptionKey(number, key_id));
  rocksdb::WriteBatch batch;
  for (const auto& [blob_id, sealed_key] : sealed_keys) {
    // Under the account lock no expunge can remove the blob between this
    // check and the commit, so no wrap is ever left without its body.
    MV_ASSIGN_OR_RETURN(std::optional<BlobMetaRecord> meta, impl_->ReadBlobMeta(number, blob_id));
    if (!meta.has_value()) return NoBlob(blob_id);
    batch.Put(impl_->db->cf(Cf::kWraps), shard_keys::WrapKey(number, key_id, blob_id),
              shard_records::EncodeWrap(sealed_key));
  }
  if (batch.Count() == 0) return Status::Ok();
  return impl_->db->Commit(&batch);
}

Result<uint32_t> RegionShard::BodyReferenceCount(std::string_view account_id,
                                                 const BlobId& blob_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(std::optional<BlobMetaRecord> meta, impl_->ReadBlobMeta(number, blob_id));
  return meta.has_value() ? meta->refcount : 0;
}

EngineStats RegionShard::Stats() { return impl_->db->Stats(); }

}  // namespace mailvault
