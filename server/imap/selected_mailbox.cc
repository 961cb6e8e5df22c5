#include "server/imap/selected_mailbox.h"

#include <algorithm>

#include "common/imap/response_writer.h"

namespace mailvault::imap {
namespace {

void AppendFetchFlags(std::string& out, uint32_t seq, const MessageMeta& meta, bool condstore) {
  out += "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(meta.uid) + " FLAGS ";
  AppendFlagList(out, meta.flags);
  if (condstore) out += " MODSEQ (" + std::to_string(meta.modseq) + ")";
  out += ")\r\n";
}

}  // namespace

SelectedMailbox::SelectedMailbox(bool read_only, MailboxSnapshot snapshot)
    : read_only_(read_only),
      info_(std::move(snapshot.info)),
      synced_modseq_(info_.highest_modseq),
      messages_(std::move(snapshot.messages)) {}

std::optional<uint32_t> SelectedMailbox::SeqOf(uint32_t uid) const {
  auto it = std::lower_bound(messages_.begin(), messages_.end(), uid,
                             [](const MessageMeta& m, uint32_t u) { return m.uid < u; });
  if (it == messages_.end() || it->uid != uid) return std::nullopt;
  return static_cast<uint32_t>(it - messages_.begin()) + 1;
}

Result<std::vector<uint32_t>> SelectedMailbox::Resolve(const SequenceSet& set, bool uid) const {
  std::vector<uint32_t> seqs;
  if (uid) {
    const NumberSet uids = set.Resolve(MaxUid()).ClampedTo(MaxUid());
    // Walk the view once: cost is the mailbox size, never the set's span.
    for (uint32_t i = 0; i < messages_.size(); ++i) {
      if (uids.Contains(messages_[i].uid)) seqs.push_back(i + 1);
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

void SelectedMailbox::Update(const MessageMeta& meta) {
  if (auto seq = SeqOf(meta.uid)) messages_[*seq - 1] = meta;
  info_.highest_modseq = std::max(info_.highest_modseq, meta.modseq);
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
  if (report_vanished_) {
    std::vector<uint32_t> gone;
    for (uint32_t uid : uids) {
      if (auto seq = SeqOf(uid)) {
        messages_.erase(messages_.begin() + (*seq - 1));
        gone.push_back(uid);
      }
    }
    if (!gone.empty()) out += "* VANISHED " + NumberSet::FromNumbers(gone).ToString() + "\r\n";
    return;
  }
  // Highest first: each EXPUNGE shifts only the numbers above it, so
  // descending order keeps every number in the list valid when it is sent.
  std::vector<uint32_t> seqs;
  for (uint32_t uid : uids) {
    if (auto seq = SeqOf(uid)) seqs.push_back(*seq);
  }
  std::sort(seqs.rbegin(), seqs.rend());
  for (uint32_t seq : seqs) {
    messages_.erase(messages_.begin() + (seq - 1));
    out += "* " + std::to_string(seq) + " EXPUNGE\r\n";
  }
}

void SelectedMailbox::Sync(MailboxSnapshot fresh, bool condstore, std::string& out) {
  std::vector<uint32_t> gone;
  for (const MessageMeta& m : messages_) {
    if (!std::binary_search(fresh.messages.begin(), fresh.messages.end(), m,
                            [](const MessageMeta& a, const MessageMeta& b) { return a.uid < b.uid; })) {
      gone.push_back(m.uid);
    }
  }
  Remove(gone, out);
  // Flag changes of messages the client already knows.
  size_t j = 0;
  for (uint32_t i = 0; i < messages_.size(); ++i) {
    while (j < fresh.messages.size() && fresh.messages[j].uid < messages_[i].uid) ++j;
    if (j == fresh.messages.size() || fresh.messages[j].uid != messages_[i].uid) continue;
    const MessageMeta& now = fresh.messages[j];
    if (now.flags != messages_[i].flags || (condstore && now.modseq != messages_[i].modseq)) {
      messages_[i] = now;
      AppendFetchFlags(out, i + 1, now, condstore);
    }
  }
  AddNew(fresh.messages, out);
  info_ = std::move(fresh.info);
  synced_modseq_ = info_.highest_modseq;
}

void SelectedMailbox::Apply(MailboxChanges changes, bool condstore, std::string& out) {
  Remove(changes.expunged, out);
  for (const MessageMeta& now : changes.changed) {
    auto seq = SeqOf(now.uid);
    if (!seq) continue;  // new (added below) or expunged from this view already
    MessageMeta& known = messages_[*seq - 1];
    if (now.flags != known.flags || (condstore && now.modseq != known.modseq)) {
      known = now;
      AppendFetchFlags(out, *seq, now, condstore);
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
  const size_t before = messages_.size();
  for (const MessageMeta& m : fresh) {
    if (m.uid > known_max) messages_.push_back(m);
  }
  if (messages_.size() != before) out += "* " + std::to_string(messages_.size()) + " EXISTS\r\n";
}

}  // namespace mailvault::imap
