#include "server/imap/message_sort.h"

#include <algorithm>
#include <compare>

namespace mailvault::imap {
namespace {

template <typename T>
int Sign(const T& a, const T& b) {
  const auto order = a <=> b;
  return order < 0 ? -1 : order > 0 ? 1 : 0;
}

}  // namespace

int CompareBy(SortKey key, const MessageSummary& a, const MessageSummary& b) {
  switch (key) {
    case SortKey::kArrival:
      return Sign(a.arrival, b.arrival);
    case SortKey::kCc:
      return Sign(a.cc, b.cc);
    case SortKey::kDate:
      return Sign(a.sent_date, b.sent_date);
    case SortKey::kFrom:
      return Sign(a.from, b.from);
    case SortKey::kSize:
      return Sign(a.size, b.size);
    case SortKey::kSubject:
      return Sign(a.subject, b.subject);
    case SortKey::kTo:
      return Sign(a.to, b.to);
    case SortKey::kDisplayFrom:
      return Sign(a.display_from, b.display_from);
    case SortKey::kDisplayTo:
      return Sign(a.display_to, b.display_to);
  }
  return 0;
}

bool SortsBefore(const MessageSummary& a, const MessageSummary& b,
                 const std::vector<SortCriterion>& criteria) {
  for (const SortCriterion& criterion : criteria) {
    const int order = CompareBy(criterion.key, a, b);
    if (order != 0) return criterion.reverse ? order > 0 : order < 0;
  }
  // The final tie-break is the mailbox order, never reversed; uids keep it
  // as sequence numbers do, and hold while the numbers shift.
  return a.uid < b.uid;
}

void SortMessages(std::vector<MessageSummary>& messages,
                  const std::vector<SortCriterion>& criteria) {
  std::sort(messages.begin(), messages.end(),
            [&](const MessageSummary& a, const MessageSummary& b) {
              return SortsBefore(a, b, criteria);
            });
}

}  // namespace mailvault::imap
