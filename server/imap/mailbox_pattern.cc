#include "server/imap/mailbox_pattern.h"

#include <algorithm>
#include <vector>

#include "common/imap/mailbox_name.h"

namespace mailvault::imap {

std::string JoinReference(std::string_view reference, std::string_view pattern) {
  if (reference.empty()) return std::string(pattern);
  std::string joined(reference);
  if (joined.back() != kHierarchyDelimiter && !pattern.empty() &&
      pattern.front() != kHierarchyDelimiter) {
    joined.push_back(kHierarchyDelimiter);
  }
  joined.append(pattern);
  return joined;
}

bool MatchesPattern(std::string_view name, std::string_view pattern) {
  // INBOX is case-insensitive, including as the first level of a pattern.
  const std::string normalized = NormalizeInbox(std::string(pattern));
  pattern = normalized;
  // match[i]: name[0, i) is matched by the pattern's prefix seen so far.
  // Dynamic programming rather than backtracking: a hostile pattern of many
  // wildcards costs name length x pattern length, never exponential time.
  std::vector<char> match(name.size() + 1, 0), next(name.size() + 1, 0);
  match[0] = 1;
  for (char c : pattern) {
    std::fill(next.begin(), next.end(), 0);
    if (c == '*' || c == '%') {
      bool reachable = false;
      for (size_t i = 0; i <= name.size(); ++i) {
        if (match[i]) reachable = true;
        if (c == '%' && i > 0 && name[i - 1] == kHierarchyDelimiter && !match[i]) {
          reachable = false;  // '%' does not cross a delimiter
        }
        next[i] = reachable;
      }
    } else {
      for (size_t i = 0; i < name.size(); ++i) {
        if (match[i] && name[i] == c) next[i + 1] = 1;
      }
    }
    match.swap(next);
  }
  return match[name.size()];
}

}  // namespace mailvault::imap
