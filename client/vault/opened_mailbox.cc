#include "client/vault/opened_mailbox.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "client/device/profile.h"
#include "common/crypto/device_seal.h"
#include "common/crypto/key_wrap.h"
#include "common/crypto/sealed_message.h"

namespace mailvault::client {

KeyRing EncryptionKeysOf(const std::vector<DeviceKeys>& generations) {
  KeyRing ring;
  for (auto it = generations.rbegin(); it != generations.rend(); ++it) ring.push_back(&it->encryption);
  return ring;
}

Result<std::map<uint32_t, OwnWrap>> FindOwnWraps(VaultSession& vault, const std::string& mailbox,
                                                 const KeyRing& ring, const std::string& uid_set,
                                                 WrapCheck check) {
  std::map<uint32_t, OwnWrap> found;
  for (const EncryptionKeyPair* key : ring) {
    MV_ASSIGN_OR_RETURN(auto wraps, vault.FetchWraps(mailbox, key->id(), uid_set));
    for (VaultBlobItem& item : wraps) {
      if (found.count(item.uid)) continue;
      OwnWrap own{item.blob_id, Wrap{key->id(), std::move(item.bytes)}, key};
      // A wrap that does not open leaves the message to the next key.
      if (check == WrapCheck::kPresent || own.DataKey().ok()) found.emplace(item.uid, std::move(own));
    }
  }
  return found;
}

Result<OpenedMailbox> OpenedMailbox::Open(VaultSession& vault, const std::string& account,
                                          const std::string& mailbox,
                                          const KeyRing& ring, const std::string& cache_dir,
                                          bool writable) {
  OpenedMailbox opened;
  opened.vault_ = &vault;
  opened.account_ = account;
  opened.name_ = mailbox;
  opened.cache_dir_ = cache_dir;
  MV_ASSIGN_OR_RETURN(VaultMailbox info, vault.Select(mailbox, !writable));
  if (info.messages == 0) return opened;
  MV_ASSIGN_OR_RETURN(auto metas, vault.FetchMessages("1:*"));
  MV_ASSIGN_OR_RETURN(auto wraps, FindOwnWraps(vault, mailbox, ring, "1:*"));
  for (VaultMessage& meta : metas) {
    OpenedMessage message;
    auto wrap = wraps.find(meta.uid);
    if (wrap != wraps.end()) message.wrap = std::move(wrap->second);
    message.meta = std::move(meta);
    opened.messages_.push_back(std::move(message));
  }
  return opened;
}

const OpenedMessage* OpenedMailbox::Find(uint32_t uid) const {
  auto it = std::find_if(messages_.begin(), messages_.end(),
                         [&](const OpenedMessage& m) { return m.meta.uid == uid; });
  return it == messages_.end() ? nullptr : &*it;
}

Result<std::map<uint32_t, MessageSummary>> OpenedMailbox::Summaries(const std::string& uid_set) {
  std::map<uint32_t, MessageSummary> out;
  if (messages_.empty()) return out;
  MV_ASSIGN_OR_RETURN(auto sealed, vault_->FetchSummaries(name_, uid_set));
  for (const VaultBlobItem& item : sealed) {
    const OpenedMessage* message = Find(item.uid);
    if (message == nullptr || !message->readable()) continue;
    auto data_key = message->wrap->DataKey();
    if (!data_key.ok()) continue;
    auto summary = OpenSummary(item.bytes, *data_key, SealBinding{account_, item.blob_id});
    if (summary.ok()) out.emplace(item.uid, std::move(summary).value());
  }
  return out;
}

Result<std::string> OpenedMailbox::ReadBody(const OpenedMessage& message,
                                            std::string* sealed_body_hash) {
  if (!message.readable()) {
    return Result<std::string>(ErrorCode::kNoWrapForKey,
                               "message " + std::to_string(message.meta.uid) +
                                   " has no wrap for this device's keys");
  }
  MV_ASSIGN_OR_RETURN(SecretBytes data_key, message.wrap->DataKey());
  return OpenMessageBody(*vault_, cache_dir_, account_, message.wrap->blob_id, message.meta.uid,
                         data_key, sealed_body_hash);
}

namespace {

std::string CachePath(const std::string& cache_dir, const BlobId& blob_id) {
  return cache_dir + "/" + blob_id.ToHex();
}

Result<std::string> FetchAndCache(VaultSession& vault, const std::string& cache_dir,
                                  const BlobId& blob_id, uint32_t uid) {
  MV_ASSIGN_OR_RETURN(std::string sealed, vault.FetchSealedBody(uid));
  if (!cache_dir.empty()) {
    ::mkdir(cache_dir.c_str(), 0700);
    // A cache that cannot be written only costs a download next time.
    (void)WriteFileAtomically(CachePath(cache_dir, blob_id), sealed, 0600, /*durable=*/false);
  }
  return sealed;
}

}  // namespace

Result<std::string> OpenMessageBody(VaultSession& vault, const std::string& cache_dir,
                                    const std::string& account, const BlobId& blob_id,
                                    uint32_t uid, const SecretBytes& data_key,
                                    std::string* sealed_body_hash) {
  const SealBinding binding{account, blob_id};
  if (!cache_dir.empty()) {
    auto cached = ReadWholeFile(CachePath(cache_dir, blob_id));
    if (cached.ok()) {
      auto plaintext = OpenBody(*cached, data_key, binding);
      if (plaintext.ok()) {
        if (sealed_body_hash) *sealed_body_hash = SealedBodyHash(*cached);
        return plaintext;
      }
      ::unlink(CachePath(cache_dir, blob_id).c_str());
    }
  }
  MV_ASSIGN_OR_RETURN(std::string sealed, FetchAndCache(vault, cache_dir, blob_id, uid));
  if (sealed_body_hash) *sealed_body_hash = SealedBodyHash(sealed);
  return OpenBody(sealed, data_key, binding);
}

}  // namespace mailvault::client
