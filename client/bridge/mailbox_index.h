// The bridge's local index of one vault mailbox: every message's uid, flags,
// modseq and internal date as the vault lists them, and what this device
// learnt once by opening the message's wrap and sealed summary (the
// plaintext size, which of its keys opens the message, the device-seal
// claim). The bridge's sessions share it: SELECT, STATUS, NOOP, IDLE and
// FETCH of flags are answered from it, and the vault is asked only for what
// changed since the index's modseq (QRESYNC's CHANGEDSINCE and VANISHED).
//
// It holds no plaintext and no secret: wraps are sealed to the device's
// keys, and sizes, flags and dates are metadata the vault keeps too. On disk
// it is still sealed to the device (index_store.h), so that a stolen laptop
// shows nothing the vault would not.
//
// Not thread-safe: the caller holds mutex() while reading or changing it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/crypto/ids.h"
#include "common/crypto/key_wrap.h"
#include "common/crypto/message_summary.h"
#include "common/imap/sequence_set.h"
#include "server/imap/mail_backend.h"

namespace mailvault::client {

// What the device learnt of one message by opening it once.
struct LearntMessage {
  uint64_t size = 0;                 // of the plaintext, or of the notice shown instead
  std::optional<KeyId> key;          // the device's key whose wrap opens it; none: unreadable
  BlobId blob_id;
  std::string wrap;                  // kWrapSize bytes when `key` is set
  std::optional<DeviceSeal> device_seal;
};

// One message of the index. Flags are kept as an index into the mailbox's
// table of distinct flag sets: a mailbox has a handful of combinations, not
// one per message, and 100,000 messages must fit in a few MiB.
struct IndexedMessage {
  uint32_t uid = 0;
  uint32_t flag_set = 0;
  uint64_t modseq = 0;
  int64_t internal_date = 0;
  uint64_t size = 0;
  BlobId blob_id;
  KeyId key;                 // meaningful when `readable`
  bool readable = false;
  std::array<char, kWrapSize> wrap{};
};

class MailboxIndex {
 public:
  std::mutex& mutex() { return mutex_; }

  uint32_t uidvalidity() const { return uidvalidity_; }
  // The vault's HIGHESTMODSEQ the index was last brought up to; 0: never.
  uint64_t modseq() const { return modseq_; }
  size_t size() const { return messages_.size(); }
  bool dirty() const { return dirty_; }
  void set_clean() { dirty_ = false; }

  // The vault reports another UIDVALIDITY: its uids name other messages now.
  void Reset(uint32_t uidvalidity);

  const IndexedMessage* Find(uint32_t uid) const;
  // The uids of `uids` the index does not hold.
  std::vector<uint32_t> Unknown(const std::vector<uint32_t>& uids) const;
  // A message listed by the vault: new ones need what the device learnt of
  // them; known ones take the listed flags and modseq (unless older than
  // what the index has: two sessions may sync in either order).
  void Put(uint32_t uid, uint64_t modseq, int64_t internal_date,
           const std::vector<std::string>& flags, const LearntMessage* learnt);
  // What the device learnt of a known message anew (a message that no key of
  // the device opened until another device gave it a wrap).
  void SetLearnt(uint32_t uid, const LearntMessage& learnt);
  // The size the engine serves a message at, found when the bridge first
  // reads it: larger than the summary's plaintext size for a message with
  // NUL bytes (server/imap/mime/nul_free_message.h).
  void SetServedSize(uint32_t uid, uint64_t size);
  // Uids the vault reports gone, at the modseq the index is being synced to
  // (the vault does not say at which modseq each went).
  void Remove(const std::vector<uint32_t>& uids, uint64_t at_modseq);
  // The same for every indexed uid in `uids` (the vault's VANISHED ranges).
  void RemoveWithin(const imap::NumberSet& uids, uint64_t at_modseq);
  // Every uid not in `listed` (ascending): after a full listing.
  void KeepOnly(const std::vector<uint32_t>& listed, uint64_t at_modseq);
  void SetSynced(uint64_t modseq);

  // RFC 3501's \Recent for the bridge's sessions: the uids from the mark to
  // the highest indexed are recent to the next session that claims them.
  // A new index starts with nothing recent (its first listing is old mail).
  imap::RecentUids ClaimRecent(bool claim);
  uint32_t RecentCount() const;

  // The message's metadata as the IMAP engine takes it.
  imap::MessageMeta MetaOf(const IndexedMessage& message) const;
  imap::MailboxSnapshot Snapshot(const imap::MailboxInfo& info) const;
  // What changed after `modseq` (an engine view's), from the index alone: the
  // changed messages, and the uids removed since. A view older than what the
  // index can tell (it was loaded or reset after the view was made) gets the
  // whole snapshot instead.
  imap::MailboxChanges ChangesSince(const imap::MailboxInfo& info, uint64_t modseq) const;
  // The device-seal claim of `uid`'s summary, if it has one.
  std::optional<DeviceSeal> DeviceSealOf(uint32_t uid) const;
  // STATUS counts.
  uint32_t CountWithout(std::string_view flag) const;
  uint32_t CountWith(std::string_view flag) const;

  // The index as bytes (sealed by index_store), and back. A payload that
  // does not decode gives nullptr: the caller starts an empty index, which
  // the next sync rebuilds.
  std::string Encode() const;
  static std::unique_ptr<MailboxIndex> Decode(std::string_view payload);

 private:
  uint32_t FlagSetOf(std::vector<std::string> flags);
  bool HasFlag(uint32_t flag_set, std::string_view flag) const;

  std::mutex mutex_;
  uint32_t uidvalidity_ = 0;
  uint64_t modseq_ = 0;
  uint64_t highest_entry_modseq_ = 0;  // may pass modseq_ after a STORE of this bridge's
  bool dirty_ = false;
  std::vector<IndexedMessage> messages_;  // ascending uid
  std::vector<std::vector<std::string>> flag_sets_;  // sorted flags of each set
  std::map<std::vector<std::string>, uint32_t> flag_set_ids_;
  std::map<uint32_t, DeviceSeal> device_seals_;  // by uid: few messages carry one
  // Removals seen since `tracked_from_`, each with the modseq the index was
  // synced to when it learnt of it: what ChangesSince reports as expunged.
  // Kept for this run only (bounded); a view older than tracked_from_ gets a
  // snapshot.
  uint32_t recent_from_ = 0;  // 0: not set yet (the first sync sets it)
  uint64_t tracked_from_ = 0;
  std::vector<std::pair<uint64_t, uint32_t>> removed_;
};

}  // namespace mailvault::client
