#include "storage/shard_keys.h"

#include "common/big_endian.h"

namespace mailvault::shard_keys {

std::string AccountKey(std::string_view account_id) { return std::string(account_id); }

std::string AccountPrefix(uint64_t account_number) {
  std::string key;
  AppendBigEndian<uint64_t>(key, account_number);
  return key;
}

std::string MailboxKey(uint64_t account_number, std::string_view name) {
  std::string key = AccountPrefix(account_number);
  key.append(name);
  return key;
}

std::optional<std::string_view> MailboxNameOf(std::string_view key) {
  if (key.size() < kAccountNumberSize) return std::nullopt;
  return key.substr(kAccountNumberSize);
}

std::string IndexMailboxPrefix(uint64_t account_number, uint64_t mailbox_id) {
  std::string key = AccountPrefix(account_number);
  AppendBigEndian<uint64_t>(key, mailbox_id);
  return key;
}

std::string IndexKey(uint64_t account_number, uint64_t mailbox_id, uint32_t uid) {
  std::string key = IndexMailboxPrefix(account_number, mailbox_id);
  AppendBigEndian<uint32_t>(key, uid);
  return key;
}

std::string ChangeKey(uint64_t account_number, uint64_t mailbox_id, uint64_t modseq,
                      uint32_t uid) {
  std::string key = IndexMailboxPrefix(account_number, mailbox_id);
  AppendBigEndian<uint64_t>(key, modseq);
  AppendBigEndian<uint32_t>(key, uid);
  return key;
}

std::optional<uint32_t> UidOf(std::string_view index_key) {
  if (index_key.size() != kIndexKeySize) return std::nullopt;
  return ReadBigEndian<uint32_t>(index_key.data() + kIndexKeySize - 4);
}

std::string BlobKey(uint64_t account_number, const BlobId& blob_id) {
  std::string key = AccountPrefix(account_number);
  key.append(blob_id.view());
  return key;
}

std::optional<BlobId> BlobIdOfBlobKey(std::string_view key) {
  if (key.size() != kAccountNumberSize + BlobId::kSize) return std::nullopt;
  return BlobId::FromBytes(key.substr(kAccountNumberSize));
}

std::string PublicKeyKey(uint64_t account_number, const KeyId& key_id) {
  std::string key = AccountPrefix(account_number);
  key.append(key_id.view());
  return key;
}

std::string CredentialKey(uint64_t account_number, uint8_t kind) {
  std::string key = AccountPrefix(account_number);
  key.push_back(static_cast<char>(kind));
  return key;
}

std::string LogPrefix(uint64_t account_number, uint8_t log) {
  std::string key = AccountPrefix(account_number);
  key.push_back(static_cast<char>(log));
  return key;
}

std::string LogKey(uint64_t account_number, uint8_t log, uint64_t seq) {
  std::string key = LogPrefix(account_number, log);
  AppendBigEndian<uint64_t>(key, seq);
  return key;
}

std::string WrapKeyPrefix(uint64_t account_number, const KeyId& key_id) {
  return PublicKeyKey(account_number, key_id);
}

std::string WrapKey(uint64_t account_number, const KeyId& key_id, const BlobId& blob_id) {
  std::string key = WrapKeyPrefix(account_number, key_id);
  key.append(blob_id.view());
  return key;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<uint8_t>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace mailvault::shard_keys
