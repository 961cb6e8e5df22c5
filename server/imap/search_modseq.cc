#include "server/imap/search_modseq.h"

#include <algorithm>

namespace mailvault::imap {

uint64_t SearchResultModseq(const std::vector<uint64_t>& found, const SearchReturnOptions& r) {
  if (found.empty()) return 0;
  // COUNT counts every found message and ALL lists them: then each is
  // "being returned". RETURN () means ALL (RFC 4731 3.1) and arrives here
  // with nothing set, as a plain SEARCH does.
  const bool only_ends = (r.min || r.max) && !r.all && !r.count;
  if (!only_ends) return *std::max_element(found.begin(), found.end());
  uint64_t highest = 0;
  if (r.min) highest = found.front();
  if (r.max) highest = std::max(highest, found.back());
  return highest;
}

}  // namespace mailvault::imap
