#include "client/bridge/mailbox_index.h"

#include <algorithm>

#include "common/big_endian.h"

namespace mailvault::client {
namespace {

// Removals remembered for ChangesSince; past this the oldest half goes and
// views older than what remains get a snapshot.
constexpr size_t kMaxRemovalsTracked = 200'000;

constexpr std::string_view kPayloadMagic = "MVIX";
constexpr uint8_t kPayloadVersion = 2;  // 2: the \Recent mark

template <typename Messages>  // const or not
auto ByUid(Messages& messages, uint32_t uid) {
  return std::lower_bound(messages.begin(), messages.end(), uid,
                          [](const IndexedMessage& m, uint32_t u) { return m.uid < u; });
}

}  // namespace

void MailboxIndex::Reset(uint32_t uidvalidity) {
  uidvalidity_ = uidvalidity;
  modseq_ = 0;
  highest_entry_modseq_ = 0;
  recent_from_ = 0;
  messages_.clear();
  messages_.shrink_to_fit();
  device_seals_.clear();
  removed_.clear();
  tracked_from_ = 0;
  dirty_ = true;
}

const IndexedMessage* MailboxIndex::Find(uint32_t uid) const {
  auto it = ByUid(messages_, uid);
  return it != messages_.end() && it->uid == uid ? &*it : nullptr;
}

std::vector<uint32_t> MailboxIndex::Unknown(const std::vector<uint32_t>& uids) const {
  std::vector<uint32_t> unknown;
  for (uint32_t uid : uids) {
    if (Find(uid) == nullptr) unknown.push_back(uid);
  }
  return unknown;
}

uint32_t MailboxIndex::FlagSetOf(std::vector<std::string> flags) {
  std::sort(flags.begin(), flags.end());
  auto it = flag_set_ids_.find(flags);
  if (it != flag_set_ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(flag_sets_.size());
  flag_sets_.push_back(flags);
  flag_set_ids_.emplace(std::move(flags), id);
  return id;
}

void MailboxIndex::Put(uint32_t uid, uint64_t modseq, int64_t internal_date,
                       const std::vector<std::string>& flags, const LearntMessage* learnt) {
  auto it = ByUid(messages_, uid);
  highest_entry_modseq_ = std::max(highest_entry_modseq_, modseq);
  if (it != messages_.end() && it->uid == uid) {
    if (modseq < it->modseq) return;  // a later sync already told us more
    it->flag_set = FlagSetOf(flags);
    it->modseq = modseq;
    it->internal_date = internal_date;
    dirty_ = true;
    return;
  }
  if (learnt == nullptr) return;  // not opened (gone meanwhile): the next sync says so
  IndexedMessage message;
  message.uid = uid;
  message.flag_set = FlagSetOf(flags);
  message.modseq = modseq;
  message.internal_date = internal_date;
  it = messages_.insert(it, message);
  SetLearnt(uid, *learnt);
}

void MailboxIndex::SetServedSize(uint32_t uid, uint64_t size) {
  auto it = ByUid(messages_, uid);
  if (it == messages_.end() || it->uid != uid || it->size == size) return;
  it->size = size;
  dirty_ = true;
}

void MailboxIndex::SetLearnt(uint32_t uid, const LearntMessage& learnt) {
  auto it = ByUid(messages_, uid);
  if (it == messages_.end() || it->uid != uid) return;
  it->size = learnt.size;
  it->blob_id = learnt.blob_id;
  it->readable = learnt.key && learnt.wrap.size() == kWrapSize;
  if (it->readable) {
    it->key = *learnt.key;
    std::copy(learnt.wrap.begin(), learnt.wrap.end(), it->wrap.begin());
  }
  if (learnt.device_seal) {
    device_seals_[uid] = *learnt.device_seal;
  } else {
    device_seals_.erase(uid);
  }
  dirty_ = true;
}

void MailboxIndex::Remove(const std::vector<uint32_t>& uids, uint64_t at_modseq) {
  std::vector<uint32_t> sorted = uids;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint32_t> removed;
  std::erase_if(messages_, [&](const IndexedMessage& m) {
    if (!std::binary_search(sorted.begin(), sorted.end(), m.uid)) return false;
    removed.push_back(m.uid);
    return true;
  });
  if (removed.empty()) return;
  // Recorded above every modseq a view may already hold, so that each view
  // that could still show the uid hears of its removal.
  const uint64_t at = std::max(at_modseq, modseq_ + 1);
  for (uint32_t uid : removed) {
    device_seals_.erase(uid);
    removed_.emplace_back(at, uid);
  }
  if (removed_.size() > kMaxRemovalsTracked) {
    const auto half = removed_.begin() + static_cast<std::ptrdiff_t>(removed_.size() / 2);
    tracked_from_ = std::max(tracked_from_, (half - 1)->first);
    removed_.erase(removed_.begin(), half);
  }
  dirty_ = true;
}

void MailboxIndex::RemoveWithin(const imap::NumberSet& uids, uint64_t at_modseq) {
  if (uids.empty()) return;
  std::vector<uint32_t> gone;
  for (const IndexedMessage& m : messages_) {
    if (uids.Contains(m.uid)) gone.push_back(m.uid);
  }
  Remove(gone, at_modseq);
}

void MailboxIndex::KeepOnly(const std::vector<uint32_t>& listed, uint64_t at_modseq) {
  std::vector<uint32_t> gone;
  for (const IndexedMessage& m : messages_) {
    if (!std::binary_search(listed.begin(), listed.end(), m.uid)) gone.push_back(m.uid);
  }
  if (!gone.empty()) Remove(gone, at_modseq);
}

void MailboxIndex::SetSynced(uint64_t modseq) {
  if (modseq_ == 0 && removed_.empty()) tracked_from_ = modseq;  // the first sync of this run
  if (recent_from_ == 0) recent_from_ = (messages_.empty() ? 0 : messages_.back().uid) + 1;
  if (modseq > modseq_) {
    modseq_ = modseq;
    dirty_ = true;
  }
}

imap::RecentUids MailboxIndex::ClaimRecent(bool claim) {
  const uint32_t highest = messages_.empty() ? 0 : messages_.back().uid;
  imap::RecentUids recent{std::max<uint32_t>(recent_from_, 1), highest};
  if (claim && recent_from_ <= highest) {
    recent_from_ = highest + 1;
    dirty_ = true;
  }
  return recent;
}

uint32_t MailboxIndex::RecentCount() const {
  auto first = ByUid(messages_, std::max<uint32_t>(recent_from_, 1));
  return static_cast<uint32_t>(messages_.end() - first);
}

imap::MessageMeta MailboxIndex::MetaOf(const IndexedMessage& message) const {
  imap::MessageMeta meta;
  meta.uid = message.uid;
  meta.internal_date = message.internal_date;
  meta.size = message.size;
  meta.modseq = message.modseq;
  meta.flags = flag_sets_[message.flag_set];
  return meta;
}

imap::MailboxSnapshot MailboxIndex::Snapshot(const imap::MailboxInfo& info) const {
  imap::MailboxSnapshot snapshot;
  snapshot.info = info;
  snapshot.info.highest_modseq = modseq_;
  snapshot.messages.reserve(messages_.size());
  for (const IndexedMessage& m : messages_) snapshot.messages.push_back(MetaOf(m));
  return snapshot;
}

imap::MailboxChanges MailboxIndex::ChangesSince(const imap::MailboxInfo& info,
                                                uint64_t modseq) const {
  imap::MailboxChanges changes;
  changes.info = info;
  changes.info.highest_modseq = modseq_;
  if (modseq < tracked_from_) {
    changes.snapshot = Snapshot(info);
    return changes;
  }
  // Nothing newer than the view (the usual NOOP): no walk over the index.
  if (modseq >= std::max(modseq_, highest_entry_modseq_) &&
      (removed_.empty() || removed_.back().first <= modseq)) {
    return changes;
  }
  for (const IndexedMessage& m : messages_) {
    if (m.modseq > modseq) changes.changed.push_back(MetaOf(m));
  }
  for (auto it = removed_.rbegin(); it != removed_.rend() && it->first > modseq; ++it) {
    changes.expunged.push_back(it->second);
  }
  std::sort(changes.expunged.begin(), changes.expunged.end());
  changes.expunged.erase(std::unique(changes.expunged.begin(), changes.expunged.end()),
                         changes.expunged.end());
  return changes;
}

std::optional<DeviceSeal> MailboxIndex::DeviceSealOf(uint32_t uid) const {
  auto it = device_seals_.find(uid);
  if (it == device_seals_.end()) return std::nullopt;
  return it->second;
}

std::string MailboxIndex::Encode() const {
  std::string out;
  out.reserve(64 + messages_.size() * (sizeof(IndexedMessage) + 8));
  out.append(kPayloadMagic);
  out.push_back(static_cast<char>(kPayloadVersion));
  AppendBigEndian<uint32_t>(out, uidvalidity_);
  AppendBigEndian<uint64_t>(out, modseq_);
  AppendBigEndian<uint32_t>(out, recent_from_);
  AppendBigEndian<uint32_t>(out, static_cast<uint32_t>(flag_sets_.size()));
  for (const auto& set : flag_sets_) {
    AppendBigEndian<uint32_t>(out, static_cast<uint32_t>(set.size()));
    for (const std::string& flag : set) AppendLengthPrefixed(out, flag);
  }
  AppendBigEndian<uint32_t>(out, static_cast<uint32_t>(messages_.size()));
  for (const IndexedMessage& m : messages_) {
    AppendBigEndian<uint32_t>(out, m.uid);
    AppendBigEndian<uint32_t>(out, m.flag_set);
    AppendBigEndian<uint64_t>(out, m.modseq);
    AppendBigEndian<uint64_t>(out, static_cast<uint64_t>(m.internal_date));
    AppendBigEndian<uint64_t>(out, m.size);
    out.append(m.blob_id.view());
    out.push_back(m.readable ? 1 : 0);
    out.append(m.key.view());
    out.append(m.wrap.data(), m.wrap.size());
  }
  AppendBigEndian<uint32_t>(out, static_cast<uint32_t>(device_seals_.size()));
  for (const auto& [uid, seal] : device_seals_) {
    AppendBigEndian<uint32_t>(out, uid);
    out.append(seal.signer.view());
    AppendLengthPrefixed(out, seal.signature);
  }
  return out;
}

std::unique_ptr<MailboxIndex> MailboxIndex::Decode(std::string_view payload) {
  if (payload.substr(0, kPayloadMagic.size()) != kPayloadMagic) return nullptr;
  ByteReader r(payload.substr(kPayloadMagic.size()));
  auto index = std::make_unique<MailboxIndex>();
  uint8_t version = 0;
  uint32_t sets = 0;
  if (!r.Read(version) || version != kPayloadVersion || !r.Read(index->uidvalidity_) ||
      !r.Read(index->modseq_) || !r.Read(index->recent_from_) || !r.Read(sets) ||
      sets > r.rest().size()) {
    return nullptr;
  }
  for (uint32_t i = 0; i < sets; ++i) {
    uint32_t count = 0;
    if (!r.Read(count) || count > r.rest().size()) return nullptr;
    std::vector<std::string> set;
    for (uint32_t j = 0; j < count; ++j) {
      std::string_view flag;
      if (!r.ReadLengthPrefixed(flag)) return nullptr;
      set.emplace_back(flag);
    }
    if (!index->flag_set_ids_.emplace(set, i).second) return nullptr;
    index->flag_sets_.push_back(std::move(set));
  }
  uint32_t count = 0;
  if (!r.Read(count) || count > r.rest().size()) return nullptr;
  index->messages_.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    IndexedMessage m;
    uint64_t date = 0;
    uint8_t readable = 0;
    std::string_view blob, key, wrap;
    if (!r.Read(m.uid) || !r.Read(m.flag_set) || !r.Read(m.modseq) || !r.Read(date) ||
        !r.Read(m.size) || !r.ReadBytes(BlobId::kSize, blob) || !r.Read(readable) ||
        !r.ReadBytes(KeyId::kSize, key) || !r.ReadBytes(kWrapSize, wrap)) {
      return nullptr;
    }
    if (m.flag_set >= sets || readable > 1) return nullptr;
    if (!index->messages_.empty() && index->messages_.back().uid >= m.uid) return nullptr;
    m.internal_date = static_cast<int64_t>(date);
    m.blob_id = *BlobId::FromBytes(blob);
    m.key = *KeyId::FromBytes(key);
    m.readable = readable == 1;
    std::copy(wrap.begin(), wrap.end(), m.wrap.begin());
    index->highest_entry_modseq_ = std::max(index->highest_entry_modseq_, m.modseq);
    index->messages_.push_back(m);
  }
  uint32_t seals = 0;
  if (!r.Read(seals) || seals > r.rest().size()) return nullptr;
  for (uint32_t i = 0; i < seals; ++i) {
    uint32_t uid = 0;
    std::string_view signer, signature;
    if (!r.Read(uid) || !r.ReadBytes(KeyId::kSize, signer) || !r.ReadLengthPrefixed(signature)) {
      return nullptr;
    }
    index->device_seals_[uid] = DeviceSeal{*KeyId::FromBytes(signer), std::string(signature)};
  }
  if (!r.ok() || !r.empty()) return nullptr;
  index->tracked_from_ = index->modseq_;
  return index;
}

}  // namespace mailvault::client
