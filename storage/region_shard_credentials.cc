// RegionShard: an account's server-side credentials (password hash,
// enrollment token hash).
#include <rocksdb/write_batch.h>

#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"

namespace mailvault {
namespace {

Status ValidateKind(CredentialKind kind) {
  if (kind != CredentialKind::kPasswordHash && kind != CredentialKind::kEnrollmentToken) {
    return Status(ErrorCode::kInvalidArgument, "unknown credential kind");
  }
  return Status::Ok();
}

}  // namespace

Status RegionShard::PutCredential(std::string_view account_id, CredentialKind kind,
                                  std::string_view value, int64_t expires_at) {
  MV_RETURN_IF_ERROR(ValidateKind(kind));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  rocksdb::WriteBatch batch;
  batch.Put(impl_->db->cf(Cf::kCredentials),
            shard_keys::CredentialKey(account.number(), static_cast<uint8_t>(kind)),
            shard_records::EncodeCredential(Credential{std::string(value), expires_at}));
  return impl_->db->Commit(&batch);
}

Result<Credential> RegionShard::GetCredential(std::string_view account_id, CredentialKind kind) {
  MV_RETURN_IF_ERROR(ValidateKind(kind));
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  MV_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      impl_->db->Get(Cf::kCredentials,
                                     shard_keys::CredentialKey(number, static_cast<uint8_t>(kind))));
  if (!value.has_value()) return Result<Credential>(ErrorCode::kNotFound, "no such credential");
  return shard_records::DecodeCredential(*value);
}

Status RegionShard::DeleteCredential(std::string_view account_id, CredentialKind kind) {
  MV_RETURN_IF_ERROR(ValidateKind(kind));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  rocksdb::WriteBatch batch;
  batch.Delete(impl_->db->cf(Cf::kCredentials),
               shard_keys::CredentialKey(account.number(), static_cast<uint8_t>(kind)));
  return impl_->db->Commit(&batch);
}

}  // namespace mailvault
