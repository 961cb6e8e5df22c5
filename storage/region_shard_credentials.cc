// RegionShard: an account's server-side credentials (password hash,
// enrollment token hash).
#include <rocksdb/write_batch.h>
#include <sodium.h>

#include "common/big_endian.h"
#include "common/crypto/keys.h"

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

Status RegionShard::RegisterFirstKeys(
    std::string_view account_id, CredentialKind kind, std::string_view value, int64_t now,
    const std::vector<std::pair<PublicKeyKind, std::string>>& keys, const LogAppend& log) {
  MV_RETURN_IF_ERROR(ValidateKind(kind));
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  MV_ASSIGN_OR_RETURN(auto key_log, impl_->ReadLogEntries(account.number(), LogKind::kKeys));
  if (!key_log.empty()) {
    return Status(ErrorCode::kAlreadyExists, "the account's key log is started already");
  }
  const std::string credential_key =
      shard_keys::CredentialKey(account.number(), static_cast<uint8_t>(kind));
  MV_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                      impl_->db->Get(Cf::kCredentials, credential_key));
  if (!stored.has_value()) return Status(ErrorCode::kNotFound, "no such credential");
  MV_ASSIGN_OR_RETURN(Credential credential, shard_records::DecodeCredential(*stored));
  if (credential.value.size() != value.size() ||
      sodium_memcmp(credential.value.data(), value.data(), value.size()) != 0) {
    return Status(ErrorCode::kWrongPassphrase, "wrong credential");
  }
  rocksdb::WriteBatch batch;
  batch.Delete(impl_->db->cf(Cf::kCredentials), credential_key);
  if (credential.expires_at != 0 && credential.expires_at < now) {
    MV_RETURN_IF_ERROR(impl_->db->Commit(&batch));
    return Status(ErrorCode::kWrongPassphrase, "the credential has expired");
  }
  for (const auto& [key_kind, public_key] : keys) {
    const KeyId key_id = KeyIdOf(public_key);
    MV_ASSIGN_OR_RETURN(std::optional<PublicKeyRecord> existing,
                        impl_->ReadPublicKey(account.number(), key_id));
    if (existing.has_value()) {
      return Status(ErrorCode::kAlreadyExists, "key " + key_id.ToHex() + " exists");
    }
    PublicKeyRecord record;
    record.key_id = key_id;
    record.kind = key_kind;
    record.public_key = public_key;
    record.registered_at = UnixNow();
    batch.Put(impl_->db->cf(Cf::kKeys), shard_keys::PublicKeyKey(account.number(), key_id),
              shard_records::EncodePublicKey(record));
  }
  MV_RETURN_IF_ERROR(impl_->AppendLogEntry(account.number(), log, batch));
  return impl_->db->Commit(&batch);
}

Result<size_t> RegionShard::PurgeExpiredCredentials(int64_t now, size_t max_rows,
                                                    std::string* cursor) {
  // Read first, then delete each under its account's lock after reading it
  // again: a token issued meanwhile in place of the expired one stays.
  std::vector<std::string> expired;
  std::string next;
  {
    // Credential keys are an account number and a kind: 9 bytes.
    RangeIterator it = impl_->db->Scan(Cf::kCredentials, *cursor, std::string(10, '\xff'));
    size_t rows = 0;
    for (; it.Valid(); it.Next()) {
      if (rows++ == max_rows) {
        next = std::string(it.key());
        break;
      }
      auto credential = shard_records::DecodeCredential(it.value());
      if (credential.ok() && credential->expires_at != 0 && credential->expires_at < now) {
        expired.emplace_back(it.key());
      }
    }
    MV_RETURN_IF_ERROR(it.status());
  }
  size_t purged = 0;
  for (const std::string& key : expired) {
    if (key.size() < shard_keys::kAccountNumberSize) continue;
    const uint64_t number = ReadBigEndian<uint64_t>(key.data());
    if (impl_->IsFrozen(number)) continue;  // being moved: its records are in flight
    std::lock_guard lock(impl_->locks.For(number));
    MV_ASSIGN_OR_RETURN(std::optional<std::string> value, impl_->db->Get(Cf::kCredentials, key));
    if (!value.has_value()) continue;
    auto credential = shard_records::DecodeCredential(*value);
    if (!credential.ok() || credential->expires_at == 0 || credential->expires_at >= now) continue;
    rocksdb::WriteBatch batch;
    batch.Delete(impl_->db->cf(Cf::kCredentials), key);
    MV_RETURN_IF_ERROR(impl_->db->Commit(&batch));
    ++purged;
  }
  *cursor = std::move(next);
  return purged;
}

}  // namespace mailvault
