// RegionShard: opening, accounts and public keys. Mailboxes, messages and
// wraps live in region_shard_mailboxes.cc, region_shard_messages.cc and
// region_shard_wraps.cc.
#include "storage/region_shard.h"

#include "common/big_endian.h"
#include "common/crypto/keys.h"
#include "storage/region_shard_impl.h"
#include "storage/shard_keys.h"
#include "storage/shard_validation.h"

namespace mailvault {

using shard_records::AccountRecord;
using shard_records::MailboxRecord;

RegionShard::RegionShard(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegionShard::~RegionShard() = default;

Result<std::unique_ptr<RegionShard>> RegionShard::Open(const ShardOptions& options) {
  MV_RETURN_IF_ERROR(ValidateRegion(options.region));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  MV_ASSIGN_OR_RETURN(impl->db, ShardDb::Open(options));
  MV_RETURN_IF_ERROR(impl->LoadNextAccountNumber());
  MV_RETURN_IF_ERROR(impl->BackfillChanges());
  MV_RETURN_IF_ERROR(impl->BackfillCounts());
  MV_RETURN_IF_ERROR(impl->BackfillSubscriptions());
  return std::unique_ptr<RegionShard>(new RegionShard(std::move(impl)));
}

const std::string& RegionShard::region() const { return impl_->options.region; }

Status RegionShard::CreateAccount(std::string_view account_id, std::string_view home_region,
                                  const LogAppend* log) {
  MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
  MV_RETURN_IF_ERROR(ValidateRegion(home_region));
  if (home_region != impl_->options.region) {
    return WrongRegion(account_id, home_region, impl_->options.region);
  }

  std::lock_guard<std::mutex> lock(impl_->create_mutex);
  MV_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                      impl_->db->Get(Cf::kAccounts, shard_keys::AccountKey(account_id)));
  if (existing.has_value()) {
    return Status(ErrorCode::kAlreadyExists, "account " + std::string(account_id) + " exists");
  }

  AccountRecord account;
  account.number = impl_->next_account_number;
  account.home_region = std::string(home_region);
  account.created_at = UnixNow();
  // RFC 9051 wants a mailbox recreated under an old name to get a different
  // UIDVALIDITY. Seeding a per-account counter from the creation time and
  // taking one value per created mailbox gives that, also across restarts.
  uint32_t seed = static_cast<uint32_t>(account.created_at);
  MailboxRecord inbox;
  inbox.mailbox_id = 1;
  inbox.uidvalidity = seed == 0 ? 1 : seed;
  account.next_uidvalidity = NextUidValidity(inbox.uidvalidity);
  account.next_mailbox_id = 2;

  std::string next_number;
  next_number.push_back(static_cast<char>(shard_records::kVersion1));
  AppendBigEndian<uint64_t>(next_number, account.number + 1);

  rocksdb::WriteBatch batch;
  batch.Put(impl_->db->cf(Cf::kAccounts), shard_keys::AccountKey(account_id),
            shard_records::EncodeAccount(account));
  batch.Put(impl_->db->cf(Cf::kDefault), kNextAccountNumberKey, next_number);
  impl_->PutMailbox(batch, account.number, kInbox, inbox);
  // INBOX starts subscribed: clients that list subscriptions only show it.
  batch.Put(impl_->db->cf(Cf::kSubscriptions), shard_keys::MailboxKey(account.number, kInbox), "");
  if (log != nullptr) MV_RETURN_IF_ERROR(impl_->AppendLogEntry(account.number, *log, batch));
  // Advance first: if the write fails, a number may go unused, never twice.
  ++impl_->next_account_number;
  return impl_->db->Commit(&batch);
}

Result<AccountInfo> RegionShard::GetAccount(std::string_view account_id) {
  MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
  MV_ASSIGN_OR_RETURN(AccountRecord record, impl_->ReadAccount(account_id));
  AccountInfo info;
  info.account_id = std::string(account_id);
  info.home_region = record.home_region;
  info.created_at = record.created_at;
  info.suspended = record.suspended;
  return info;
}

Status RegionShard::SetHomeRegion(std::string_view account_id, std::string_view home_region) {
  MV_RETURN_IF_ERROR(ValidateRegion(home_region));
  // No region check: this is how an account leaves (and comes back).
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->LockAccount(account_id));
  account.record.home_region = std::string(home_region);
  rocksdb::WriteBatch batch;
  impl_->PutAccount(batch, account);
  return impl_->db->Commit(&batch);
}

Status RegionShard::RegisterPublicKey(std::string_view account_id, PublicKeyKind kind,
                                      std::string_view public_key, const LogAppend* log) {
  size_t expected_size = 0;
  switch (kind) {
    case PublicKeyKind::kEncryption:
      expected_size = kEncryptionPublicKeySize;
      break;
    case PublicKeyKind::kSigning:
      expected_size = kSigningPublicKeySize;
      break;
    default:
      return Status(ErrorCode::kInvalidArgument, "unknown public key kind");
  }
  if (public_key.size() != expected_size) {
    return Status(ErrorCode::kInvalidArgument, "public key has the wrong size");
  }
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  KeyId key_id = KeyIdOf(public_key);
  MV_ASSIGN_OR_RETURN(std::optional<PublicKeyRecord> existing,
                      impl_->ReadPublicKey(account.number(), key_id));
  if (existing.has_value()) {
    // A revoked key stays revoked: registering it again would let new mail be
    // wrapped to a key the customer has declared lost.
    return Status(ErrorCode::kAlreadyExists,
                  "key " + key_id.ToHex() + (existing->revoked ? " was revoked" : " exists"));
  }
  PublicKeyRecord record;
  record.key_id = key_id;
  record.kind = kind;
  record.public_key = std::string(public_key);
  record.registered_at = UnixNow();
  rocksdb::WriteBatch batch;
  batch.Put(impl_->db->cf(Cf::kKeys), shard_keys::PublicKeyKey(account.number(), key_id),
            shard_records::EncodePublicKey(record));
  if (log != nullptr) MV_RETURN_IF_ERROR(impl_->AppendLogEntry(account.number(), *log, batch));
  return impl_->db->Commit(&batch);
}

Result<std::vector<std::string>> RegionShard::ActiveEncryptionKeys(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(std::vector<PublicKeyRecord> keys, ListPublicKeys(account_id));
  std::vector<std::string> active;
  for (const PublicKeyRecord& key : keys) {
    if (key.kind == PublicKeyKind::kEncryption && !key.revoked) active.push_back(key.public_key);
  }
  return active;
}

Status RegionShard::RevokePublicKey(std::string_view account_id, const KeyId& key_id,
                                    const LogAppend* log) {
  MV_ASSIGN_OR_RETURN(AccountWrite account, impl_->BeginWrite(account_id));
  MV_ASSIGN_OR_RETURN(std::optional<PublicKeyRecord> key,
                      impl_->ReadPublicKey(account.number(), key_id));
  if (!key.has_value()) {
    return Status(ErrorCode::kNotFound, "key " + key_id.ToHex() + " is not registered");
  }
  key->revoked = true;
  rocksdb::WriteBatch batch;
  batch.Put(impl_->db->cf(Cf::kKeys), shard_keys::PublicKeyKey(account.number(), key_id),
            shard_records::EncodePublicKey(*key));
  // The wraps of one key are one key range: a single range tombstone removes
  // them however many messages the account holds. Repeating a revocation
  // repeats this harmlessly.
  std::string begin = shard_keys::WrapKeyPrefix(account.number(), key_id);
  batch.DeleteRange(impl_->db->cf(Cf::kWraps), begin, shard_keys::PrefixSuccessor(begin));
  if (log != nullptr) MV_RETURN_IF_ERROR(impl_->AppendLogEntry(account.number(), *log, batch));
  return impl_->db->Commit(&batch);
}

Result<std::vector<std::string>> RegionShard::ReadLog(std::string_view account_id, LogKind log) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  return impl_->ReadLogEntries(number, log);
}

Result<std::vector<PublicKeyRecord>> RegionShard::ListPublicKeys(std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(uint64_t number, impl_->FindAccount(account_id));
  return impl_->ReadPublicKeys(number);
}

}  // namespace mailvault
