#include "client/bridge/index_store.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "client/cli/terminal_text.h"
#include "client/device/profile.h"
#include "common/crypto/hash.h"
#include "common/crypto/hex.h"
#include "common/crypto/subkeys.h"
#include "common/make_directories.h"

namespace mailvault::client {
namespace {

constexpr std::string_view kFileMagic = "MVINDEX1";
constexpr std::string_view kFileExtension = ".mvidx";
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
// Written at most this often while the bridge runs (and always at its end).
constexpr auto kSaveInterval = std::chrono::seconds(30);

}  // namespace

IndexStore::IndexStore(const Device& device) : device_(device), key_(kSubkeySize) {
  DeriveSubkey(device.current().encryption.secret_key, 3, "MVindex1", key_.data());
}

std::string IndexStore::DirectoryPath() const { return device_.profile.dir + "/index"; }

std::string IndexStore::FileNameOf(const std::string& mailbox) {
  // Named by a hash: the folder lists no mailbox names.
  return ToHex(Blake2b256(mailbox).substr(0, 16)) + std::string(kFileExtension);
}

std::string IndexStore::PathOf(const std::string& mailbox) const {
  return DirectoryPath() + "/" + FileNameOf(mailbox);
}

std::string IndexStore::AssociatedData(const std::string& mailbox) const {
  std::string ad(kFileMagic);
  ad += device_.profile.account;
  ad.push_back('\0');
  ad += mailbox;
  return ad;
}

std::shared_ptr<MailboxIndex> IndexStore::Of(const std::string& mailbox) {
  std::lock_guard lock(mutex_);
  auto& slot = indexes_[mailbox];
  if (slot) return slot;
  saved_at_[mailbox] = std::chrono::steady_clock::now();
  auto file = ReadWholeFile(PathOf(mailbox));
  if (file.ok() && file->size() >= kFileMagic.size() + kNonceSize + kTagSize &&
      file->compare(0, kFileMagic.size(), kFileMagic) == 0) {
    const auto* nonce = reinterpret_cast<const unsigned char*>(file->data() + kFileMagic.size());
    const auto* sealed = nonce + kNonceSize;
    const size_t sealed_size = file->size() - kFileMagic.size() - kNonceSize;
    std::string payload(sealed_size - kTagSize, '\0');
    const std::string ad = AssociatedData(mailbox);
    unsigned long long opened = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(payload.data()), &opened, nullptr, sealed,
            sealed_size, reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce,
            key_.data()) == 0) {
      slot = MailboxIndex::Decode(payload);
    }
    if (!slot) {
      spdlog::warn("bridge: the local index of {} does not open; rebuilding it from the vault",
                   EscapeForTerminal(mailbox));
    }
  }
  if (!slot) slot = std::make_shared<MailboxIndex>();
  return slot;
}

void IndexStore::Forget(const std::string& mailbox) {
  std::lock_guard lock(mutex_);
  indexes_.erase(mailbox);
  saved_at_.erase(mailbox);
  ::unlink(PathOf(mailbox).c_str());
}

void IndexStore::KeepOnly(const std::vector<std::string>& mailboxes) {
  const std::set<std::string> listed(mailboxes.begin(), mailboxes.end());
  std::set<std::string> kept_files;
  for (const std::string& mailbox : mailboxes) kept_files.insert(FileNameOf(mailbox));
  std::lock_guard lock(mutex_);
  for (auto it = indexes_.begin(); it != indexes_.end();) {
    if (listed.contains(it->first) || it->second.use_count() > 1) {
      kept_files.insert(FileNameOf(it->first));
      ++it;
    } else {
      saved_at_.erase(it->first);
      it = indexes_.erase(it);
    }
  }
  std::error_code error;
  for (std::filesystem::directory_iterator file(DirectoryPath(), error), end;
       !error && file != end; file.increment(error)) {
    const std::string name = file->path().filename().string();
    if (name.ends_with(kFileExtension) && !kept_files.contains(name)) {
      std::error_code not_removed;  // left for the next LIST
      std::filesystem::remove(file->path(), not_removed);
    }
  }
}

void IndexStore::Save(const std::string& mailbox, MailboxIndex& index, bool now) {
  if (!index.dirty()) return;
  {
    std::lock_guard lock(mutex_);
    auto& saved = saved_at_[mailbox];
    const auto time = std::chrono::steady_clock::now();
    if (!now && time - saved < kSaveInterval) return;
    saved = time;
  }
  const std::string payload = index.Encode();
  const std::string ad = AssociatedData(mailbox);
  std::string file(kFileMagic);
  file.resize(kFileMagic.size() + kNonceSize + payload.size() + kTagSize);
  auto* nonce = reinterpret_cast<unsigned char*>(file.data() + kFileMagic.size());
  randombytes_buf(nonce, kNonceSize);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceSize, &written, reinterpret_cast<const unsigned char*>(payload.data()),
      payload.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      nonce, key_.data());
  // Not durable: a torn or lost file is rebuilt from the vault.
  Status made = MakeDirectories(device_.profile.dir + "/index");
  if (made.ok()) made = WriteFileAtomically(PathOf(mailbox), file, 0600, /*durable=*/false);
  if (!made.ok()) {
    spdlog::warn("bridge: cannot write the local index: {}", made.message());
    return;
  }
  index.set_clean();
}

void IndexStore::SaveAll() {
  std::map<std::string, std::shared_ptr<MailboxIndex>> indexes;
  {
    std::lock_guard lock(mutex_);
    indexes = indexes_;
  }
  for (auto& [mailbox, index] : indexes) {
    std::lock_guard lock(index->mutex());
    Save(mailbox, *index, /*now=*/true);
  }
}

}  // namespace mailvault::client
