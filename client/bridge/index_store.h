// The bridge's local indexes (mailbox_index.h), one per vault mailbox,
// shared by all of its sessions and kept between runs in the device profile
// (index/ beside the cache of sealed bodies).
//
// Each file is sealed (XChaCha20-Poly1305) with a key derived from the
// device's newest encryption key, and bound to the account and the
// mailbox's name: nothing in it reads without the device's keys, and a file
// moved to another mailbox's name, altered or left from before a key
// rotation does not open, and the index is rebuilt from the vault. The
// files are a cache: losing one costs a first sync, never mail.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/bridge/mailbox_index.h"
#include "client/device/device.h"
#include "common/crypto/secret_bytes.h"

namespace mailvault::client {

class IndexStore {
 public:
  explicit IndexStore(const Device& device);

  // The index of `mailbox`, read from its file on first use (or empty).
  std::shared_ptr<MailboxIndex> Of(const std::string& mailbox);
  // A mailbox deleted or renamed on the vault: its index and file go.
  void Forget(const std::string& mailbox);
  // The vault lists only `mailboxes` (a LIST of them all): the indexes and
  // files of any other, deleted or renamed by another device perhaps while
  // this bridge was not running, go too. One a session holds right now
  // stays (it may be a mailbox that session has just made); a later LIST
  // looks again.
  void KeepOnly(const std::vector<std::string>& mailboxes);
  // Writes the index (the caller holds its mutex) if it changed and was
  // last written more than a little while ago, so a crash costs at most
  // the changes since; `now` forces the write (the bridge is stopping).
  void Save(const std::string& mailbox, MailboxIndex& index, bool now = false);
  // Every changed index, before the bridge exits.
  void SaveAll();

 private:
  std::string DirectoryPath() const;
  static std::string FileNameOf(const std::string& mailbox);
  std::string PathOf(const std::string& mailbox) const;
  std::string AssociatedData(const std::string& mailbox) const;

  const Device& device_;
  SecretBytes key_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<MailboxIndex>> indexes_;
  std::map<std::string, std::chrono::steady_clock::time_point> saved_at_;
};

}  // namespace mailvault::client
