// SORT's ordering (RFC 5256 section 3, RFC 5957): by each criterion in
// turn, messages equal under all of them in mailbox (sequence) order.
#pragma once

#include <vector>

#include "common/imap/sort_args.h"
#include "server/imap/message_summary.h"

namespace mailvault::imap {

// Whether `a` sorts before `b` (a strict weak order; equal under every
// criterion, the lower uid first).
bool SortsBefore(const MessageSummary& a, const MessageSummary& b,
                 const std::vector<SortCriterion>& criteria);

// Sorts in place. Strings compare as collation keys, so a missing field
// (the empty string) sorts first; DATE compares sent dates in UTC.
void SortMessages(std::vector<MessageSummary>& messages,
                  const std::vector<SortCriterion>& criteria);

// -1, 0 or 1: `a` before, with, or after `b` by `key` alone.
int CompareBy(SortKey key, const MessageSummary& a, const MessageSummary& b);

}  // namespace mailvault::imap
