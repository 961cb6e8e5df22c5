#include "server/imap/selected_mailbox.h"

#include <algorithm>

#include "common/imap/response_writer.h"

namespace mailvault::imap {

SelectedMailbox::SelectedMailbox(bool read_only, MailboxSnapshot snapshot)
    : read_only_(read_only),
      info_(snapshot.info),
      synced_modseq_(info_.highest_modseq),
      base_(std::make_shared<const MailboxSnapshot>(std::move(snapshot))) {}

SelectedMailbox::SelectedMailbox(bool read_only, std::shared_ptr<const MailboxSnapshot> base,
                                 MailboxChanges since_base)
    : read_only_(read_only), base_(std::move(base)) {
  std::string unreported;
  Apply(std::move(since_base), /*condstore=*/false, unreported);
}

void SelectedMailbox::AppendFetchFlags(std::string& out, uint32_t seq, const MessageMeta& meta,
                                       bool condstore) const {
  out += "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(meta.uid) + " FLAGS ";
  AppendFlags(out, meta);
  if (condstore) out += " MODSEQ (" + std::to_string(meta.modseq) + ")";
  out += ")\r\n";
}

void SelectedMailbox::AppendFlags(std::string& out, const MessageMeta& meta) const {
  if (!report_recent_ || !IsRecent(meta.uid)) {
    AppendFlagList(out, meta.flags);
    return;
  }
  std::vector<std::string> flags = meta.flags;
  flags.push_back("\\Recent");
  AppendFlagList(out, flags);
}

void SelectedMailbox::AddRecent(const RecentUids& claimed) {
  if (claimed.first > claimed.last) return;
  std::vector<NumberRange> ranges = recent_.ranges();
  ranges.push_back({claimed.first, claimed.last});
  recent_ = NumberSet::FromRanges(std::move(ranges));
}

uint32_t SelectedMailbox::RecentCount() const {
  uint32_t count = 0;
  for (const NumberRange& range : recent_.ranges()) {
    for (uint32_t seq = FirstSeqFrom(range.first); seq <= this->count() && at(seq).uid <= range.last;
         ++seq) {
      ++count;
    }
  }
  return count;
}

size_t SelectedMailbox::BasePosition(uint32_t i) const {
  if (removed_.empty()) return i;
  // removed_[j] - j never decreases: the positions removed before the i-th
  // shown one are those with removed_[j] - j <= i.
  size_t lo = 0, hi = removed_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (removed_[mid] - mid <= i) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return i + lo;
}

const MessageMeta& SelectedMailbox::at(uint32_t seq) const {
  const uint32_t i = seq - 1;
  if (i >= LiveBase()) return added_[i - LiveBase()];
  const size_t position = BasePosition(i);
  auto changed = changed_.find(position);
  return changed != changed_.end() ? changed->second : base()[position];
}

uint32_t SelectedMailbox::MaxUid() const {
  if (!added_.empty()) return added_.back().uid;
  return LiveBase() == 0 ? 0 : at(LiveBase()).uid;
}

NumberSet SelectedMailbox::AbsentFrom(const NumberSet& candidates) const {
  std::vector<NumberRange> gaps;
  for (const NumberRange& range : candidates.ranges()) {
    uint64_t next = range.first;  // the first candidate not yet placed
    for (uint32_t seq = FirstSeqFrom(range.first); seq <= count() && at(seq).uid <= range.last;
         ++seq) {
      const uint32_t uid = at(seq).uid;
      if (uid > next) gaps.push_back({static_cast<uint32_t>(next), uid - 1});
      next = uint64_t{uid} + 1;
    }
    if (next <= range.last) gaps.push_back({static_cast<uint32_t>(next), range.last});
  }
  return NumberSet::FromRanges(std::move(gaps));
}

uint32_t SelectedMailbox::FirstSeqFrom(uint32_t uid) const {
  auto it = std::lower_bound(base().begin(), base().end(), uid,
                             [](const MessageMeta& m, uint32_t u) { return m.uid < u; });
  if (it != base().end()) {
    const auto position = static_cast<size_t>(it - base().begin());
    // Removed positions below it shift it down; a removed one itself
    // leaves the next shown message as the first.
    const auto before = std::lower_bound(removed_.begin(), removed_.end(), position);
    return static_cast<uint32_t>(position - (before - removed_.begin())) + 1;
  }
  auto added = std::lower_bound(added_.begin(), added_.end(), uid,
                                [](const MessageMeta& m, uint32_t u) { return m.uid < u; });
  return LiveBase() + static_cast<uint32_t>(added - added_.begin()) + 1;
}

std::optional<uint32_t> SelectedMailbox::SeqOf(uint32_t uid) const {
  const uint32_t seq = FirstSeqFrom(uid);
  if (seq > count() || at(seq).uid != uid) return std::nullopt;
  return seq;
}

Result<std::vector<uint32_t>> SelectedMailbox::Resolve(const SequenceSet& set, bool uid) const {
  std::vector<uint32_t> seqs;
  if (uid) {
    const uint32_t max_uid = MaxUid();
    const NumberSet uids = set.Resolve(max_uid).ClampedTo(max_uid);
    // Each range from its first message on: the cost is what it names,
    // never the set's span.
    for (const NumberRange& range : uids.ranges()) {
      for (uint32_t seq = FirstSeqFrom(range.first); seq <= count() && at(seq).uid <= range.last;
           ++seq) {
        seqs.push_back(seq);
      }
    }
    return seqs;
  }
  const NumberSet numbers = set.Resolve(count());
  if (numbers.Max() > count()) {
    return Result<std::vector<uint32_t>>(
        ErrorCode::kInvalidArgument,
        count() == 0 ? "the mailbox is empty" : "message sequence number out of range");
  }
  numbers.ForEach([&](uint32_t n) {
    seqs.push_back(n);
    return true;
  });
  return seqs;
}

void SelectedMailbox::Set(uint32_t seq, const MessageMeta& meta) {
  const uint32_t i = seq - 1;
  if (i >= LiveBase()) {
    added_[i - LiveBase()] = meta;
  } else {
    changed_[BasePosition(i)] = meta;
  }
}

void SelectedMailbox::Update(const MessageMeta& meta) {
  if (auto seq = SeqOf(meta.uid)) {
    Set(*seq, meta);
    if (listener_ != nullptr) listener_->Touched(meta.uid);
  }
  info_.highest_modseq = std::max(info_.highest_modseq, meta.modseq);
}

void SelectedMailbox::Erase(std::vector<uint32_t> seqs) {
  std::vector<size_t> positions;
  std::vector<size_t> added;
  for (uint32_t seq : seqs) {
    const uint32_t i = seq - 1;
    if (i >= LiveBase()) {
      added.push_back(i - LiveBase());
    } else {
      positions.push_back(BasePosition(i));
    }
  }
  std::sort(added.rbegin(), added.rend());
  added.erase(std::unique(added.begin(), added.end()), added.end());
  for (size_t index : added) added_.erase(added_.begin() + static_cast<std::ptrdiff_t>(index));
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  for (size_t position : positions) changed_.erase(position);
  std::vector<size_t> merged;
  merged.reserve(removed_.size() + positions.size());
  std::merge(removed_.begin(), removed_.end(), positions.begin(), positions.end(),
             std::back_inserter(merged));
  removed_ = std::move(merged);
}

NumberSet AbsentUids(const NumberSet& candidates, const std::vector<MessageMeta>& present) {
  std::vector<NumberRange> gaps;
  auto it = present.begin();
  for (const NumberRange& range : candidates.ranges()) {
    uint64_t next = range.first;  // the first candidate not yet placed
    it = std::lower_bound(it, present.end(), range.first,
                          [](const MessageMeta& m, uint32_t uid) { return m.uid < uid; });
    for (; it != present.end() && it->uid <= range.last; ++it) {
      if (it->uid > next) gaps.push_back({static_cast<uint32_t>(next), it->uid - 1});
      next = uint64_t{it->uid} + 1;
    }
    if (next <= range.last) gaps.push_back({static_cast<uint32_t>(next), range.last});
  }
  return NumberSet::FromRanges(std::move(gaps));
}

void SelectedMailbox::Remove(const std::vector<uint32_t>& uids, std::string& out) {
  std::vector<uint32_t> seqs;
  std::vector<uint32_t> gone;
  for (uint32_t uid : uids) {
    if (auto seq = SeqOf(uid)) {
      seqs.push_back(*seq);
      gone.push_back(uid);
    }
  }
  if (seqs.empty()) return;
  if (listener_ != nullptr) listener_->BeforeRemove(*this, gone, out);
  if (report_vanished_) {
    out += "* VANISHED " + NumberSet::FromNumbers(gone).ToString() + "\r\n";
  } else {
    // Highest first: each EXPUNGE shifts only the numbers above it, so
    // descending order keeps every number in the list valid when it is sent.
    std::sort(seqs.rbegin(), seqs.rend());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    for (uint32_t seq : seqs) out += "* " + std::to_string(seq) + " EXPUNGE\r\n";
  }
  Erase(std::move(seqs));
}

void SelectedMailbox::Sync(MailboxSnapshot fresh, bool condstore, std::string& out) {
  auto by_uid = [](const MessageMeta& a, const MessageMeta& b) { return a.uid < b.uid; };
  std::vector<uint32_t> gone;
  for (uint32_t seq = 1; seq <= count(); ++seq) {
    if (!std::binary_search(fresh.messages.begin(), fresh.messages.end(), at(seq), by_uid)) {
      gone.push_back(at(seq).uid);
    }
  }
  Remove(gone, out);
  // Flag changes of messages the client already knows.
  size_t j = 0;
  for (uint32_t seq = 1; seq <= count(); ++seq) {
    const MessageMeta& known = at(seq);
    while (j < fresh.messages.size() && fresh.messages[j].uid < known.uid) ++j;
    if (j == fresh.messages.size() || fresh.messages[j].uid != known.uid) continue;
    const MessageMeta& now = fresh.messages[j];
    if (now.flags != known.flags || (condstore && now.modseq != known.modseq)) {
      AppendFetchFlags(out, seq, now, condstore);
      if (listener_ != nullptr) listener_->Touched(now.uid);
    }
  }
  AddNew(fresh.messages, out);
  // The view is `fresh` now (uids only grow, so `fresh` holds nothing below
  // the view's highest uid that the view lacks): it becomes the base, and
  // the differences go. Should a back-end break that rule, the view as the
  // client knows it is kept instead.
  info_ = fresh.info;
  synced_modseq_ = info_.highest_modseq;
  if (fresh.messages.size() != count()) {
    std::vector<MessageMeta> shown;
    shown.reserve(count());
    for (uint32_t seq = 1; seq <= count(); ++seq) shown.push_back(at(seq));
    fresh.messages = std::move(shown);
  }
  base_ = std::make_shared<const MailboxSnapshot>(std::move(fresh));
  removed_.clear();
  changed_.clear();
  added_.clear();
}

void SelectedMailbox::Apply(MailboxChanges changes, bool condstore, std::string& out) {
  Remove(changes.expunged, out);
  for (const MessageMeta& now : changes.changed) {
    auto seq = SeqOf(now.uid);
    if (!seq) continue;  // new (added below) or expunged from this view already
    const MessageMeta& known = at(*seq);
    if (now.flags != known.flags || (condstore && now.modseq != known.modseq)) {
      Set(*seq, now);
      AppendFetchFlags(out, *seq, now, condstore);
      if (listener_ != nullptr) listener_->Touched(now.uid);
    } else if (now.modseq != known.modseq) {
      Set(*seq, now);  // the client is not told, but FETCH MODSEQ must be right
      if (listener_ != nullptr) listener_->Touched(now.uid);  // SEARCH MODSEQ may differ
    }
  }
  AddNew(changes.changed, out);
  info_ = std::move(changes.info);
  synced_modseq_ = info_.highest_modseq;
}

void SelectedMailbox::AddNew(const std::vector<MessageMeta>& fresh, std::string& out) {
  // New messages: everything above the highest uid in the view (`fresh` is
  // ascending by uid).
  const uint32_t known_max = MaxUid();
  const uint32_t before = count();
  for (const MessageMeta& m : fresh) {
    if (m.uid > known_max) added_.push_back(m);
  }
  if (count() == before) return;
  out += "* " + std::to_string(count()) + " EXISTS\r\n";
  if (listener_ == nullptr) return;
  for (auto it = added_.end() - (count() - before); it != added_.end(); ++it) {
    listener_->Touched(it->uid);
  }
}

}  // namespace mailvault::imap
